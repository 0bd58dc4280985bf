"""The one settings object: model choices, paths, device and threads."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from voiceart.errors import VoiceartError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else None


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
    device: str = field(default_factory=lambda: os.environ.get("VOICEART_DEVICE", "auto"))
    threads: int = field(default_factory=lambda: int(os.environ.get("VOICEART_THREADS", "0")) or (os.cpu_count() or 1))
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

    def torch_device(self):
        """CUDA when present (or asked for), else CPU; sets torch's thread count as a side effect."""
        import torch

        torch.set_num_threads(self.threads)
        if self.device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        try:
            device = torch.device(self.device)
        except RuntimeError:
            raise VoiceartError(f"Unknown device '{self.device}'; use cpu, cuda or auto.") from None
        if device.type == "cuda" and not torch.cuda.is_available():
            raise VoiceartError("CUDA was asked for but no usable GPU is present; use --device cpu or auto.")
        return device
