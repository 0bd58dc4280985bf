"""Text as voiceart compares it: one normaliser and one scorer, for commands and style names alike.

Whisper writes "Re-do!", "Impressionism." or "barock"; every comparison goes through :func:`words`
(lower case, no accents or punctuation) and :func:`similarity` (letters and a rough sound-alike
spelling, so "barack" is near "baroque"). The letter score is rapidfuzz's longest common
subsequence, written as difflib's ratio was (2 x matches / letters), so thresholds keep meaning.
"""
from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import LCSseq


def words(text: str, contractions: bool = True) -> list[str]:
    """Lower-case words without accents or punctuation: "Re-do!" -> ["re", "do"], "That's it." -> ["thats", "it"].

    With ``contractions`` False an apostrophe splits like any punctuation, so a painter's "Van Gogh's"
    keeps the word "gogh" (and an "s" that style names drop as filler)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("&", " and ")
    if contractions:
        text = re.sub(r"(?<=[a-z])'(?=[a-z])", "", text.replace("\u2019", "'"))  # that's -> thats
    return re.findall(r"[a-z0-9]+", text)


def ngrams(tokens: list[str], longest: int = 4) -> list[str]:
    """Runs of up to ``longest`` consecutive words, joined without spaces, longest first."""
    n = len(tokens)
    return ["".join(tokens[i:i + size]) for size in range(min(n, longest), 0, -1) for i in range(n - size + 1)]


def phonetic(key: str) -> str:
    """A rough sound-alike spelling: "barock", "barack" and "baroque" come out near each other."""
    s = key.replace("ph", "f").replace("que", "k").replace("qu", "k").replace("ck", "k")
    s = re.sub(r"c(?=[eiy])", "s", s).replace("c", "k").replace("x", "ks").replace("z", "s").replace("y", "i")
    return re.sub(r"(.)\1+", r"\1", s)


def ratio(a: str, b: str) -> float:
    """How alike two strings are letter by letter, 0 to 1: twice their longest common subsequence over
    their letters ("agen"/"again" 0.67); 1 for two empty strings."""
    total = len(a) + len(b)
    return 2.0 * LCSseq.similarity(a, b) / total if total else 1.0


def similarity(a: str, b: str) -> float:
    """How alike two keys are as written or as said: the better of their letters' and their
    sound-alike spellings' :func:`ratio`."""
    return max(ratio(a, b), ratio(phonetic(a), phonetic(b)))
