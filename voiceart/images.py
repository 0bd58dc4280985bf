"""Reading and writing pictures at the edges, with plain sentences for everything that goes wrong.

What voiceart promises here (docs/reliability.md): every mode Pillow opens keeps its content
(16-bit, 32-bit and float greyscale are scaled, not clipped to white); a damaged or huge file is
one sentence, never a traceback or a raw library warning; a picture is written whole or not at
all (``voiceart.files.atomic_write``), with the permissions the person's umask gives, never over
the file it was made from.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import struct
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, PngImagePlugin, UnidentifiedImageError

from voiceart.errors import ImageError, VoiceartError, plain_text
from voiceart.files import atomic_write, write_reason

log = logging.getLogger(__name__)

# Beyond this many pixels a file is refused rather than decoded: Pillow's own limit for a
# decompression bomb (about 179 million pixels, a 13,000 x 13,000 photo); below it, a big picture is
# decoded and scaled down, and Pillow's warning about it is not shown.
MAX_PIXELS = 2 * Image.MAX_IMAGE_PIXELS
# Alpha below this everywhere hides the whole picture: then the alpha is ignored, not the picture.
FAINT_ALPHA = 16
# The suffixes voiceart writes, and what it writes for each; a name without a suffix gets .png.
FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


def _to_8bit(image: Image.Image) -> Image.Image:
    """16-bit, 32-bit and float greyscale as 8-bit "L", scaled by the range the values can take."""
    values = np.asarray(image, dtype=np.float64)
    finite = values[np.isfinite(values)]
    values = np.nan_to_num(values, nan=0.0, posinf=finite.max(initial=0.0), neginf=finite.min(initial=0.0))
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    if image.mode.startswith("I;16") or (image.mode == "I" and low >= 0 and 255 < high <= 65535):
        values = values / 257.0  # 16-bit samples
    elif image.mode == "F" and low >= 0 and high <= 1.0:
        values = values * 255.0  # the usual 0..1 float picture
    elif low < 0 or high > 255:
        values = (values - low) * (255.0 / (high - low))  # anything else: its own range
    return Image.fromarray(np.clip(np.rint(values), 0, 255).astype(np.uint8), "L")


def to_rgb(image: Image.Image) -> Image.Image:
    """Upright RGB with its content kept; transparent parts become white, as on paper, unless the
    alpha hides everything (then it is ignored: a picture is never read as blank)."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        image = _to_8bit(image)
    if image.mode in ("RGBA", "LA", "La", "RGBa", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        if rgba.getchannel("A").getextrema()[1] < FAINT_ALPHA:
            return rgba.convert("RGB")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return image.convert("RGB")


def fit(image: Image.Image, max_side: int) -> tuple[Image.Image, str | None]:
    """Scale down so the longest side is at most ``max_side``; the note says what happened."""
    w, h = image.size
    if max(w, h) <= max_side:
        return image, None
    scale = max_side / max(w, h)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return image.resize(size, Image.LANCZOS), f"The picture was {w} by {h} pixels; it was scaled to {size[0]} by {size[1]}."


def load_image(path: Path, max_side: int | None = None) -> tuple[Image.Image, str | None]:
    """An RGB picture from a file, scaled to ``max_side``, and a note when it was scaled."""
    path = Path(path)
    try:
        if not path.exists():
            raise ImageError(f"There is no file {path}.")
        if path.is_dir():
            raise ImageError(f"{path} is a folder, not a picture.")
    except OSError as exc:  # a name too long, a folder it may not look in
        raise ImageError(f"{path} cannot be opened: {exc.strerror or exc}.") from None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with Image.open(path) as image:
                w, h = image.size
                if w * h > MAX_PIXELS:
                    raise ImageError(f"{path.name} is too large to open ({w} by {h} pixels).")
                if max_side and image.format == "JPEG":
                    image.draft("RGB", (max_side, max_side))  # decode a huge JPEG at a fraction of its size
                image.load()
                if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # turned a quarter: shown h by w
                    w, h = h, w
                rgb = to_rgb(image)
        except UnidentifiedImageError:
            raise ImageError(f"{path.name} is not a picture voiceart can read.") from None
        except Image.DecompressionBombError:
            raise ImageError(f"{path.name} is too large to open safely.") from None
        except PermissionError:
            raise ImageError(f"voiceart may not read {path}.") from None
        except MemoryError:
            raise ImageError(f"{path.name} is too large to open in the memory this computer has free.") from None
        except (OSError, SyntaxError, ValueError, TypeError, IndexError, KeyError, ZeroDivisionError,
                struct.error) as exc:  # what Pillow's decoders raise on damaged data
            raise ImageError(f"{path.name} is damaged and cannot be read ({_first_line(exc)}).") from None
    for warning in caught:
        log.debug("reading %s: %s: %s", path.name, warning.category.__name__, warning.message)
    if rgb.width < 16 or rgb.height < 16:
        raise ImageError(f"{path.name} is too small ({rgb.width} by {rgb.height} pixels); it needs at least 16 on each side.")
    if not max_side:
        return rgb, None
    scaled, _ = fit(rgb, max_side)
    if scaled.size == (w, h):
        return scaled, None
    return scaled, f"The picture was {w} by {h} pixels; it was scaled to {scaled.width} by {scaled.height}."


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:120]


