"""Colours and fonts: dark background, light text, large type, a bright focus ring.

Contrast (WCAG ratio) on BACKGROUND: TEXT 17:1, MUTED 10:1, ACCENT 13:1; on BUTTON: TEXT 11:1,
MUTED (a button not usable now) 7:1. Every label is at or above WCAG AAA's 7:1, and the focus ring
cannot be missed.
"""
from __future__ import annotations

import tkinter as tk
import tkinter.font as tkfont

BACKGROUND = "#101418"
PANEL = "#1b2229"  # the picture area and the thumbnail strip
TEXT = "#f4f4f4"
MUTED = "#b9c3cc"
ACCENT = "#ffd23f"  # focus ring, the current picture, the meter's peak
BUTTON = "#2a3540"
BUTTON_ACTIVE = "#3d4d5c"
METER = "#56d364"
METER_LOUD = "#ff7b72"

FOCUS_RING = 4  # pixels
FAMILY = "DejaVu Sans"

# Sizes in pixels (negative in Tk), so they do not depend on the screen's reported resolution.
FONT_SIZES = {"heard": 30, "status": 24, "body": 22, "button": 20, "small": 18}


def fonts(root: tk.Misc) -> dict[str, tkfont.Font]:
    """The window's fonts, DejaVu Sans where installed (tools/setup.sh installs it), else Tk's default."""
    family = FAMILY if FAMILY in tkfont.families(root) else tkfont.nametofont("TkDefaultFont", root).actual("family")
    made = {name: tkfont.Font(root, family=family, size=-size) for name, size in FONT_SIZES.items()}
    made["heard"].configure(weight="bold")
    made["status"].configure(weight="bold")
    return made


def focusable(**options) -> dict:
    """Options that give a widget the bright focus ring and the dark look (Tk's own rule for
    takefocus stays, so Tab skips a disabled button)."""
    return {"highlightthickness": FOCUS_RING, "highlightcolor": ACCENT, "highlightbackground": BACKGROUND, **options}


def button_options(font: tkfont.Font) -> dict:
    return focusable(font=font, bg=BUTTON, fg=TEXT, activebackground=BUTTON_ACTIVE, activeforeground=TEXT,
                     disabledforeground=MUTED, relief="flat", bd=0, padx=14, pady=8, cursor="hand2")
