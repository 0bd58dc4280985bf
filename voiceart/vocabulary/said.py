"""What voiceart says: every sentence of the session in one table, ``said.toml``, read once.

The sentences are data, as an OVOS skill's .dialog files are, so they can be read and changed in
one place without reading the logic that picks them.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

SENTENCES: dict[str, str] = tomllib.loads(Path(__file__).with_name("said.toml").read_text(encoding="utf-8"))


def say(name: str, /, **fields: object) -> str:
    """The sentence called ``name`` with its {fields} filled in; KeyError for a name or field missing."""
    return SENTENCES[name].format(**fields)
