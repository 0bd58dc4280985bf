"""Earcons: five short tones that say what voiceart is doing without words.

- listening: two rising bell notes (G5, D6): "your turn, I am listening"
- heard: one short soft blip gliding up (A5): "I got that"
- working: three soft marimba taps on one note (D5): "busy, please wait"
- done: a bright rising arpeggio (C5 E5 G5 C6): "finished"
- error: two falling, hollow (clarinet-like) notes (E4 to C4): "that did not work"

They differ in rhythm, direction and register, so they can be told apart without looking.
Every note has a raised-cosine attack, an exponential decay and a raised-cosine release that
ends exactly at zero: no clicks. ``tools/make_earcons.py`` writes them to sounds/*.wav (16-bit
mono, 22050 Hz, the synthesizer's rate, so speech and earcons share one output stream rate);
``load`` reads those files and makes a tone afresh when its file is absent (an installed package).
They are played through the voice's one output path: ``Voice.earcon`` (queued) or ``Speaker.earcon``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from voiceart.config import PROJECT_ROOT
from voiceart.speech.audio import read_wav, write_wav

RATE = 22050
NAMES = ("listening", "heard", "working", "done", "error")
SOUNDS_DIR = PROJECT_ROOT / "sounds"
PEAK = 0.5  # about -6 dBFS: clear, never harsh
LOUDNESS = 0.15  # the most RMS an earcon may have

BELL = ((1, 1.0), (2, 0.3), (3, 0.08), (4.2, 0.04))
SOFT = ((1, 1.0), (2, 0.12))
MARIMBA = ((1, 1.0), (4, 0.35), (10, 0.05))
BRIGHT = ((1, 1.0), (2, 0.4), (3, 0.2), (4, 0.1))
HOLLOW = ((1, 1.0), (3, 0.35), (5, 0.15), (7, 0.05))


def _note(freq: float, seconds: float, partials=SOFT, decay: float = 0.12, attack: float = 0.006,
          release: float = 0.02, glide: float = 1.0, rate: int = RATE) -> np.ndarray:
    """One note: ``partials`` (multiple of the frequency, amplitude), gliding by ``glide`` over its length."""
    n = int(round(seconds * rate))
    t = np.arange(n) / rate
    if glide != 1.0:
        phase = 2 * np.pi * freq * seconds / np.log(glide) * (np.power(glide, t / seconds) - 1.0)
    else:
        phase = 2 * np.pi * freq * t
    top = freq * max(glide, 1.0)
    tone = sum(amp * np.sin(mult * phase) for mult, amp in partials if mult * top < 0.45 * rate)
    envelope = np.exp(-t / decay)
    a = max(1, int(attack * rate))
    envelope[:a] *= 0.5 - 0.5 * np.cos(np.pi * np.arange(a) / a)  # starts at exactly 0
    r = max(2, int(release * rate))
    envelope[-r:] *= 0.5 + 0.5 * np.cos(np.pi * np.arange(1, r + 1) / r)  # ends at exactly 0
    return tone * envelope


def _mix(notes: list[tuple[float, np.ndarray]], rate: int = RATE) -> np.ndarray:
    length = max(int(round(at * rate)) + len(x) for at, x in notes)
    out = np.zeros(length)
    for at, x in notes:
        i = int(round(at * rate))
        out[i:i + len(x)] += x
    # Peak at most PEAK, and about equally loud: the long low tones would otherwise sound loudest.
    scale = min(PEAK / np.max(np.abs(out)), LOUDNESS / np.sqrt(np.mean(out ** 2)))
    return (out * scale).astype(np.float32)


def synthesize(name: str) -> np.ndarray:
    """The earcon ``name`` as float32 samples at ``RATE``, made afresh (deterministic)."""
    if name == "listening":
        return _mix([(0.0, _note(783.99, 0.16, BELL, decay=0.1)), (0.08, _note(1174.66, 0.2, BELL, decay=0.09))])
    if name == "heard":
        return _mix([(0.0, _note(880.0, 0.09, SOFT, decay=0.05, attack=0.004, glide=1.06))])
    if name == "working":
        return _mix([(at, _note(587.33, 0.1, MARIMBA, decay=0.035, attack=0.003)) for at in (0.0, 0.11, 0.22)])
    if name == "done":
        notes = [(0.0, 523.25, 0.12), (0.07, 659.25, 0.12), (0.14, 783.99, 0.12), (0.21, 1046.5, 0.3)]
        return _mix([(at, _note(f, length, BRIGHT, decay=0.09 if length < 0.2 else 0.12)) for at, f, length in notes])
    if name == "error":
        return _mix([(0.0, _note(329.63, 0.18, HOLLOW, decay=0.15, attack=0.01)),
                     (0.16, _note(261.63, 0.26, HOLLOW, decay=0.14, attack=0.01))])
    raise ValueError(f"unknown earcon '{name}'; the earcons are {', '.join(NAMES)}")


def path(name: str) -> Path:
    if name not in NAMES:
        raise ValueError(f"unknown earcon '{name}'; the earcons are {', '.join(NAMES)}")
    return SOUNDS_DIR / f"{name}.wav"


def load(name: str) -> tuple[np.ndarray, int]:
    """(float32 samples, rate) of an earcon: its file in sounds/, or made afresh when that is absent."""
    file = path(name)
    if file.is_file():
        return read_wav(file)
    return synthesize(name), RATE


def write_all(folder: Path = SOUNDS_DIR) -> list[Path]:
    """Write every earcon as a 16-bit mono wav file into ``folder``."""
    folder = Path(folder)
    return [write_wav(folder / f"{name}.wav", synthesize(name), RATE) for name in NAMES]
