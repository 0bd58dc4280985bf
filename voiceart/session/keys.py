"""The keys: every action of the window has one, and each sends the same command a voice would.

This is the one list of keys (docs/commands.md shows it; a test keeps the two in step). Names
are Tk keysyms as ``event.keysym`` gives them. Space is not a command: it is push to talk.
"""
from __future__ import annotations

from voiceart.vocabulary import Command

PUSH_TO_TALK = "space"

KEYS: dict[str, Command] = {
    **{str(n): Command("choose", str(n)) for n in range(1, 10)},
    "a": Command("again"),
    "l": Command("styles"),
    "s": Command("save"),
    "u": Command("undo"),
    "r": Command("redo"),
    "plus": Command("stronger"),
    "KP_Add": Command("stronger"),
    "minus": Command("weaker"),
    "KP_Subtract": Command("weaker"),
    "n": Command("new"),
    "p": Command("repeat"),
    "h": Command("help"),
    "z": Command("sleep"),
    "w": Command("wake"),
    "Escape": Command("cancel"),
}

_LABELS = {"Escape": "Esc", "plus": "+", "minus": "-", "KP_Add": "keypad +", "KP_Subtract": "keypad -", "space": "Space"}


def label(key: str) -> str:
    """How a key is written on a button or in a tooltip: "Esc", "+", "S"."""
    return _LABELS.get(key, key.upper())


def key_for(command: str) -> str | None:
    """The first key that sends ``command`` (a grammar command name), for a button's tooltip."""
    return next((key for key, sent in KEYS.items() if sent.name == command), None)
