"""``voiceart start``: what the person meets.

The hands-free loop (hearing, drawing a description, the window) is being
built stage by stage; until it lands, ``start`` says plainly what voiceart can
do today and does it for real: it repaints a picture in the styles of real
paintings and tells where the results are.
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path

from voiceart.config import Settings

SAMPLE_PHOTO = Path(__file__).parent / "samples" / "astronaut.jpg"

TODAY = (
    "voiceart repaints a picture in the style of a real painting.\n"
    "The hands-free loop (speak a scene, hear the styles, name one) is not put together yet;\n"
    "its parts work from the command line:\n"
    "  voiceart styles                      the styles it knows, with their paintings\n"
    "  voiceart stylize PHOTO --style NAME -o OUT.png\n"
    "  voiceart classify [IMAGE] --text \"a lighthouse at night\"   genre and suggested styles\n"
    "  voiceart say TEXT | listen | doctor  speaking, hearing, checking the sound set-up\n"
    "  voiceart transcribe FILE.wav         Whisper and the command grammar\n"
    "  voiceart generate TEXT -o OUT.png    text to image (needs DM-GAN files: none ship yet)\n"
    "  voiceart --help                      everything else"
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("start", help="start voiceart (the default command)",
                       description="Start voiceart. Today: repaint a picture in three styles and say where the results are.")
    p.add_argument("photo", nargs="?", type=Path, default=SAMPLE_PHOTO, help="the picture to repaint (default: a sample photo)")
    p.add_argument("--styles", type=int, default=3, help="how many styles to show (default 3)")
    p.add_argument("--seed", type=int, default=0, help="which paintings are chosen")
    p.set_defaults(run=run_start)


def run_start(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart.images import load_image, save_png
    from voiceart.paintings.catalogue import Catalogue
    from voiceart.style.stylize import Stylizer

    print(TODAY + "\n")
    catalogue = Catalogue.load(settings)
    stylizer = Stylizer(settings)
    photo, note = load_image(args.photo, settings.max_side)
    if note:
        print(note)
    rng = random.Random(args.seed)
    # The best-stocked styles first: they show the most variety on "again".
    styles = sorted(catalogue.styles().items(), key=lambda kv: (-kv[1], kv[0]))[: args.styles]
    out_dir = settings.pictures_dir
    print(f"Repainting {args.photo.name} in {len(styles)} style{'' if len(styles) == 1 else 's'}; results go to {out_dir}")
    for style, _count in styles:
        painting = catalogue.pick(style, rng)
        result = stylizer.stylize(photo, [load_image(painting.path, 1024)[0]])
        out = save_png(result, out_dir / f"{args.photo.stem}-{style.lower().replace(' ', '-')}.png", {
            "Software": "voiceart", "style": style, "painting_id": painting.id, "painting_credit": painting.credit,
            "painting_licence": painting.licence, "strength": "1", "seed": str(args.seed), "source_photo": str(args.photo)})
        print(f"  {style}: after {painting.credit} -> {out}")
    return 0
