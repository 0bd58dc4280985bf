"""The buttons: each is a grammar command with the key the session's key table gives it and the
words that say it, so a button, its key and its voice command can never disagree."""
from __future__ import annotations

from dataclasses import dataclass

from voiceart.session.keys import KEYS, PUSH_TO_TALK, key_for, label
from voiceart.vocabulary import SPOKEN, Command

TALK = "talk"  # not a command: it asks the app to listen now (push to talk)

# Command buttons in the order Tab visits them, with what they read.
LABELS = {"again": "Again", "save": "Save", "undo": "Undo", "redo": "Redo", "stronger": "Stronger",
          "weaker": "Weaker", "styles": "Other styles", "new": "New picture", "help": "Help", "cancel": "Cancel"}


@dataclass(frozen=True)
class Control:
    name: str  # a grammar command name, TALK, or "choose N"
    command: Command | None  # what the button sends (None for TALK)
    label: str  # the button's text, with its key
    tip: str  # the tooltip: the words to say and the key


def _tip(said: str, key: str | None) -> str:
    return f"Say \u201c{said}\u201d" + (f" or press {label(key)}" if key else "")


def talk_control() -> Control:
    return Control(TALK, None, f"Talk ({label(PUSH_TO_TALK)})",
                   f"Press {label(PUSH_TO_TALK)} or this button, then speak: voiceart listens for one utterance")


def command_controls() -> tuple[Control, ...]:
    """The command buttons, each with the key the session's key table gives its command."""
    made = []
    for name, text in LABELS.items():
        key = key_for(name)
        made.append(Control(name, Command(name), f"{text} ({label(key)})" if key else text, _tip(SPOKEN[name], key)))
    return tuple(made)


def choice_control(number: int, style: str) -> Control:
    """The button for the ``number``-th recommended style (1-based): it sends what its number key sends."""
    key = str(number) if str(number) in KEYS else None
    command = KEYS[key] if key else Command("choose", str(number))
    return Control(f"choose {number}", command, f"{number}  {style}",
                   f"Say \u201c{style}\u201d or \u201cnumber {number}\u201d" + (f" or press {label(key)}" if key else ""))
