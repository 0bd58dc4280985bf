"""Things drawn from simple shapes: houses, a farmhouse, a castle, a lighthouse, a windmill, a
tower, a church, trees, flowers, a fence, a tent, boats, sailboats, cars and hot air balloons.

Each kind says what it is called, where it may stand, its size and colours; ``draw`` paints one
on the double-size canvas with its base at ``(cx, by)`` and height ``h`` (pixels).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import ImageDraw

from voiceart.text2image.scenes.palette import mix
from voiceart.text2image.scenes.sky import lit


@dataclass(frozen=True)
class Kind:
    """What a caption needs to know of a thing, and where and how big it is drawn."""

    key: str
    nouns: tuple[str, ...]       # singular names; the first is the plain one
    plurals: tuple[str, ...]     # the same names in the plural
    surface: str                 # land, water, road or sky
    height: float                # a medium one at the front, as a share of the picture's height
    aspect: float                # width / height
    colours: tuple[str, ...]     # the base colours it comes in (emoji: the one it has)
    max_count: int
    group: str                   # building, tree, plant, boat, animal, person, food, vehicle, flying
    mass: bool = False           # named only in the plural ("flowers", "cherries")
    emoji: str | None = None     # the emoji image's file name


def _k(key, nouns, surface, height, aspect, colours, max_count, group, plurals=None, mass=False):
    nouns = tuple(nouns.split(","))
    plurals = tuple(plurals.split(",")) if plurals else tuple(n + "s" for n in nouns)
    return Kind(key, nouns, plurals, surface, height, aspect, tuple(colours.split()), max_count, group, mass)


KINDS: dict[str, Kind] = {k.key: k for k in (
    _k("house", "house,cottage,home,cabin,bungalow,dwelling", "land", 0.24, 1.0, "white yellow red blue pink brown grey green orange", 3,
       "building", "houses,cottages,homes,cabins,bungalows,dwellings"),
    _k("farmhouse", "farmhouse,barn,farm building,farmstead,homestead,ranch house", "land", 0.28, 1.3, "red brown white grey", 1, "building"),
    _k("castle", "castle,fortress,fort,citadel,stronghold,palace", "land", 0.38, 1.3, "grey brown white yellow pink", 1, "building",
       "castles,fortresses,forts,citadels,strongholds,palaces"),
    _k("lighthouse", "lighthouse,beacon,light tower,beacon tower", "land", 0.5, 0.34, "red blue black green", 1, "building"),
    _k("windmill", "windmill,mill,wind mill,old mill", "land", 0.44, 0.8, "white brown grey red", 2, "building"),
    _k("tower", "tower,watchtower,stone tower,turret,bell tower", "land", 0.5, 0.34, "grey brown red white", 1, "building"),
    _k("church", "church,chapel,kirk,parish church,steeple church", "land", 0.42, 0.9, "white grey yellow brown red", 1, "building",
       "churches,chapels,kirks,parish churches,steeple churches"),
    _k("tree", "tree,leafy tree,oak tree,round tree,bushy tree,broadleaf tree", "land", 0.32, 0.75, "green orange yellow red pink", 4, "tree"),
    _k("pine", "pine tree,fir tree,spruce,evergreen tree,conifer,christmas tree", "land", 0.36, 0.5, "green", 4, "tree"),
    _k("flowers", "flowers,blossoms,wildflowers,blooms,posies,flowerbeds", "land", 0.1, 2.2, "red yellow white purple pink blue orange", 1,
       "plant", "flowers,blossoms,wildflowers,blooms,posies,flowerbeds", mass=True),
    _k("fence", "fence,wooden fence,picket fence,railing,paling", "land", 0.1, 2.6, "brown white grey", 1, "fence"),
    _k("tent", "tent,camping tent,pup tent,camp tent", "land", 0.15, 1.4, "orange red green blue yellow", 2, "building"),
    _k("boat", "boat,rowing boat,fishing boat,dinghy,skiff,rowboat", "water", 0.1, 2.2, "red blue white yellow green orange brown black",
       3, "boat", "boats,rowing boats,fishing boats,dinghies,skiffs,rowboats"),
    _k("sailboat", "sailboat,sailing boat,yacht,sloop,sailing ship", "water", 0.3, 0.8, "red white blue yellow orange green purple pink",
       2, "boat"),
    _k("car", "car,automobile,sedan,hatchback,motor car", "road", 0.1, 1.9, "red blue white yellow green black orange grey", 2, "vehicle"),
    _k("balloon", "hot air balloon,balloon,air balloon,montgolfier", "sky", 0.15, 0.8, "red yellow blue orange purple green pink", 2, "flying"),
)}


def _window(night: bool, light) -> tuple[int, int, int]:
    """Windows glow yellow at night and are dark by day."""
    return (255, 215, 90) if night else lit((60, 70, 90), light)


@dataclass(frozen=True)
class Pen:
    """Where and how one thing is drawn: its base at (cx, by), its height h, its colours as the light makes them."""

    d: ImageDraw.ImageDraw
    cx: float
    by: float
    h: float
    c: tuple           # its colour
    dark: tuple        # its colour in shade (roofs, doors)
    wood: tuple
    win: tuple         # windows: lit at night
    light: tuple
    night: bool
    rng: object


def _house(p: Pen) -> None:
    d, cx, by, h = p.d, p.cx, p.by, p.h
    c, dark, win, light, rng = p.c, p.dark, p.win, p.light, p.rng
    w = h * 0.95
    wall = h * 0.58
    roof = lit((150, 55, 40) if rng.random() < 0.6 else (80, 80, 88), light)
    d.rectangle((cx - w / 2, by - wall, cx + w / 2, by), fill=c)
    d.polygon([(cx - w * 0.62, by - wall), (cx, by - h), (cx + w * 0.62, by - wall)], fill=roof)
    d.rectangle((cx - w * 0.1, by - wall * 0.5, cx + w * 0.1, by), fill=dark)
    d.rectangle((cx + w * 0.2, by - wall * 0.75, cx + w * 0.38, by - wall * 0.45), fill=win)
    d.rectangle((cx - w * 0.38, by - wall * 0.75, cx - w * 0.2, by - wall * 0.45), fill=win)


def _farmhouse(p: Pen) -> None:
    d, cx, by, h = p.d, p.cx, p.by, p.h
    c, dark, light = p.c, p.dark, p.light
    w = h * 1.3
    wall = h * 0.55
    d.rectangle((cx - w / 2, by - wall, cx + w / 2, by), fill=c)
    d.polygon([(cx - w * 0.55, by - wall), (cx - w * 0.35, by - h * 0.85), (cx, by - h), (cx + w * 0.35, by - h * 0.85),
               (cx + w * 0.55, by - wall)], fill=dark)
    trim = lit((240, 240, 235), light)
    d.rectangle((cx - w * 0.16, by - wall * 0.75, cx + w * 0.16, by), fill=trim)
    d.rectangle((cx - w * 0.12, by - wall * 0.7, cx + w * 0.12, by), fill=dark)


def _castle(p: Pen) -> None:
    d, cx, by, h = p.d, p.cx, p.by, p.h
    c, dark, light = p.c, p.dark, p.light
    w = h * 1.3
    body = h * 0.55
    tw = w * 0.22
    d.rectangle((cx - w / 2 + tw * 0.5, by - body, cx + w / 2 - tw * 0.5, by), fill=c)
    for tx in (cx - w / 2 + tw / 2, cx + w / 2 - tw / 2):
        d.rectangle((tx - tw / 2, by - h * 0.88, tx + tw / 2, by), fill=c)
        d.polygon([(tx - tw * 0.62, by - h * 0.88), (tx, by - h), (tx + tw * 0.62, by - h * 0.88)], fill=dark)
    for k in range(4):
        x = cx - w * 0.25 + k * w * 0.14
        d.rectangle((x, by - body - h * 0.07, x + w * 0.07, by - body), fill=c)
    d.chord((cx - w * 0.1, by - body * 0.55, cx + w * 0.1, by + body * 0.3), 180, 360, fill=lit((45, 35, 30), light))
    d.rectangle((cx - w * 0.1, by - body * 0.13, cx + w * 0.1, by), fill=lit((45, 35, 30), light))


def _lighthouse(p: Pen) -> None:
    d, cx, by, h = p.d, p.cx, p.by, p.h
    c, dark, light, night = p.c, p.dark, p.light, p.night
    wb, wt = h * 0.34, h * 0.22
    top = by - h * 0.8
    white = lit((245, 245, 240), light)
    for k in range(4):
        y0, y1 = by - (k + 1) * (by - top) / 4, by - k * (by - top) / 4
        f0, f1 = (by - y0) / (by - top), (by - y1) / (by - top)
        a, b = wb + (wt - wb) * f0, wb + (wt - wb) * f1
        d.polygon([(cx - b / 2, y1), (cx - a / 2, y0), (cx + a / 2, y0), (cx + b / 2, y1)], fill=c if k % 2 == 0 else white)
    d.rectangle((cx - wt * 0.45, by - h * 0.93, cx + wt * 0.45, top), fill=(255, 225, 110) if night else lit((250, 225, 130), light))
    d.polygon([(cx - wt * 0.6, by - h * 0.93), (cx, by - h), (cx + wt * 0.6, by - h * 0.93)], fill=dark)


def _windmill(p: Pen) -> None:
    d, cx, by, h = p.d, p.cx, p.by, p.h
    c, dark, wood, light, rng = p.c, p.dark, p.wood, p.light, p.rng
    wb, wt = h * 0.42, h * 0.24
    top = by - h * 0.6
    d.polygon([(cx - wb / 2, by), (cx - wt / 2, top), (cx + wt / 2, top), (cx + wb / 2, by)], fill=c)
    d.polygon([(cx - wt * 0.6, top), (cx, top - h * 0.12), (cx + wt * 0.6, top)], fill=dark)
    hub = (cx, top - h * 0.02)
    sail = lit((235, 230, 215), light)
    angle = rng.uniform(0, 90)
    for k in range(4):
        a = math.radians(angle + 90 * k)
        ex, ey = hub[0] + math.cos(a) * h * 0.42, hub[1] + math.sin(a) * h * 0.42
        d.line((hub, (ex, ey)), fill=sail, width=max(2, int(h * 0.09)))
    d.ellipse((hub[0] - h * 0.04, hub[1] - h * 0.04, hub[0] + h * 0.04, hub[1] + h * 0.04), fill=wood)


def _tower(p: Pen) -> None:
    d, cx, by, h = p.d, p.cx, p.by, p.h
    c, dark, win = p.c, p.dark, p.win
    w = h * 0.3
    d.rectangle((cx - w / 2, by - h * 0.8, cx + w / 2, by), fill=c)
    d.polygon([(cx - w * 0.65, by - h * 0.8), (cx, by - h), (cx + w * 0.65, by - h * 0.8)], fill=dark)
    d.rectangle((cx - w * 0.15, by - h * 0.65, cx + w * 0.15, by - h * 0.52), fill=win)


def _church(p: Pen) -> None:
    d, cx, by, h = p.d, p.cx, p.by, p.h
    c, dark, win = p.c, p.dark, p.win
    w = h * 0.9
    body = h * 0.42
    d.rectangle((cx - w / 2, by - body, cx + w * 0.2, by), fill=c)
    d.polygon([(cx - w * 0.56, by - body), (cx - w * 0.15, by - body - h * 0.2), (cx + w * 0.26, by - body)], fill=dark)
    tw = w * 0.3
    tx = cx + w * 0.35
    d.rectangle((tx - tw / 2, by - h * 0.72, tx + tw / 2, by), fill=c)
    d.polygon([(tx - tw * 0.6, by - h * 0.72), (tx, by - h), (tx + tw * 0.6, by - h * 0.72)], fill=dark)
    d.chord((cx - w * 0.3, by - body * 0.6, cx - w * 0.05, by + body * 0.1), 180, 360, fill=win)


def _tree(p: Pen) -> None:
    d, cx, by, h = p.d, p.cx, p.by, p.h
    c, wood = p.c, p.wood
    tw = h * 0.13
    d.rectangle((cx - tw / 2, by - h * 0.45, cx + tw / 2, by), fill=wood)
    r = h * 0.33
    for dx, dy, s in ((0, -h * 0.65, 1.0), (-r * 0.55, -h * 0.52, 0.75), (r * 0.55, -h * 0.52, 0.75)):
        d.ellipse((cx + dx - r * s, by + dy - r * s, cx + dx + r * s, by + dy + r * s), fill=c)


def _pine(p: Pen) -> None:
    d, cx, by, h = p.d, p.cx, p.by, p.h
    c, wood = p.c, p.wood
    tw = h * 0.1
    d.rectangle((cx - tw / 2, by - h * 0.2, cx + tw / 2, by), fill=wood)
    for k, f in enumerate((0.0, 0.27, 0.5)):
        y0 = by - h * 0.15 - f * h
        half = h * (0.27 - 0.05 * k)
        d.polygon([(cx - half, y0), (cx, y0 - h * 0.45), (cx + half, y0)], fill=c)


def _flowers(p: Pen) -> None:
    d, cx, by, h = p.d, p.cx, p.by, p.h
    c, light, rng = p.c, p.light, p.rng
    w = h * 2.2
    stem = lit((50, 130, 45), light)
    for k in range(7):
        x = cx - w / 2 + w * (k + 0.5) / 7 + rng.uniform(-1, 1) * h * 0.1
        top = by - h * rng.uniform(0.55, 0.9)
        d.line((x, by, x, top), fill=stem, width=max(1, int(h * 0.08)))
        r = h * 0.2
        d.ellipse((x - r, top - r, x + r, top + r), fill=c)


def _fence(p: Pen) -> None:
    d, cx, by, h = p.d, p.cx, p.by, p.h
    c = p.c
    w = h * 2.6
    for y in (by - h * 0.75, by - h * 0.35):
        d.rectangle((cx - w / 2, y - h * 0.07, cx + w / 2, y + h * 0.07), fill=c)
    for k in range(6):
        x = cx - w / 2 + w * k / 5
        d.rectangle((x - h * 0.07, by - h, x + h * 0.07, by), fill=c)


def _tent(p: Pen) -> None:
    d, cx, by, h = p.d, p.cx, p.by, p.h
    c, dark = p.c, p.dark
    w = h * 1.4
    d.polygon([(cx - w / 2, by), (cx, by - h), (cx + w / 2, by)], fill=c)
    d.polygon([(cx - w * 0.12, by), (cx, by - h * 0.5), (cx + w * 0.12, by)], fill=dark)


def _boat(p: Pen) -> None:
    d, cx, by, h = p.d, p.cx, p.by, p.h
    c, light = p.c, p.light
    w = h * 2.2
    d.polygon([(cx - w / 2, by - h * 0.55), (cx + w / 2, by - h * 0.55), (cx + w * 0.35, by), (cx - w * 0.35, by)], fill=c)
    d.rectangle((cx - w * 0.15, by - h, cx + w * 0.12, by - h * 0.55), fill=lit((240, 240, 235), light))


def _sailboat(p: Pen) -> None:
    d, cx, by, h = p.d, p.cx, p.by, p.h
    c, wood, light, rng = p.c, p.wood, p.light, p.rng
    w = h * 0.8
    hull = lit((245, 245, 240), light) if rng.random() < 0.5 else lit((60, 45, 40), light)
    d.polygon([(cx - w / 2, by - h * 0.18), (cx + w / 2, by - h * 0.18), (cx + w * 0.35, by), (cx - w * 0.35, by)], fill=hull)
    d.line((cx, by - h * 0.18, cx, by - h), fill=wood, width=max(1, int(h * 0.035)))
    d.polygon([(cx + h * 0.02, by - h), (cx + h * 0.02, by - h * 0.24), (cx + w * 0.48, by - h * 0.24)], fill=c)
    d.polygon([(cx - h * 0.02, by - h * 0.85), (cx - h * 0.02, by - h * 0.24), (cx - w * 0.4, by - h * 0.24)], fill=c)


def _car(p: Pen) -> None:
    d, cx, by, h = p.d, p.cx, p.by, p.h
    c, win, light = p.c, p.win, p.light
    w = h * 1.9
    d.rounded_rectangle((cx - w / 2, by - h * 0.62, cx + w / 2, by - h * 0.15), radius=h * 0.12, fill=c)
    d.polygon([(cx - w * 0.3, by - h * 0.6), (cx - w * 0.18, by - h), (cx + w * 0.2, by - h), (cx + w * 0.32, by - h * 0.6)], fill=c)
    d.polygon([(cx - w * 0.22, by - h * 0.62), (cx - w * 0.14, by - h * 0.9), (cx + w * 0.16, by - h * 0.9), (cx + w * 0.24, by - h * 0.62)], fill=win)
    tyre = lit((25, 25, 25), light)
    for x in (cx - w * 0.3, cx + w * 0.3):
        d.ellipse((x - h * 0.17, by - h * 0.34, x + h * 0.17, by), fill=tyre)


def _balloon(p: Pen) -> None:
    d, cx, by, h = p.d, p.cx, p.by, p.h
    c, wood = p.c, p.wood
    w = h * 0.8
    d.ellipse((cx - w / 2, by - h, cx + w / 2, by - h * 0.28), fill=c)
    d.polygon([(cx - w * 0.42, by - h * 0.5), (cx + w * 0.42, by - h * 0.5), (cx + w * 0.12, by - h * 0.2), (cx - w * 0.12, by - h * 0.2)], fill=c)
    d.rectangle((cx - w * 0.1, by - h * 0.15, cx + w * 0.1, by), fill=wood)


# How each kind is drawn: a table, one function a kind.
_DRAW = {
    "house": _house, "farmhouse": _farmhouse, "castle": _castle, "lighthouse": _lighthouse,
    "windmill": _windmill, "tower": _tower, "church": _church, "tree": _tree, "pine": _pine,
    "flowers": _flowers, "fence": _fence, "tent": _tent, "boat": _boat, "sailboat": _sailboat, "car": _car,
    "balloon": _balloon,
}


def draw(d: ImageDraw.ImageDraw, key: str, cx: float, by: float, h: float, rgb, light, night: bool, rng) -> None:
    _DRAW[key](Pen(d, cx, by, h, lit(rgb, light), lit(mix(rgb, (20, 20, 20), 0.45), light), lit((120, 78, 42), light),
                   _window(night, light), light, night, rng))
