"""Draw a scene: sky, sun or moon, land, things, weather, on a double-size canvas scaled down
(the scaling smooths every edge)."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from voiceart.text2image.scenes import emoji, land as landmod, sky, things
from voiceart.text2image.scenes.land import DEPTH_SCALE, SLOT_X, base_y, river_centre
from voiceart.text2image.scenes.palette import RGB, jitter
from voiceart.text2image.scenes.spec import SIZE_SCALE, SUBJECT_ROOM, Group, Scene


def _paste_emoji(canvas: Image.Image, path: str, cx: float, by: float, h: float, light, flip: bool) -> None:
    px = max(4, int(round(h)))
    image = emoji.picture(path, px)
    if flip:
        image = image.transpose(Image.FLIP_LEFT_RIGHT)
    if light != (1.0, 1.0, 1.0):
        a = np.asarray(image).astype(np.float32)
        a[..., :3] = np.minimum(255, a[..., :3] * np.asarray(light, np.float32))
        image = Image.fromarray(a.astype(np.uint8), "RGBA")
    canvas.paste(image, (int(round(cx - image.width / 2)), int(round(by - px))), image)


def _group_places(group: Group, scene: Scene, size: int, horizon: int, rng) -> list[tuple[float, float, float]]:
    """(centre x, base y, height) of each thing of the group."""
    kind = group.kind
    if group.depth == "sky":
        scale, by = 1.0, horizon * rng.uniform(0.45, 0.7)
    else:
        scale, by = DEPTH_SCALE[group.depth], base_y(group.depth, size, horizon) + size * rng.uniform(-0.02, 0.02)
    h = size * (group.height or kind.height * SIZE_SCALE[group.size] * scale)
    if group.depth == "sky":   # a tall thing in the sky still fits below the top
        by = max(by, h + size * 0.03)
    cx = SLOT_X[group.slot] * size + size * rng.uniform(-0.03, 0.03)
    terrain = scene.land.terrain
    if group.depth != "sky" and kind.surface == "water" and terrain == "river":
        cx = river_centre(by, size, horizon, size * 0.5, SLOT_X[scene.land.water_slot] * size)[0]
    elif group.depth != "sky" and kind.surface == "water" and terrain == "lake":
        cx = SLOT_X[scene.land.water_slot] * size
    w = h * kind.aspect
    room = size * (SUBJECT_ROOM if group.height else 0.3)
    n = group.count
    if n * w * 1.1 > room:  # several things shrink to fit their place
        f = room / (n * w * 1.1)
        h, w = h * f, w * f
    step = w * 1.1
    if group.height:  # a subject stays whole inside the picture
        half = (n - 1) * step / 2 + w / 2
        cx = min(max(cx, half), size - half)
    return [(cx + (i - (n - 1) / 2) * step, by + (rng.uniform(-0.01, 0.01) * size if n > 1 else 0), h) for i in range(n)]


def render(scene: Scene, size: int) -> Image.Image:
    """The scene as a ``size`` x ``size`` RGB picture."""
    rng = np.random.default_rng(scene.seed)
    s = size * 2
    horizon = int(round(scene.horizon * s))
    top, bottom, _ = sky.sky_colours(scene.time, scene.weather, scene.sky_variant)
    light = sky.light(scene.time, scene.weather)
    arr = sky.gradient(s, horizon, jitter(top, rng, 8), jitter(bottom, rng, 8)).copy()
    landmod.ground_array(arr, scene.land, horizon, bottom, light)
    ground = Image.fromarray(arr[horizon:])
    canvas = Image.fromarray(arr)
    d = ImageDraw.Draw(canvas)
    if sky.has_stars(scene.time, scene.weather):
        sky.draw_stars(d, s, horizon, rng, 30 if scene.time == "night" else 8)
    x = SLOT_X[scene.celestial_slot]
    if scene.celestial == "sun":
        sky.draw_sun(d, scene.time, s, horizon, x, scene.weather, bottom, rng)
    elif scene.celestial:
        sky.draw_moon(d, s, horizon, x, scene.celestial == "full moon", tuple(int(c) for c in arr[int(horizon * 0.3), 0]))
    if sky.has_clouds(scene.weather):
        sky.draw_clouds(d, s, horizon, scene.time, scene.weather, bottom, rng)
    canvas.paste(ground, (0, horizon))
    landmod.draw_backdrop(d, scene.land, s, horizon, bottom, light, rng)
    landmod.draw_water_features(d, scene.land, s, horizon, bottom, light, rng)
    night = scene.time in ("dusk", "night")
    order = {"sky": 0, "back": 1, "front": 2}
    for group in sorted(scene.groups, key=lambda g: (order[g.depth], g.height > 0)):  # the subject over the rest
        for cx, by, h in _group_places(group, scene, s, horizon, rng):
            if group.kind.emoji:
                _paste_emoji(canvas, group.kind.emoji, cx, by, h, light, bool(rng.random() < 0.5))
            else:
                things.draw(d, group.kind.key, cx, by, h, jitter(RGB[group.colour], rng, 10), light, night, rng)
    canvas = sky.weather_overlay(canvas, scene.weather, scene.time, horizon, rng)
    return canvas.reduce(2)
