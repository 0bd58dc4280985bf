"""What flows in and out of the session: plain data, no behaviour.

The session is pure: :class:`Heard` commands and finished jobs come in, :class:`Say`, :class:`Run`,
:class:`Keep` and :class:`Show` actions go out. The app carries the actions out (speaks, runs the
stages off the Tk thread, writes files, updates the window) and feeds back what happened. The
window and the demo only ever see a :class:`View`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from PIL import Image

from voiceart.vocabulary import Command
from voiceart.text2image.bridge import Bridged


class State(Enum):
    ASLEEP = "asleep"
    DESCRIBING = "waiting for a description"
    DRAWING = "drawing"
    CHOOSING = "choosing a style"
    STYLING = "styling"
    SHOWING = "showing"


@dataclass(frozen=True)
class Picture:
    """One picture the session made; every one is kept in the history until the session ends."""

    number: int  # 1, 2, ... in the order they were made
    image: Image.Image = field(repr=False, compare=False)
    description: str
    genre: str | None = None
    style: str | None = None  # None: the drawn picture itself
    painting_id: str | None = None
    painting_credit: str | None = None  # "Title by Artist, date"
    painting_licence: str | None = None
    strength: float | None = None
    seed: int = 0
    source: int | None = None  # number of the drawn picture a styled one repaints
    word_changes: str = ""  # words of the description drawn as others or left out: "ocean -> sea; left out: zorblax"

    def metadata(self) -> dict[str, str]:
        """PNG text chunks: what was said, what was made from it, and alt text."""
        meta = {"Software": "voiceart", "Description": self.description, "alt": self.description,
                "seed": str(self.seed), "picture": str(self.number)}
        for key in ("genre", "style", "painting_id", "painting_credit", "painting_licence", "word_changes"):
            value = getattr(self, key)
            if value:
                meta[key] = value
        if self.strength is not None:
            meta["strength"] = f"{self.strength:g}"
        return meta


# --- jobs: the slow work the app runs off the Tk thread, each answered by a Done or Failed event ---

@dataclass(frozen=True)
class Draw:
    """Draw the description, then work out its genre and the styles to recommend."""

    job: int
    description: str
    seed: int


@dataclass(frozen=True)
class Drawn:
    job: int
    image: Image.Image = field(repr=False)
    unknown_words: tuple[str, ...]
    genre: str
    styles: tuple[str, ...]  # recommended, best first
    sentence: str  # the spoken recommendation
    said: Bridged | None = None  # how the description reached the model: words drawn as others, words left out


@dataclass(frozen=True)
class Stylize:
    """Repaint ``image`` with a painting of ``style``: ``painting_id`` to reuse one (stronger,
    weaker), else a new pick by ``seed`` that is not ``exclude``."""

    job: int
    image: Image.Image = field(repr=False)
    style: str
    strength: float
    seed: int
    painting_id: str | None = None
    exclude: str | None = None


@dataclass(frozen=True)
class Stylized:
    job: int
    image: Image.Image = field(repr=False)
    style: str
    painting_id: str
    painting_credit: str
    painting_licence: str


@dataclass(frozen=True)
class Save:
    """Write a picture to the person's pictures folder (the answer is :class:`Saved`)."""

    job: int
    picture: Picture


@dataclass(frozen=True)
class Saved:
    job: int
    path: Path


@dataclass(frozen=True)
class Failed:
    """A job went wrong; ``message`` is one plain sentence to say and show."""

    job: int
    message: str


# --- events into the session ---

@dataclass(frozen=True)
class Heard:
    """An understood utterance, a key or a button (keys and buttons send the same commands)."""

    command: Command
    text: str = ""  # what was heard, shown in the window ("" for keys)


@dataclass(frozen=True)
class Problem:
    """Something outside the session went wrong (no microphone, a model file): say it, go on."""

    message: str


Event = Heard | Problem | Drawn | Stylized | Saved | Failed


# --- actions out of the session ---

@dataclass(frozen=True)
class Say:
    text: str
    earcon: str | None = None  # one of sounds/: listening, heard, working, done, error


@dataclass(frozen=True)
class Run:
    job: Draw | Stylize | Save


@dataclass(frozen=True)
class Keep:
    """Write a new picture to the session folder at once, so a crash loses nothing."""

    picture: Picture


@dataclass(frozen=True)
class View:
    """Everything the window shows; the window draws it and nothing else."""

    state: State
    heard: str = ""  # the last thing heard
    message: str = ""  # the last thing said
    busy: str = ""  # "Drawing a lighthouse ..." while a job runs, else ""
    picture: Picture | None = None  # the current picture
    styles: tuple[str, ...] = ()  # the numbered choices (1-based on screen)
    history: tuple[Picture, ...] = ()  # every picture of the session, oldest first
    commands: tuple[str, ...] = ()  # what can be said now (for help and the buttons)


@dataclass(frozen=True)
class Show:
    view: View


Action = Say | Run | Keep | Show
