"""A scene as data: time, weather, land and the groups of things in it, sampled from a seeded RNG.

The drawing and the captions both read this one description, so a caption says only what the
picture shows. Every scene has a subject: one kind of thing (drawn uniformly from the subject
kinds, so each kind gets as many pictures as any other) standing large at the front, at least a
third of the picture's height, so that a generator can learn what it looks like; zero to two
smaller things keep the colour, count and position words of the captions varied.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voiceart.text2image.scenes import sky
from voiceart.text2image.scenes.land import DEPTHS, SLOTS, Land, surfaces
from voiceart.text2image.scenes.palette import shade
from voiceart.text2image.scenes.things import KINDS, Kind

WEATHER_WEIGHTS = {"clear": 0.3, "cloudy": 0.2, "overcast": 0.1, "rainy": 0.1, "snowy": 0.1, "foggy": 0.1, "stormy": 0.1}
# How often each group of things is chosen (before checking there is room for it).
GROUP_WEIGHTS = {"building": 0.24, "tree": 0.13, "boat": 0.16, "plant": 0.05, "fence": 0.02, "animal": 0.16,
                 "person": 0.07, "food": 0.04, "vehicle": 0.07, "flying": 0.06}
SIZES = ("small", "medium", "large")
SIZE_SCALE = {"small": 0.72, "medium": 1.0, "large": 1.3}
SUBJECT_HEIGHT = (0.36, 0.56)   # the subject's height as a share of the picture's
SUBJECT_ROOM = 0.9             # the width the subject may take, as a share of the picture's
SUBJECT_LARGE = 0.47            # a subject at least this tall is called "large", a smaller one "medium"
OTHERS = {0: 0.4, 1: 0.4, 2: 0.2}   # how many smaller things join the subject
# Terrains where a subject of each surface can stand at the front (or on the lake's water).
SUBJECT_TERRAINS = {"water": ("sea", "lake", "river"), "road": ("field", "meadow", "desert", "snow field"),
                    "land": ("lake", "river", "beach", "field", "meadow", "desert", "snow field")}


@dataclass(frozen=True)
class Group:
    """One or more things of one kind, colour and size, at one place."""

    kind: Kind
    colour: str   # a palette shade
    count: int
    size: str     # small, medium, large
    slot: str     # left, middle, right
    depth: str    # back, front, or sky
    height: float = 0.0   # a subject's height as a share of the picture's; 0: from its kind, size and depth


@dataclass(frozen=True)
class Scene:
    time: str
    weather: str
    sky_variant: int
    horizon: float                 # share of the picture's height
    land: Land
    celestial: str | None          # sun, full moon, crescent moon
    celestial_slot: str
    groups: tuple[Group, ...]
    seed: int                      # the drawing's own small variations

    @property
    def sky_word(self) -> str:
        return sky.sky_colours(self.time, self.weather, self.sky_variant)[2]


def _pick(rng: np.random.Generator, options, weights=None):
    options = list(options)
    if weights is None:
        return options[int(rng.integers(len(options)))]
    p = np.asarray(weights, dtype=np.float64)
    return options[int(rng.choice(len(options), p=p / p.sum()))]


def is_subject(kind: Kind) -> bool:
    """Flowers and fences are too low to be a picture's subject."""
    return not kind.mass and kind.group != "fence"


def sample_land(rng: np.random.Generator, weather: str, surface: str | None = None) -> Land:
    """A land where a subject standing on ``surface`` has its place (any land when None)."""
    snowy = weather == "snowy"
    terrains = ("sea", "lake", "river", "beach", "snow field", "field") if snowy else \
        ("sea", "lake", "river", "beach", "field", "meadow", "desert", "snow field")
    if surface in SUBJECT_TERRAINS:
        terrains = tuple(t for t in terrains if t in SUBJECT_TERRAINS[surface])
    terrain = _pick(rng, terrains)
    ground = {"field": _pick(rng, ("green", "golden", "brown", "lime")), "meadow": _pick(rng, ("green", "lime")),
              "desert": _pick(rng, ("yellow", "orange")), "snow field": "white", "beach": "yellow", "sea": "blue",
              "lake": "green", "river": "green"}[terrain]
    if snowy and terrain in ("field", "lake", "river"):
        ground = "white"
    backdrops = {"sea": (None, "mountains"), "desert": (None, "mountains", "hills"), "snow field": (None, "mountains", "forest")}
    backdrop = _pick(rng, backdrops.get(terrain, (None, "mountains", "hills", "forest")))
    if backdrop == "mountains":
        colour = shade(rng, _pick(rng, ("grey", "blue", "purple", "brown")), 0.6)
    elif backdrop == "hills":
        colour = shade(rng, "orange" if terrain == "desert" else _pick(rng, ("green", "green", "brown")), 0.6)
    else:
        colour = _pick(rng, ("green", "olive", "emerald", "orange" if not snowy else "green"))
    snowcaps = backdrop == "mountains" and (snowy or terrain == "snow field" or rng.random() < 0.4)
    road = _pick(rng, ("grey", "brown")) if terrain in ("field", "meadow", "desert", "snow field") and \
        (surface == "road" or rng.random() < 0.3) else None
    bridge = _pick(rng, ("grey", "brown", "red")) if terrain == "river" and rng.random() < 0.5 else None
    flowers = _pick(rng, ("yellow", "white", "red", "purple", "pink", "blue")) if terrain == "meadow" else None
    return Land(terrain, ground, backdrop, colour, snowcaps, _pick(rng, SLOTS), road, bridge, flowers)


