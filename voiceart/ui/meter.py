"""The microphone level meter: a bar on a canvas, redrawn only when the level changes."""
from __future__ import annotations

import tkinter as tk

from voiceart.ui import theme

LOUD = 0.85  # above this the bar turns red: the person is close to clipping


class Meter(tk.Canvas):
    """A horizontal bar from 0 to 1; not focusable (it only shows)."""

    def __init__(self, master: tk.Misc, width: int = 220, height: int = 28):
        super().__init__(master, width=width, height=height, bg=theme.PANEL, highlightthickness=0, bd=0, takefocus=0)
        self._bar = self.create_rectangle(0, 0, 0, height, width=0, fill=theme.METER)
        self.create_rectangle(0, 0, width - 1, height - 1, outline=theme.MUTED)
        self.level = 0.0

    def show(self, level: float) -> None:
        level = min(1.0, max(0.0, float(level)))
        if level == self.level:
            return
        self.level = level
        width = int(self["width"])
        self.coords(self._bar, 0, 0, round(level * width), int(self["height"]))
        self.itemconfigure(self._bar, fill=theme.METER_LOUD if level > LOUD else theme.METER)
