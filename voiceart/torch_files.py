"""Reading and writing PyTorch files, with the same plain sentence for each way a file can be wrong.

Every model file and tensor cache voiceart reads goes through ``load``: ``torch.load`` with
``weights_only=True`` (no code inside a file can run), on the CPU. A file that is missing, cannot be
read, or holds numbers that are not finite (NaN weights draw a black picture and say nothing) is a
ModelFileError naming the file and what to do. ``load_state_dict`` also takes the usual variations of
a bare state dict (wrapped as ``{"state_dict": ...}``, keys prefixed ``module.`` by nn.DataParallel);
``load_strict`` fits one into a network and names the first tensor that does not fit. ``save`` writes
whole or not at all, with the umask's permissions (``voiceart.files``).
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import torch
from torch import nn

from voiceart.errors import ModelFileError
from voiceart.files import atomic_write


def load(path: Path, description: str, fix: str, mmap: bool = False):
    """What ``torch.save`` wrote to ``path``, checked. ``description`` names the file in sentences
    ("DM-GAN generator"), ``fix`` says what to do about a bad one ("remake it with: ...").
    ``mmap``: tensors are pages of the file, read when touched (torch's zip format only; others are read)."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"The {description} file {path} does not exist.")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True, mmap=mmap and zipfile.is_zipfile(path))
    except Exception as exc:  # a truncated zip, a pickle with foreign objects, a text file ...
        raise ModelFileError(f"The {description} file {path} cannot be read as PyTorch weights "
                             f"({type(exc).__name__}); {fix}.") from None
    check_finite(data, f"The {description} file {path}", fix)
    return data


def load_state_dict(path: Path, description: str, fix: str) -> dict[str, torch.Tensor]:
    """A state dict of tensors from ``path`` (see ``load``), unwrapped from the common wrappers."""
    data = load(path, description, fix)
    if isinstance(data, dict) and isinstance(data.get("state_dict"), dict):
        data = data["state_dict"]
    if not isinstance(data, dict) or not all(isinstance(v, torch.Tensor) for v in data.values()):
        raise ModelFileError(f"The {description} file {path} is not a state dict of tensors; {fix}.")
    if data and all(k.startswith("module.") for k in data):
        data = {k[len("module."):]: v for k, v in data.items()}
    return dict(data)


def check_finite(data, what: str, fix: str) -> None:
    """Refuse weights holding NaN or infinity as damaged. ``data``: a tensor, or dicts and lists of
    them; ``what`` names the file, ``fix`` what to do."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, torch.Tensor) and item.is_floating_point() and not torch.isfinite(item).all():
            raise ModelFileError(f"{what} is damaged: it holds numbers that are not finite; {fix}.")


def load_strict(module: nn.Module, state: dict[str, torch.Tensor], description: str, path: Path | str, fix: str = "") -> None:
    """load_state_dict(strict=True) with a sentence naming the first tensor that does not fit;
    forgives only absent num_batches_tracked counters (older PyTorch did not write them)."""
    own = module.state_dict()
    state = dict(state)
    for key, value in own.items():
        if key.endswith("num_batches_tracked") and key not in state:
            state[key] = torch.zeros_like(value)
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    wrong = [(k, tuple(state[k].shape), tuple(v.shape)) for k, v in own.items() if k in state and state[k].shape != v.shape]
    if missing or unexpected or wrong:
        if wrong:
            k, got, want = wrong[0]
            what = f"its {k} is {_shape(got)} where {_shape(want)} is expected"
        elif missing:
            what = f"it lacks {len(missing)} tensors (the first is {missing[0]})"
        else:
            what = f"it has {len(unexpected)} tensors this model does not (the first is {unexpected[0]})"
        raise ModelFileError(f"The {description} file {path} does not fit: {what}" + (f"; {fix}." if fix else "."))
    module.load_state_dict(state, strict=True)


def _shape(shape: tuple) -> str:
    return " x ".join(map(str, shape)) if shape else "a scalar"


def save(obj, path: Path) -> Path:
    """``torch.save`` whole or not at all. The bytes do not depend on the file's name (torch names
    the archive inside after a path, never after a file object)."""
    return atomic_write(path, lambda f: torch.save(obj, f))
