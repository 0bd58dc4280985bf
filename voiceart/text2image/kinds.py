"""Which kinds of thing a caption names, from the ``kinds.json`` that ``voiceart data scenes`` writes.

The probe uses it to know what a held-out caption asks for; DM-GAN training (``--kinds``) uses it
to tell the discriminators' kind projection what each caption in a batch names.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import torch

from voiceart.errors import VoiceartError


def read_kinds(path: Path) -> dict[str, dict]:
    """kinds.json: {kind: {"nouns": [...], "plurals": [...], "group": ...}}."""
    path = Path(path)
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VoiceartError(f"There is no kinds file {path}; voiceart data scenes writes one beside the splits.") from None
    except (OSError, ValueError) as exc:
        raise VoiceartError(f"The kinds file {path} cannot be read ({exc}).") from None
    if not isinstance(table, dict) or not all(isinstance(k, dict) and "nouns" in k for k in table.values()):
        raise VoiceartError(f"{path} is not a kinds file of voiceart data scenes (each kind needs its nouns).")
    return table


def named_kinds(caption: str, kinds_json: dict[str, dict]) -> list[str]:
    """The kinds a caption names (their nouns or plurals, as whole words; the longest name wins, so
    "a pine tree" names a pine, not a tree, and "a light tower" a lighthouse)."""
    return _named(caption, _patterns(kinds_json))


def _patterns(kinds_json: dict[str, dict]) -> list[tuple[str, re.Pattern]]:
    return [(key, re.compile(rf"\b{re.escape(name)}\b")) for key, k in kinds_json.items()
            for name in k["nouns"] + k.get("plurals", [])]


def _named(caption: str, patterns: list[tuple[str, re.Pattern]]) -> list[str]:
    text = " ".join(re.findall(r"[a-z]+", caption.lower()))
    spans = [(m.start(), m.end(), key) for key, pattern in patterns for m in pattern.finditer(text)]
    kept = [(a, b, key) for a, b, key in spans
            if not any(c <= a and b <= d and (d - c) > (b - a) for c, d, _ in spans)]
    return sorted({key for _, _, key in kept})


@dataclass(frozen=True)
class KindReader:
    """Caption word ids to a B x kinds 0/1 tensor of the kinds each caption names, in a fixed kind order."""

    table: dict[str, dict]
    ixtoword: dict[int, str]

    @property
    def kinds(self) -> list[str]:
        return sorted(self.table)

    @cached_property
    def _patterns(self) -> list[tuple[str, re.Pattern]]:  # compiled once: every training step reads a batch
        return _patterns(self.table)

    def __call__(self, caps: torch.Tensor, lens) -> torch.Tensor:
        order = {k: i for i, k in enumerate(self.kinds)}
        out = torch.zeros(caps.size(0), len(order))
        for row, (ids, n) in enumerate(zip(caps.tolist(), torch.as_tensor(lens).tolist())):
            text = " ".join(self.ixtoword.get(i, "") for i in ids[:n])
            for key in _named(text, self._patterns):
                out[row, order[key]] = 1.0
        return out
