"""Named colours: the base colour words and their shades, so captions can say "red" or "crimson".

Every shade belongs to one base colour; a drawn object's colour is a shade, and a caption may
name either the shade or its base (both are true of the picture).
"""
from __future__ import annotations

import numpy as np

Colour = tuple[int, int, int]

# base -> {shade: rgb}; the base's own name is its first entry.
SHADES: dict[str, dict[str, Colour]] = {
    "red": {"red": (215, 35, 35), "crimson": (185, 20, 50), "scarlet": (235, 45, 25), "cherry": (200, 25, 60),
            "ruby": (165, 15, 40), "brick": (170, 60, 45), "maroon": (128, 25, 35),
            "vermilion": (225, 65, 40), "raspberry": (200, 30, 85)},
    "orange": {"orange": (245, 135, 25), "tangerine": (250, 150, 40), "amber": (240, 170, 30), "apricot": (245, 170, 110),
               "rust": (185, 80, 30), "copper": (195, 110, 60), "pumpkin": (240, 120, 30),
               "saffron": (245, 160, 35), "peach": (250, 175, 130)},
    "yellow": {"yellow": (245, 215, 40), "golden": (230, 185, 40), "lemon": (250, 240, 90), "mustard": (215, 175, 35),
               "canary": (255, 230, 70), "butter": (250, 225, 130), "daffodil": (255, 225, 50),
               "honey": (235, 175, 50), "straw": (230, 210, 120)},
    "green": {"green": (45, 165, 55), "emerald": (20, 150, 90), "lime": (140, 210, 50), "olive": (120, 135, 40),
              "jade": (40, 170, 120), "mint": (140, 225, 170), "sage": (140, 165, 120),
              "moss": (95, 120, 50), "fern": (80, 140, 60), "pea": (120, 180, 70)},
    "blue": {"blue": (40, 80, 215), "navy": (25, 40, 120), "azure": (45, 140, 240), "cobalt": (30, 70, 185),
             "sapphire": (25, 55, 160), "turquoise": (40, 200, 200), "teal": (20, 130, 135), "cornflower": (100, 145, 235),
             "denim": (60, 95, 150), "indigo": (50, 40, 140), "cyan": (40, 210, 230), "aqua": (90, 220, 210)},
    "purple": {"purple": (135, 45, 170), "violet": (150, 70, 215), "lilac": (195, 160, 225), "lavender": (180, 165, 235),
               "plum": (120, 40, 100), "magenta": (210, 40, 170), "amethyst": (150, 100, 200),
               "orchid": (200, 110, 200), "grape": (110, 50, 130), "mulberry": (140, 50, 110)},
    "pink": {"pink": (245, 140, 180), "rose": (230, 100, 140), "salmon": (245, 140, 120), "coral": (245, 115, 95),
             "fuchsia": (235, 60, 160), "blush": (240, 170, 180),
             "bubblegum": (250, 130, 190), "flamingo": (245, 120, 150)},
    "brown": {"brown": (125, 80, 45), "chocolate": (95, 55, 30), "chestnut": (150, 75, 45), "tan": (205, 165, 115),
              "beige": (225, 205, 165), "caramel": (190, 125, 60), "coffee": (110, 75, 50),
              "walnut": (100, 70, 45), "mahogany": (120, 45, 30), "cinnamon": (170, 95, 50), "khaki": (190, 175, 125),
              "bronze": (170, 115, 50), "hazel": (145, 110, 60)},
    "white": {"white": (245, 245, 240), "ivory": (250, 245, 225), "cream": (245, 235, 205), "pearl": (235, 235, 230), "chalk": (240, 240, 235),
              "alabaster": (245, 242, 235), "linen": (245, 238, 225), "milky": (240, 240, 232)},
    "grey": {"grey": (135, 135, 140), "silver": (190, 192, 198), "slate": (100, 110, 125), "charcoal": (60, 62, 68),
             "ash": (170, 168, 162), "pewter": (140, 145, 150),
             "steel": (115, 125, 140), "stone": (150, 145, 135), "graphite": (75, 78, 85), "smoky": (115, 115, 120)},
    "black": {"black": (25, 25, 28), "ebony": (40, 35, 35), "jet": (15, 15, 20), "coal": (30, 30, 32), "onyx": (20, 22, 25),
              "raven": (25, 25, 35), "sooty": (35, 33, 33)},
}

BASE_OF: dict[str, str] = {shade: base for base, shades in SHADES.items() for shade in shades}
RGB: dict[str, Colour] = {shade: rgb for shades in SHADES.values() for shade, rgb in shades.items()}
BASES: tuple[str, ...] = tuple(SHADES)

# Colours that name a picture's colour (an emoji's): the base words only, each with the few
# tones it covers, so a tan deer is "brown", not "salmon".
NAMING: dict[str, tuple[Colour, ...]] = {
    "red": ((215, 35, 35), (165, 15, 40)), "orange": ((245, 135, 25), (250, 170, 90)),
    "yellow": ((245, 215, 40), (230, 185, 40)), "green": ((45, 165, 55), (140, 210, 50), (20, 100, 40)),
    "blue": ((40, 80, 215), (45, 140, 240), (25, 40, 120), (40, 200, 200)), "purple": ((135, 45, 170), (180, 165, 235)),
    "pink": ((245, 140, 180), (230, 100, 140)),
    "brown": ((125, 80, 45), (95, 55, 30), (205, 165, 115), (170, 115, 60), (185, 110, 50)),
    "white": ((245, 245, 240),), "grey": ((135, 135, 140), (190, 192, 198), (70, 72, 78)), "black": ((25, 25, 28),)}
_NAMING_BASES = [b for b, tones in NAMING.items() for _ in tones]
_NAMING_TABLE = np.array([t for tones in NAMING.values() for t in tones], dtype=np.float32)
_EYE = np.array([3.0, 4.0, 2.0], dtype=np.float32)  # red and green weigh more than blue, as the eye sees


def shade(rng: np.random.Generator, base: str, plain: float = 0.5) -> str:
    """A shade of ``base``: the base itself with probability ``plain``, else another of its shades."""
    names = list(SHADES[base])
    if rng.random() < plain or len(names) == 1:
        return names[0]
    return names[1 + int(rng.integers(len(names) - 1))]


def colour_name(pixels: np.ndarray) -> str:
    """The base colour word most of these pixels (N x 3) look like; vivid pixels count more than greys."""
    px = np.asarray(pixels, dtype=np.float32).reshape(-1, 3)
    if len(px) == 0:
        return "grey"
    nearest = ((px[:, None, :] - _NAMING_TABLE[None]) ** 2 @ _EYE).argmin(axis=1)
    saturation = (px.max(axis=1) - px.min(axis=1)) / np.maximum(px.max(axis=1), 1.0)
    votes = np.bincount(nearest, weights=0.35 + saturation, minlength=len(_NAMING_BASES))
    totals: dict[str, float] = {}
    for base, v in zip(_NAMING_BASES, votes):
        totals[base] = totals.get(base, 0.0) + float(v)
    return max(NAMING, key=lambda b: totals.get(b, 0.0))


def jitter(rgb, rng: np.random.Generator, amount: int = 12) -> Colour:
    """The colour with a little random variation, so no two pictures are exactly alike."""
    return tuple(int(min(255, max(0, c + int(rng.integers(-amount, amount + 1))))) for c in rgb)


def mix(a, b, t: float) -> Colour:
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))
