"""A made-up captioned data set of coloured shapes, for tests, benchmarks and a first training run.

Each picture is one shape (circle, square or triangle) in one colour on a plain background,
with captions that say both ("a red circle on a grey background", "a circle that is red").
It is written in the plain folder layout: the images and a ``captions.txt`` whose third column,
the class, is the colour and shape (pictures that differ only in background or placement are
not wrong answers for each other).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

COLOURS = {"red": (220, 30, 30), "green": (30, 170, 40), "blue": (30, 60, 220), "yellow": (240, 210, 20),
           "purple": (140, 40, 170), "orange": (250, 130, 20)}
SHAPES = ("circle", "square", "triangle")
BACKGROUNDS = {"white": (245, 245, 245), "grey": (128, 128, 128), "black": (15, 15, 15)}
TEMPLATES = ("a {c} {s} on a {b} background", "a {s} that is {c}", "this is a {c} {s}", "{b} background with a {c} {s}")


def draw(colour: str, shape: str, background: str, size: int, rng: np.random.Generator) -> Image.Image:
    image = Image.new("RGB", (size, size), BACKGROUNDS[background])
    d = ImageDraw.Draw(image)
    r = size * rng.uniform(0.22, 0.34)
    cx, cy = size * rng.uniform(0.38, 0.62), size * rng.uniform(0.38, 0.62)
    fill = COLOURS[colour]
    if shape == "circle":
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)
    elif shape == "square":
        d.rectangle((cx - r, cy - r, cx + r, cy + r), fill=fill)
    else:
        d.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=fill)
    return image


def make_shapes(folder: Path, n: int = 72, size: int = 76, seed: int = 0) -> Path:
    """Write ``n`` pictures and their captions into ``folder``; returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    lines = []
    combos = [(c, s) for c in COLOURS for s in SHAPES]
    for i in range(n):
        colour, shape = combos[i % len(combos)]
        background = list(BACKGROUNDS)[int(rng.integers(len(BACKGROUNDS)))]
        if BACKGROUNDS[background] == COLOURS.get(colour):
            background = "grey"
        name = f"shape{i:04d}.png"
        draw(colour, shape, background, size, rng).save(folder / name)
        for template in TEMPLATES:
            lines.append(f"{name}\t{template.format(c=colour, s=shape, b=background)}\t{colour} {shape}")
    (folder / "captions.txt").write_text("\n".join(lines) + "\n")
    return folder
