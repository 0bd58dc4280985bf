"""The sky: a gradient whose colours follow the time of day and the weather, the sun or the moon,
stars, clouds, and the weather drawn over the finished picture (rain, snow, fog, lightning).

All drawing is on the double-size canvas (the builder scales it down, which smooths the edges).
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from voiceart.text2image.scenes.palette import jitter, mix

TIMES = ("dawn", "morning", "noon", "afternoon", "sunset", "dusk", "night")
WEATHERS = ("clear", "cloudy", "overcast", "rainy", "snowy", "foggy", "stormy")

# (top, bottom, colour word) of a clear sky; sunset and dawn come in several colours.
CLEAR_SKIES: dict[str, list[tuple]] = {
    "dawn": [((70, 70, 140), (250, 165, 150), "pink"), ((60, 75, 140), (250, 185, 110), "orange")],
    "morning": [((70, 135, 225), (190, 220, 245), "blue")],
    "noon": [((25, 90, 215), (135, 190, 250), "blue")],
    "afternoon": [((50, 115, 210), (210, 215, 200), "blue")],
    "sunset": [((110, 60, 130), (250, 140, 45), "orange"), ((90, 35, 85), (235, 75, 45), "red"),
               ((115, 80, 165), (250, 145, 170), "pink"), ((70, 60, 140), (250, 200, 90), "golden")],
    "dusk": [((25, 30, 85), (140, 90, 150), "purple")],
    "night": [((5, 8, 25), (25, 35, 80), "dark")],
}
# How bright the land is, per channel, at each time (sunsets are warm, nights dark and blue).
LIGHT = {"dawn": (0.85, 0.75, 0.75), "morning": (1.0, 1.0, 1.0), "noon": (1.05, 1.05, 1.05),
         "afternoon": (1.0, 0.96, 0.88), "sunset": (0.95, 0.7, 0.55), "dusk": (0.55, 0.5, 0.65),
         "night": (0.28, 0.3, 0.45)}
WEATHER_LIGHT = {"clear": 1.0, "cloudy": 0.95, "overcast": 0.8, "rainy": 0.72, "snowy": 0.9, "foggy": 0.9, "stormy": 0.55}
# Weather that covers the sky: the grey it turns to and how far.
GREY_SKIES = {"overcast": ((165, 168, 175), 0.8), "rainy": ((115, 120, 132), 0.85), "snowy": ((205, 208, 218), 0.8),
              "foggy": ((205, 205, 205), 0.75), "stormy": ((55, 58, 72), 0.88)}
SUN_COLOURS = {"dawn": (255, 190, 120), "morning": (255, 240, 180), "noon": (255, 250, 215),
               "afternoon": (255, 228, 140), "sunset": (255, 110, 35)}
DAY_TIMES = ("dawn", "morning", "noon", "afternoon", "sunset")
DARK_TIMES = ("dusk", "night")


def light(time: str, weather: str) -> tuple[float, float, float]:
    w = WEATHER_LIGHT[weather]
    return tuple(c * w for c in LIGHT[time])


def lit(rgb, light_rgb) -> tuple[int, int, int]:
    """A colour as it looks in this light."""
    return tuple(int(min(255, c * l)) for c, l in zip(rgb, light_rgb))


def sky_colours(time: str, weather: str, variant: int) -> tuple[tuple, tuple, str]:
    """(top colour, horizon colour, colour word) of the sky."""
    top, bottom, word = CLEAR_SKIES[time][variant % len(CLEAR_SKIES[time])]
    if weather == "cloudy":
        grey = (200, 200, 205) if time not in DARK_TIMES else (60, 62, 70)
        top, bottom = mix(top, grey, 0.2), mix(bottom, grey, 0.2)
    elif weather in GREY_SKIES:
        grey, amount = GREY_SKIES[weather]
        dark = LIGHT[time][1]
        grey = tuple(int(c * min(1.0, dark)) for c in grey)
        top, bottom = mix(top, grey, amount), mix(bottom, grey, amount)
        word = "dark" if weather == "stormy" or time == "night" else "grey"
    return top, bottom, word


def has_sun(time: str, weather: str) -> bool:
    return time in DAY_TIMES and weather in ("clear", "cloudy", "foggy")


def has_moon(time: str, weather: str) -> bool:
    return time in DARK_TIMES and weather in ("clear", "cloudy")


def has_stars(time: str, weather: str) -> bool:
    return weather == "clear" and time in DARK_TIMES


def has_clouds(weather: str) -> bool:
    return weather in ("cloudy", "overcast", "rainy", "snowy", "stormy")


def gradient(size: int, horizon: int, top, bottom) -> np.ndarray:
    """A size x size x 3 array: the sky from ``top`` to ``bottom`` at the horizon (the rest is filled later)."""
    t = np.clip(np.arange(size, dtype=np.float32) / max(1, horizon), 0, 1)[:, None]
    column = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
    return np.broadcast_to(column[:, None, :], (size, size, 3)).astype(np.uint8)


def sun_position(time: str, size: int, horizon: int, x: float) -> tuple[float, float, float]:
    """(centre x, centre y, radius) of the sun: low and large at dawn and sunset, high at noon."""
    r = size * (0.085 if time in ("dawn", "sunset") else 0.065)
    y = {"dawn": horizon - r * 0.4, "sunset": horizon - r * 0.4, "morning": horizon * 0.45,
         "afternoon": horizon * 0.5, "noon": horizon * 0.22}[time]
    return x * size, y, r


def draw_sun(d: ImageDraw.ImageDraw, time: str, size: int, horizon: int, x: float, weather: str, sky_rgb, rng) -> None:
    cx, cy, r = sun_position(time, size, horizon, x)
    colour = SUN_COLOURS[time]
    if weather == "foggy":
        colour = mix(colour, (230, 230, 225), 0.5)
    glow = mix(colour, (255, 255, 255), 0.3)
    g = r * 1.35
    d.ellipse((cx - g, cy - g, cx + g, cy + g), fill=mix(glow, sky_rgb, 0.6))
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=jitter(colour, rng, 6))


def draw_moon(d: ImageDraw.ImageDraw, size: int, horizon: int, x: float, full: bool, sky_rgb) -> None:
    r = size * 0.055
    cx, cy = x * size, horizon * 0.3
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(240, 238, 215))
    if not full:  # a crescent: the sky's colour bites into the disc
        o = r * 0.55
        d.ellipse((cx - r + o, cy - r - o * 0.3, cx + r + o, cy + r - o * 0.3), fill=sky_rgb)


def draw_stars(d: ImageDraw.ImageDraw, size: int, horizon: int, rng, count: int) -> None:
    for _ in range(count):
        x, y = rng.uniform(0, size), rng.uniform(0, horizon * 0.85)
        r = size * rng.uniform(0.004, 0.009)
        d.ellipse((x - r, y - r, x + r, y + r), fill=(255, 250, 225))


def cloud_colour(time: str, weather: str, sky_bottom) -> tuple[int, int, int]:
    base = {"cloudy": (245, 245, 248), "overcast": (185, 188, 195), "rainy": (95, 100, 112),
            "snowy": (225, 228, 235), "stormy": (40, 42, 52)}[weather]
    if time in ("dawn", "sunset"):
        base = mix(base, sky_bottom, 0.35)
    return tuple(int(c * min(1.0, LIGHT[time][1])) for c in base)


def draw_clouds(d: ImageDraw.ImageDraw, size: int, horizon: int, time: str, weather: str, sky_bottom, rng) -> None:
    """Puffy clouds: a few of them in a cloudy sky, a heavy layer in grey weather."""
    colour = cloud_colour(time, weather, sky_bottom)
    count = int(rng.integers(2, 4)) if weather == "cloudy" else int(rng.integers(4, 7))
    for i in range(count):
        w = size * rng.uniform(0.18, 0.32)
        cx = size * ((i + rng.uniform(0.2, 0.8)) / count)
        cy = horizon * (rng.uniform(0.15, 0.55) if weather == "cloudy" else rng.uniform(0.05, 0.35))
        shade = jitter(colour, rng, 8)
        for _ in range(4):
            ex, ey = cx + rng.uniform(-0.35, 0.35) * w, cy + rng.uniform(-0.12, 0.05) * w
            rx, ry = w * rng.uniform(0.22, 0.36), w * rng.uniform(0.14, 0.22)
            d.ellipse((ex - rx, ey - ry, ex + rx, ey + ry), fill=shade)
        d.rectangle((cx - w * 0.45, cy, cx + w * 0.45, cy + w * 0.12), fill=shade)


def weather_overlay(image: Image.Image, weather: str, time: str, horizon: int, rng) -> Image.Image:
    """Rain, snow, fog or lightning over the whole picture."""
    size = image.size[0]
    if weather == "foggy":
        a = np.asarray(image, dtype=np.float32)
        rows = np.arange(size, dtype=np.float32)
        strength = 0.62 - 0.3 * np.clip(np.abs(rows - horizon) / size * 2.2, 0, 1)
        fog = np.asarray((215, 215, 212), np.float32) * min(1.0, LIGHT[time][1])
        a = a * (1 - strength[:, None, None]) + fog * strength[:, None, None]
        return Image.fromarray(a.astype(np.uint8))
    if weather not in ("rainy", "snowy", "stormy"):
        return image
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    if weather == "snowy":
        for _ in range(90):
            x, y, r = rng.uniform(0, size), rng.uniform(0, size), size * rng.uniform(0.006, 0.012)
            d.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, 230))
    else:
        if weather == "stormy":
            x, y = size * rng.uniform(0.2, 0.8), horizon * 0.2
            points = [(x, y)]
            while y < horizon * 0.95:
                x, y = x + size * rng.uniform(-0.06, 0.06), y + horizon * rng.uniform(0.12, 0.2)
                points.append((x, min(y, horizon)))
            d.line(points, fill=(255, 250, 190, 255), width=max(2, size // 80), joint="curve")
        slant = size * 0.025
        width = max(1, size // 128)
        for _ in range(70 if weather == "rainy" else 100):
            x, y, n = rng.uniform(-slant, size), rng.uniform(-size * 0.05, size), size * rng.uniform(0.05, 0.08)
            d.line((x, y, x + slant, y + n), fill=(205, 210, 225, 150), width=width)
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")
