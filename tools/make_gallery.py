"""Make docs/images/gallery.jpg and docs/gallery.md: sample photos repainted in several styles.

    .venv/bin/python tools/make_gallery.py [--seed 0]

Rows are the sample photos, columns the styles; the top row shows the painting
each column used. The paintings are picked by the seed, not by hand.
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from voiceart.config import PROJECT_ROOT, Settings
from voiceart.images import load_image
from voiceart.paintings.catalogue import Catalogue
from voiceart.style.stylize import Stylizer

STYLES = ["Impressionism", "Post-Impressionism", "Chinese ink painting", "Baroque", "Gothic"]
SAMPLES = Path(__file__).resolve().parent.parent / "voiceart" / "samples"
PHOTOS = [SAMPLES / "astronaut.jpg", SAMPLES / "coffee.jpg", SAMPLES / "chelsea.jpg"]
TILE = 256
LABEL = 28


def font(size: int):
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default()


def square(image: Image.Image, side: int = TILE) -> Image.Image:
    s = min(image.size)
    left, top = (image.width - s) // 2, (image.height - s) // 2
    return image.crop((left, top, left + s, top + s)).resize((side, side), Image.LANCZOS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    docs = PROJECT_ROOT / "docs"
    (docs / "images").mkdir(parents=True, exist_ok=True)

    settings = Settings()
    catalogue, stylizer, rng = Catalogue.load(settings), Stylizer(settings), random.Random(args.seed)
    paintings = [catalogue.pick(style, rng) for style in STYLES]
    painting_images = [load_image(p.path, 1024)[0] for p in paintings]
    photos = [load_image(p, 512)[0] for p in PHOTOS]

    cols, rows = len(STYLES) + 1, len(PHOTOS) + 1
    sheet = Image.new("RGB", (cols * TILE, rows * (TILE + LABEL)), "white")
    draw = ImageDraw.Draw(sheet)
    small = font(15)

    def put(image: Image.Image, col: int, row: int, label: str) -> None:
        x, y = col * TILE, row * (TILE + LABEL)
        draw.text((x + 6, y + 6), label, fill="black", font=small)
        sheet.paste(square(image), (x, y + LABEL))

    draw.text((10, LABEL + TILE // 2 - 20), "photo \u2193\npainting \u2192", fill="black", font=font(20))
    for col, (style, image) in enumerate(zip(STYLES, painting_images), start=1):
        put(image, col, 0, style)
    for row, photo in enumerate(photos, start=1):
        put(photo, 0, row, "photo")
        for col, image in enumerate(painting_images, start=1):
            put(stylizer.stylize(photo, [image]), col, row, "")
    sheet.save(docs / "images" / "gallery.jpg", quality=88)

    # The README's picture: one photo, one painting, the result, at strength 0.5 and 1.
    photo, image = photos[0], painting_images[1]
    hero = Image.new("RGB", (4 * TILE, TILE + LABEL), "white")
    hd = ImageDraw.Draw(hero)
    for i, (tile, label) in enumerate([(photo, "photo"), (image, "painting"),
                                      (stylizer.stylize(photo, [image], 0.5), "strength 0.5"),
                                      (stylizer.stylize(photo, [image]), "strength 1")]):
        hd.text((i * TILE + 6, 6), label, fill="black", font=small)
        hero.paste(square(tile), (i * TILE, LABEL))
    hero.save(docs / "images" / "readme-example.jpg", quality=88)

    lines = ["# Gallery", "",
             "Made by `.venv/bin/python tools/make_gallery.py` (seed %d): each sample photo repainted with one painting" % args.seed,
             "of each style, picked at random from the catalogue, at full strength. Top row: the paintings used.", "",
             "![gallery](images/gallery.jpg)", "", "| style | painting | licence |", "|---|---|---|"]
    lines += [f"| {p.style} | [{p.credit}]({p.source}) | {p.licence} |" for p in paintings]
    lines += ["", f"README picture: the astronaut photo with {paintings[1].credit} ({paintings[1].style}) at strength 0.5 and 1.",
              "", "Photos: scikit-image sample data (astronaut: NASA, public domain; coffee and cat: CC0); see voiceart/samples/README.md."]
    (docs / "gallery.md").write_text("\n".join(lines) + "\n")
    print(f"Wrote {docs / 'images' / 'gallery.jpg'}, {docs / 'images' / 'readme-example.jpg'} and {docs / 'gallery.md'}")


if __name__ == "__main__":
    main()
