"""The one settings object: model choices, paths, device and threads, checked as they are set.

Every value, whether it comes from an environment variable, the command line or code, goes
through :meth:`Settings.__setattr__`, so a wrong one (``VOICEART_THREADS=abc``, ``--max-side -5``,
a cache "folder" that is a file) is one sentence before anything runs, never a crash later.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from voiceart.errors import VoiceartError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# torch starts this many threads without complaint; 99999 crashes it (a segfault, no message).
MAX_THREADS = 256
# Seeds are drawn below 2**31 and accepted below 2**32: numpy, random and torch all take them.
MAX_SEED = 2**32 - 1
# A description is cut to this many characters before it is read: a 15 s utterance is about 250,
# DM-GAN was trained on captions of about 18 words, and reading 10,000 characters took 37 s.
MAX_DESCRIPTION = 300

# name -> (type, lowest, highest, what it is in a sentence)
_LIMITS = {
    "threads": (int, 1, MAX_THREADS, "The number of threads"),
    "max_side": (int, 16, 16384, "The longest side of a picture"),
    "speech_rate": (int, 40, 600, "The speaking rate in words per minute"),
    "silence_tail": (float, 0.05, 10.0, "The silence that ends an utterance (seconds)"),
    "max_utterance": (float, 0.5, 120.0, "The longest utterance (seconds)"),
    "pre_roll": (float, 0.0, 5.0, "The audio kept before speech (seconds)"),
    "vad_threshold": (float, 0.0, 1.0, "The voice activity threshold"),
}
# Folders every command may need, checked when set. The pictures folder is checked when a picture is
# saved: a session starts, and keeps its pictures, even while that folder is wrong.
_FOLDERS = {"cache_dir": "VOICEART_CACHE", "models_dir": "VOICEART_MODELS"}
_DEVICE = re.compile(r"auto|cpu|mps|cuda(:\d+)?")


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else None


def _env_threads() -> int:
    value = os.environ.get("VOICEART_THREADS", "").strip()
    try:
        return int(value or 0)
    except ValueError:
        raise VoiceartError(f"VOICEART_THREADS must be a whole number of threads, not {value!r}.") from None


def check_folder(folder: Path, setting: str = "") -> Path:
    """``folder`` when it is a folder or can become one; a sentence when it or a parent is a file."""
    folder = Path(folder)
    try:
        for place in (folder, *folder.parents):
            if place.exists():
                if not place.is_dir():
                    fix = f"; set {setting} to a folder" if setting else ""
                    raise VoiceartError(f"voiceart cannot write to {folder}: {place} is a file, not a folder{fix}.")
                return folder
    except OSError as exc:  # a name too long, a loop of links, a folder it may not look in
        raise VoiceartError(f"voiceart cannot use {folder}: {exc.strerror or exc}.") from None
    return folder


def check_seed(seed) -> int:
    """A seed as a whole number from 0 to MAX_SEED, or a sentence."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise VoiceartError(f"A seed is a whole number from 0 to {MAX_SEED}, not {seed}.")
    return seed


def cap_description(text: str) -> tuple[str, str | None]:
    """``text`` cut at a word to MAX_DESCRIPTION characters, and a sentence saying so when it was."""
    text = " ".join(str(text).split())
    if len(text) <= MAX_DESCRIPTION:
        return text, None
    cut = text[:MAX_DESCRIPTION + 1].rsplit(" ", 1)[0] if " " in text[:MAX_DESCRIPTION + 1] else text[:MAX_DESCRIPTION]
    return cut, (f"That was {len(text)} characters long; voiceart read only its first {len(cut)}, "
                 f"up to \"{cut.rsplit(' ', 1)[-1]}\".")


def _checked(name: str, value):
    if name in _LIMITS:
        kind, low, high, what = _LIMITS[name]
        if name == "threads" and value == 0 and not isinstance(value, bool):
            value = os.cpu_count() or 1  # 0: every core
        ok = not isinstance(value, bool) and (isinstance(value, int) or kind is float and isinstance(value, float))
        if not ok or not (isinstance(value, int) or math.isfinite(value)) or not low <= value <= high:
            raise VoiceartError(f"{what} must be {'a whole number' if kind is int else 'a number'} from {low:g} "
                                f"to {high:g}, not {value!r}.")
        return kind(value)
    if name in _FOLDERS and value is not None:
        return check_folder(Path(value).expanduser(), _FOLDERS[name])
    if name == "pictures_dir":
        return Path(value).expanduser()
    if name == "device" and (not isinstance(value, str) or not _DEVICE.fullmatch(value.strip().lower())):
        raise VoiceartError(f"Unknown device {value!r}; use cpu, cuda or auto.")
    return value


