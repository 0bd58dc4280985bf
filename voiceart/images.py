"""Reading and writing pictures at the edges, with plain sentences for everything that goes wrong."""
from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageOps, PngImagePlugin, UnidentifiedImageError

from voiceart.errors import ImageError, VoiceartError

# Beyond this many pixels a file is refused rather than decoded (a 20000 x 20000 photo).
MAX_PIXELS = 400_000_000


def to_rgb(image: Image.Image) -> Image.Image:
    """Upright RGB; transparent parts become white, as on paper."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image)
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
    if not path.exists():
        raise ImageError(f"There is no file {path}.")
    if path.is_dir():
        raise ImageError(f"{path} is a folder, not a picture.")
    try:
        with Image.open(path) as image:
            w, h = image.size
            if w * h > MAX_PIXELS:
                raise ImageError(f"{path.name} is too large to open ({w} by {h} pixels).")
            if max_side and image.format == "JPEG":
                image.draft("RGB", (max_side, max_side))  # decode a huge JPEG at a fraction of its size
            image.load()
            rgb = to_rgb(image)
    except UnidentifiedImageError:
        raise ImageError(f"{path.name} is not a picture voiceart can read.") from None
    except Image.DecompressionBombError:
        raise ImageError(f"{path.name} is too large to open safely.") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"{path.name} is damaged and cannot be read ({exc}).") from None
    if rgb.width < 16 or rgb.height < 16:
        raise ImageError(f"{path.name} is too small ({rgb.width} by {rgb.height} pixels); it needs at least 16 on each side.")
    if max_side:
        scaled, note = fit(rgb, max_side)
        if note is None and rgb.size != (w, h):  # draft mode already shrank it
            note = f"The picture was {w} by {h} pixels; it was scaled to {rgb.width} by {rgb.height}."
        return scaled, note
    return rgb, None


def save_png(image: Image.Image, path: Path, metadata: dict[str, str]) -> Path:
    """Write a PNG with text metadata, atomically, turning disk problems into one sentence."""
    path = Path(path)
    info = PngImagePlugin.PngInfo()
    for key, value in metadata.items():
        info.add_itxt(key, str(value))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".voiceart-", suffix=".png", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                image.save(f, format="PNG", pnginfo=info)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            reason = "the disk is full"
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            reason = "voiceart may not write there"
        else:
            reason = exc.strerror or str(exc)
        raise VoiceartError(f"Could not save {path.name} in {path.parent}: {reason}.") from None
    return path


def png_metadata(path: Path) -> dict[str, str]:
    with Image.open(path) as image:
        return dict(image.text)
