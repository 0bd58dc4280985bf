"""Picture geometry for the window: pure functions on sizes and PIL images, no Tk."""
from __future__ import annotations

from PIL import Image


def fit_size(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """The largest size with ``size``'s aspect ratio that fits in ``box`` (scaling up as well as down)."""
    w, h = size
    bw, bh = max(1, box[0]), max(1, box[1])
    scale = min(bw / w, bh / h)
    return max(1, min(bw, round(w * scale))), max(1, min(bh, round(h * scale)))


def fitted(image: Image.Image, box: tuple[int, int]) -> Image.Image:
    """``image`` scaled to fit ``box``, aspect kept; RGB, ready for a PhotoImage."""
    size = fit_size(image.size, box)
    image = image.convert("RGB")
    if size == image.size:
        return image
    # reducing_gap: a fast box reduction first for big shrinks, then a good filter (a few ms at 1024 px).
    return image.resize(size, Image.BICUBIC, reducing_gap=2.0)


def strip_window(count: int, current: int | None, slots: int) -> range:
    """Which of ``count`` pictures (indices, oldest first) the strip shows in ``slots`` places:
    the newest ones, shifted back just enough to keep ``current`` in view."""
    if count <= slots:
        return range(count)
    start = count - slots
    if current is not None and current < start:
        start = max(0, current - slots // 2)
    return range(start, start + slots)