@dataclass
class Settings:
    """Everything a person or a test may want to change, with defaults that work offline.

    Environment variables ``VOICEART_CACHE``, ``VOICEART_MODELS``, ``VOICEART_PICTURES``,
    ``VOICEART_DEVICE`` and ``VOICEART_THREADS`` override the defaults; the command
    line's options override those.
    """

    cache_dir: Path = field(default_factory=lambda: _env_path("VOICEART_CACHE") or platformdirs.user_cache_path("voiceart"))
    # An extra folder searched first for model files (before the project's models/).
    models_dir: Path | None = field(default_factory=lambda: _env_path("VOICEART_MODELS"))
    pictures_dir: Path = field(default_factory=lambda: _env_path("VOICEART_PICTURES") or platformdirs.user_pictures_path() / "voiceart")
    device: str = field(default_factory=lambda: os.environ.get("VOICEART_DEVICE") or "auto")
    threads: int = field(default_factory=_env_threads)  # 0: every core
    # Explicit weight files; None means "let voiceart.weights find them".
    style_weights: Path | None = None
    # Paintings of the person's own: folders laid out style/genre/, or CSV files (file, style, genre).
    user_paintings: list[Path] = field(default_factory=list)
    # Photos larger than this (longest side, pixels) are scaled down before stylizing.
    max_side: int = 1024
    # Speech recognition: an openai-whisper model name ("base" or "tiny.en" work offline from packaged
    # weights; other names only where a network allows), and an explicit checkpoint that wins over it.
    whisper_model: str = field(default_factory=lambda: os.environ.get("VOICEART_WHISPER", "base"))
    whisper_checkpoint: Path | None = field(default_factory=lambda: _env_path("VOICEART_WHISPER_CHECKPOINT"))
    # "auto": Whisper's encoder computes in bfloat16 on a CPU that does so natively (AVX512-BF16, AMX),
    # about twice as fast; "float32": never (voiceart.speech.transcribe).
    whisper_precision: str = field(default_factory=lambda: os.environ.get("VOICEART_WHISPER_PRECISION") or "auto")
    # Hearing: the microphone (a name, part of a name, or an index; None: the system's default),
    # seconds of silence that end an utterance, the longest utterance, seconds kept before speech
    # starts (so the first syllable survives), and the voice-activity probability that counts as speech.
    input_device: str | int | None = field(default_factory=lambda: os.environ.get("VOICEART_INPUT_DEVICE") or None)
    silence_tail: float = 0.6
    max_utterance: float = 15.0
    pre_roll: float = 0.3
    vad_threshold: float = 0.5
    # Speaking: the loudspeaker (like input_device), words per minute, and an espeak voice (None: its default).
    output_device: str | int | None = field(default_factory=lambda: os.environ.get("VOICEART_OUTPUT_DEVICE") or None)
    speech_rate: int = 175
    voice: str | None = field(default_factory=lambda: os.environ.get("VOICEART_VOICE") or None)
    # Text to image (DM-GAN): a preset (scenes, the model voiceart ships; bird or coco, the released
    # files a person brings; or the name of one trained here) and explicit
    # files that win over the ones voiceart.weights finds for that preset.
    text2image_preset: str = field(default_factory=lambda: os.environ.get("VOICEART_TEXT2IMAGE", "scenes"))
    dmgan_netg: Path | None = None
    dmgan_text_encoder: Path | None = None
    dmgan_captions: Path | None = None

    def __setattr__(self, name: str, value) -> None:
        object.__setattr__(self, name, _checked(name, value))

    def torch_device(self):
        """CUDA when present (or asked for), else CPU; sets torch's thread count as a side effect."""
        import torch

        torch.set_num_threads(self.threads)
        if self.device.strip().lower() == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        try:
            device = torch.device(self.device.strip().lower())
        except RuntimeError:
            raise VoiceartError(f"Unknown device '{self.device}'; use cpu, cuda or auto.") from None
        if device.type == "cuda" and not torch.cuda.is_available():
            raise VoiceartError("CUDA was asked for but no usable GPU is present; use --device cpu or auto.")
        return device
