"""The one place that knows where model files live.

Search order for a model file: an explicit path, the settings' models folder,
the project's models/ folder, files shipped inside installed packages, and the
user's cache. A file that is missing or fails its checksum gives one sentence
naming the command that makes it.
"""
from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from voiceart.config import PROJECT_ROOT, Settings
from voiceart.errors import ModelFileError


@dataclass(frozen=True)
class ModelFile:
    """A model file voiceart knows, with what it is for and how to make it."""

    filename: str
    description: str
    make_command: str
    sha256: str | None = None  # of the file the project ships; None for files that vary
    package: str | None = None  # an installed package that ships the file ...
    package_path: str | None = None  # ... at this path inside it


STYLE_LITE = ModelFile(
    filename="style_magenta_lite.pt",
    description="style transfer weights (Magenta arbitrary stylization, lite)",
    make_command="voiceart convert-style",
    sha256="e5d9108822bfb9ec08b051dc85556b04f0b91c739cb1c07365603531b6c3f570",
)


def package_dir(package: str) -> Path | None:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def candidates(model: ModelFile, settings: Settings) -> list[Path]:
    places = [settings.models_dir, PROJECT_ROOT / "models"]
    paths = [p / model.filename for p in places if p is not None]
    if model.package and model.package_path:
        root = package_dir(model.package)
        if root is not None:
            paths.append(root / model.package_path)
    paths.append(settings.cache_dir / "models" / model.filename)
    return paths


@lru_cache(maxsize=32)
def _sha256(path: Path, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256(path: Path) -> str:
    st = path.stat()
    return _sha256(path, st.st_size, st.st_mtime_ns)


def find(model: ModelFile, settings: Settings, explicit: Path | None = None) -> Path:
    """Path of a usable copy of ``model``, or ModelFileError with a sentence a person can act on."""
    if explicit is not None:
        if not explicit.is_file():
            raise ModelFileError(f"The {model.description} file {explicit} does not exist.")
        return explicit
    damaged = None
    for path in candidates(model, settings):
        if not path.is_file():
            continue
        if model.sha256 is None or sha256(path) == model.sha256:
            return path
        damaged = damaged or path
    if damaged is not None:
        raise ModelFileError(f"The {model.description} at {damaged} is damaged (its checksum is wrong); remake it with: {model.make_command}")
    raise ModelFileError(f"A model file is missing: {model.filename}, the {model.description}; make it with: {model.make_command}")


def load_checkpoint(path: Path, model: ModelFile) -> dict:
    """torch.load with weights_only, turning a damaged file into a plain sentence."""
    import torch

    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a truncated zip, a pickle with foreign objects, a text file...
        raise ModelFileError(f"The {model.description} at {path} cannot be read ({type(exc).__name__}); remake it with: {model.make_command}") from None
