"""The land below the horizon: the terrain (sea, lake, river, beach, field, meadow, desert, snow
field), what stands along the horizon (mountains, hills, a forest), roads and bridges.

Objects stand in six places: left, middle or right, at the front or at the back. ``surfaces``
says which of them are land, water or road for a given terrain, so a boat is never on a hill.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import ImageDraw

from voiceart.text2image.scenes.palette import RGB, jitter, mix
from voiceart.text2image.scenes.sky import lit

TERRAINS = ("sea", "lake", "river", "beach", "field", "meadow", "desert", "snow field")
BACKDROPS = ("mountains", "hills", "forest")
SLOTS = ("left", "middle", "right")
SLOT_X = {"left": 0.2, "middle": 0.5, "right": 0.8}
DEPTHS = ("back", "front")
DEPTH_SCALE = {"back": 0.6, "front": 1.0}

WATER = (35, 95, 165)
SAND = (232, 205, 145)
SNOW = (238, 242, 250)
# Ground colours: the colour word a caption may use and the colour drawn.
GROUNDS = {"green": (80, 160, 60), "golden": (215, 180, 75), "brown": (130, 92, 55), "white": SNOW,
           "yellow": (225, 190, 115), "orange": (215, 140, 80), "lime": (125, 190, 70)}
ROADS = {"grey": (88, 88, 94), "brown": (160, 128, 88)}
BRIDGES = {"grey": (150, 150, 150), "brown": (125, 80, 45), "red": (190, 45, 40)}


@dataclass(frozen=True)
class Land:
    terrain: str
    ground: str                 # colour word of the land (GROUNDS); the sea has none
    backdrop: str | None        # mountains, hills or forest along the horizon
    backdrop_colour: str        # a palette shade
    snowcaps: bool              # snow on the mountains
    water_slot: str             # where the lake lies, or where the river reaches the front
    road: str | None            # colour of a road to the horizon (grey asphalt, brown dirt)
    bridge: str | None          # colour of a bridge over the river
    flowers: str | None         # colour of the meadow's flowers


def surfaces(land: Land) -> dict[tuple[str, str], str]:
    """(slot, depth) -> 'land', 'water' or 'road'."""
    out = {}
    for slot in SLOTS:
        for depth in DEPTHS:
            kind = "land"
            if land.terrain == "sea":
                kind = "water"
            elif land.terrain == "beach":
                kind = "water" if depth == "back" else "land"
            elif land.terrain == "lake" and slot == land.water_slot and depth == "back":
                kind = "water"
            elif land.terrain == "river" and slot == land.water_slot and depth == "front":
                kind = "water"
            elif land.road and slot == "middle":
                kind = "road"
            out[slot, depth] = kind
    return out


def base_y(depth: str, size: int, horizon: int) -> float:
    """Where things at this depth stand."""
    return horizon + (size - horizon) * (0.82 if depth == "front" else 0.3)


def water_colour(sky_bottom, light) -> tuple[int, int, int]:
    return lit(mix(WATER, sky_bottom, 0.35), light)


def ground_array(arr: np.ndarray, land: Land, horizon: int, sky_bottom, light) -> None:
    """Fill the rows below the horizon of the picture array: hazy at the horizon, full colour in front."""
    size = arr.shape[0]
    colour = water_colour(sky_bottom, light) if land.terrain == "sea" else lit(
        SAND if land.terrain == "beach" else GROUNDS[land.ground], light)
    far = mix(colour, lit(sky_bottom, (1, 1, 1)), 0.3)
    t = np.linspace(0, 1, size - horizon, dtype=np.float32)[:, None]
    column = np.asarray(far, np.float32) * (1 - t) + np.asarray(colour, np.float32) * t
    arr[horizon:] = column[:, None, :].astype(np.uint8)


def draw_backdrop(d: ImageDraw.ImageDraw, land: Land, size: int, horizon: int, sky_bottom, light, rng) -> None:
    if land.backdrop is None:
        return
    colour = lit(mix(RGB[land.backdrop_colour], sky_bottom, 0.25), light)
    if land.backdrop == "mountains":
        n = int(rng.integers(3, 5))
        for i in range(n):
            cx = size * (i + rng.uniform(0.1, 0.9)) / n
            hgt = size * rng.uniform(0.14, 0.28)
            half = hgt * rng.uniform(1.0, 1.5)
            c = jitter(colour, rng, 10)
            d.polygon([(cx - half, horizon + 1), (cx, horizon - hgt), (cx + half, horizon + 1)], fill=c)
            if land.snowcaps:
                f = 0.32
                d.polygon([(cx - half * f, horizon - hgt * (1 - f)), (cx, horizon - hgt),
                           (cx + half * f, horizon - hgt * (1 - f))], fill=lit((245, 245, 250), light))
    elif land.backdrop == "hills":
        n = int(rng.integers(2, 4))
        for i in range(n):
            cx = size * (i + rng.uniform(0.2, 0.8)) / n
            rx, ry = size * rng.uniform(0.3, 0.45), size * rng.uniform(0.07, 0.13)
            d.chord((cx - rx, horizon - ry, cx + rx, horizon + ry), 180, 360, fill=jitter(colour, rng, 12))
    else:  # a forest: a row of pines along the horizon
        x = -size * 0.02
        while x < size * 1.02:
            hgt = size * rng.uniform(0.07, 0.11)
            w = hgt * 0.4
            d.polygon([(x - w, horizon + 1), (x, horizon - hgt), (x + w, horizon + 1)], fill=jitter(colour, rng, 10))
            x += w * rng.uniform(0.9, 1.3)


def river_centre(y: float, size: int, horizon: int, top_x: float, bottom_x: float) -> tuple[float, float]:
    """(centre x, width) of the river at height y: narrow at the horizon, wide in front, with a bend."""
    t = (y - horizon) / (size - horizon)
    x = top_x + (bottom_x - top_x) * t * t + size * 0.06 * np.sin(t * np.pi)
    return x, size * (0.025 + 0.3 * t)


def draw_water_features(d: ImageDraw.ImageDraw, land: Land, size: int, horizon: int, sky_bottom, light, rng) -> None:
    """The lake, river, shore and waves, and the bridge and road over the land."""
    water = water_colour(sky_bottom, light)
    foam = lit((235, 240, 245), light)
    if land.terrain in ("sea", "beach"):
        shore = horizon + (size - horizon) * (0.45 if land.terrain == "beach" else 1.1)
        if land.terrain == "beach":
            points = [(0, size), (0, shore)]
            for i in range(9):
                points.append((size * (i + 1) / 9, shore + size * 0.015 * np.sin(i * 1.7 + rng.uniform(0, 1))))
            points.append((size, size))
            d.rectangle((0, horizon, size, shore + size * 0.02), fill=water)
            d.line(points[1:-1], fill=foam, width=max(2, size // 60))
            d.polygon(points, fill=lit(SAND, light))
        wave = mix(water, foam, 0.35)
        for _ in range(7):
            y = rng.uniform(horizon + 4, min(shore, size) - 4)
            x, w = rng.uniform(0, size), size * rng.uniform(0.05, 0.12) * (y - horizon) / (size - horizon) + 4
            d.line((x - w, y, x + w, y), fill=wave, width=max(1, size // 128))
    elif land.terrain == "lake":
        cx, cy = SLOT_X[land.water_slot] * size, horizon + (size - horizon) * 0.3
        rx, ry = size * 0.27, (size - horizon) * 0.18
        d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=water)
    elif land.terrain == "river":
        top_x, bottom_x = size * 0.5, SLOT_X[land.water_slot] * size
        ys = np.linspace(horizon, size, 12)
        left, right = [], []
        for y in ys:
            x, w = river_centre(y, size, horizon, top_x, bottom_x)
            left.append((x - w / 2, y))
            right.append((x + w / 2, y))
        d.polygon(left + right[::-1], fill=water)
        if land.bridge:
            y = horizon + (size - horizon) * 0.45
            x, w = river_centre(y, size, horizon, top_x, bottom_x)
            colour = lit(BRIDGES[land.bridge], light)
            d.rectangle((x - w * 0.85, y - size * 0.05, x + w * 0.85, y + size * 0.01), fill=colour)
            d.ellipse((x - w * 0.5, y - size * 0.025, x + w * 0.5, y + size * 0.04), fill=water)
            d.rectangle((x - w * 0.9, y - size * 0.06, x + w * 0.9, y - size * 0.045), fill=colour)
    if land.terrain == "meadow" and land.flowers:
        flower = lit(RGB[land.flowers], light)
        for _ in range(40):
            y = rng.uniform(horizon + 3, size)
            x = rng.uniform(0, size)
            r = size * 0.006 * (1 + 2.2 * (y - horizon) / (size - horizon))
            d.ellipse((x - r, y - r, x + r, y + r), fill=flower)
    if land.road:
        vx = size * 0.5
        colour = lit(ROADS[land.road], light)
        d.polygon([(vx - size * 0.01, horizon), (vx + size * 0.01, horizon), (size * 0.69, size), (size * 0.31, size)],
                  fill=colour)
        if land.road == "grey":
            line = lit((240, 240, 235), light)
            for k in range(5):
                t0, t1 = 0.12 + k * 0.18, 0.2 + k * 0.18
                y0, y1 = horizon + (size - horizon) * t0, horizon + (size - horizon) * t1
                w0, w1 = size * 0.004 * (1 + 3 * t0), size * 0.004 * (1 + 3 * t1)
                d.polygon([(vx - w0, y0), (vx + w0, y0), (vx + w1, y1), (vx - w1, y1)], fill=line)