def _subject_place(rng: np.random.Generator, kind: Kind, free: dict) -> tuple[str, str]:
    """Where the subject stands: at the front where its surface is there, else on the lake's water at the back."""
    surface_ok = {"road": ("road",)}.get(kind.surface, (kind.surface,))
    places = [p for p, s in free.items() if s in surface_ok]
    front = [p for p in places if p[1] in ("front", "sky")]
    return _pick(rng, sorted(front or places))


def sample_scene(rng: np.random.Generator, extra_kinds: list[Kind] = ()) -> Scene:
    """A random scene with a subject; ``extra_kinds`` (emoji) join the drawn things."""
    time = _pick(rng, sky.TIMES)
    weather = _pick(rng, WEATHER_WEIGHTS, list(WEATHER_WEIGHTS.values()))
    variant = int(rng.integers(len(sky.CLEAR_SKIES[time])))
    kinds = list(KINDS.values()) + list(extra_kinds)
    subject = _pick(rng, [k for k in kinds if is_subject(k)])
    land = sample_land(rng, weather, subject.surface)
    celestial = None
    if sky.has_sun(time, weather):
        celestial = "sun"
    elif sky.has_moon(time, weather):
        celestial = _pick(rng, ("full moon", "crescent moon"))
    celestial_slot = _pick(rng, SLOTS)
    where = surfaces(land)
    free = {(s, d): where[s, d] for s in SLOTS for d in DEPTHS}
    free.update({(s, "sky"): "sky" for s in SLOTS if not (celestial and s == celestial_slot)})
    slot, depth = _subject_place(rng, subject, free)  # the land was chosen so that there is a place
    def tallest(n: int) -> float:  # n things side by side still fit the picture's width
        return SUBJECT_ROOM / (n * subject.aspect * 1.1)

    count = 2 if subject.max_count > 1 and tallest(2) >= SUBJECT_HEIGHT[0] and rng.random() < 0.2 else 1
    height = float(rng.uniform(SUBJECT_HEIGHT[0], max(SUBJECT_HEIGHT[0], min(SUBJECT_HEIGHT[1], tallest(count)))))
    colour = shade(rng, _pick(rng, subject.colours), 0.5) if subject.emoji is None else subject.colours[0]
    groups = [Group(subject, colour, count, "large" if height >= SUBJECT_LARGE else "medium", slot, depth, height)]
    for place in [p for p in free if p[0] == slot]:   # nothing else in the subject's column: it stays readable
        del free[place]
    by_group: dict[str, list[Kind]] = {}
    for k in kinds:
        if k is not subject:
            by_group.setdefault(k.group, []).append(k)
    wanted = 1 + _pick(rng, OTHERS, list(OTHERS.values()))
    for _ in range(30):
        if len(groups) == wanted:
            break
        names = [g for g in GROUP_WEIGHTS if g in by_group]
        group = _pick(rng, names, [GROUP_WEIGHTS[g] for g in names])
        kind = _pick(rng, by_group[group])
        surface_ok = {"road": ("road", "land")}.get(kind.surface, (kind.surface,))
        places = [p for p, s in free.items() if s in surface_ok]
        if any(g.kind.key == kind.key for g in groups) or not places or \
                (kind.surface == "sky" and any(g.depth == "sky" for g in groups)):
            continue
        slot, depth = _pick(rng, sorted(places))
        count = 1 if kind.mass else int(min(kind.max_count, _pick(rng, (1, 2, 3), (0.55, 0.3, 0.15))))
        colour = shade(rng, _pick(rng, kind.colours), 0.5) if kind.emoji is None else kind.colours[0]
        groups.append(Group(kind, colour, count, _pick(rng, ("small", "medium"), (0.5, 0.5)), slot, depth))
        del free[slot, depth]
    return Scene(time, weather, variant, float(rng.uniform(0.42, 0.56)), land, celestial, celestial_slot,
                 tuple(groups), int(rng.integers(2**31)))