# --- writing ----------------------------------------------------------------------------------------

def save_png(image: Image.Image, path: Path, metadata: dict[str, str]) -> Path:
    """Write a PNG with text metadata, atomically, turning disk problems into one sentence."""
    info = PngImagePlugin.PngInfo()
    for key, value in metadata.items():
        info.add_itxt(plain_text(key), plain_text(value))
    return atomic_write(path, lambda f: image.save(f, format="PNG", pnginfo=info))


def save_jpeg(image: Image.Image, path: Path, metadata: dict[str, str]) -> Path:
    """Write a JPEG (quality 92) whose comment holds the metadata as JSON, atomically."""
    comment = json.dumps({plain_text(k): plain_text(v) for k, v in metadata.items()}, ensure_ascii=True)
    return atomic_write(path, lambda f: image.convert("RGB").save(f, format="JPEG", quality=92, comment=comment))


def picture_path(output: Path) -> Path:
    """The one naming rule of every command that writes a picture: a name without a suffix gets
    .png; .png writes a PNG, .jpg or .jpeg a JPEG; any other suffix is refused (never PNG bytes
    under another name)."""
    output = Path(output)
    if not output.name or output.name in (".", ".."):
        raise VoiceartError(f"{output} is not a file name; name the picture, e.g. out.png.")
    if output.is_dir():
        raise VoiceartError(f"{output} is a folder; give a file name, e.g. {output / 'out.png'}.")
    if not output.suffix:
        return output.with_name(output.name + ".png")
    if output.suffix.lower() not in FORMATS:
        raise VoiceartError(f"voiceart writes PNG or JPEG pictures; name the output .png or .jpg, not {output.name}.")
    return output


def save_picture(image: Image.Image, path: Path, metadata: dict[str, str]) -> Path:
    """Write a PNG or a JPEG by ``path``'s suffix (see :func:`picture_path`), atomically."""
    path = picture_path(path)
    save = save_jpeg if FORMATS[path.suffix.lower()] == "JPEG" else save_png
    return save(image, path, metadata)


def check_output(output: Path, inputs: Iterable[Path]) -> Path:
    """``output`` when writing it touches none of ``inputs``; a sentence otherwise (voiceart never
    writes over the picture it reads)."""
    output = picture_path(output)
    for source in inputs:
        try:
            same = output.exists() and Path(source).exists() and os.path.samefile(output, source)
        except OSError:
            same = False
        if same or output.resolve() == Path(source).resolve():
            raise VoiceartError(f"voiceart will not write over {source}, the picture it reads; give -o another name.")
    return output


def check_writable(folder: Path, what: str = "the pictures") -> Path:
    """Make ``folder`` and prove a file can be written in it, before any work is done for it."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".voiceart-probe-{secrets.token_hex(4)}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        blocked = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
        reason = f"{blocked} is a file, not a folder" if blocked else write_reason(exc)
        raise VoiceartError(f"voiceart cannot write {what} to {folder}: {reason}.") from None
    return folder


def png_metadata(path: Path) -> dict[str, str]:
    with Image.open(path) as image:
        return dict(image.text)
