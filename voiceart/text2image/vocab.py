"""Words to ids as the official DM-GAN / AttnGAN code makes them, and its ``captions.pickle``.

Tokenising: lower case, runs of word characters (``\\w+``), accents folded ("café" -> "cafe",
as the official code's ASCII captions spell it); a word with other letters outside ASCII is kept
whole ("straße"), so that it is named as unknown rather than cut to a wrong word ("strae"). There is no unknown-word token: a word that is not in
the vocabulary is left out, and :meth:`Vocabulary.encode` says which ones were.

``captions.pickle`` is a Python 2 pickle (protocol 2) of ``[train_captions, test_captions,
ixtoword, wordtoix]``: two lists of captions as lists of word ids, and the two dicts of the
vocabulary, where id 0 is ``'<end>'`` (the padding). The vocabulary cannot be rebuilt without
it: the ids follow the order of a Python 2 dict.
"""
from __future__ import annotations

import pickle
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from voiceart.errors import ModelFileError
from voiceart.files import atomic_write

END = "<end>"
_WORD = re.compile(r"\w+")


def tokenize(text: str) -> list[str]:
    """The official tokenizer (lower case, ``\\w+`` tokens), with accents folded instead of dropped."""
    tokens = (_fold(token) for token in _WORD.findall(text.replace("\ufffd\ufffd", " ").lower()))
    return [token for token in tokens if token]


def _fold(token: str) -> str:
    folded = "".join(c for c in unicodedata.normalize("NFKD", token) if not unicodedata.combining(c))
    return folded if folded.isascii() else unicodedata.normalize("NFC", token)


@dataclass
class Encoded:
    """A sentence as word ids, with the words that were kept and those the vocabulary lacks."""

    ids: list[int]
    words: list[str]
    unknown: list[str]


@dataclass
class Vocabulary:
    ixtoword: dict[int, str]
    wordtoix: dict[str, int]

    def __post_init__(self):
        if self.wordtoix.get(END) != 0 or self.ixtoword.get(0) != END:
            raise ModelFileError("The vocabulary is not DM-GAN's: word 0 must be '<end>'.")

    def __len__(self) -> int:
        return len(self.ixtoword)

    def __contains__(self, word: str) -> bool:
        return word in self.wordtoix and word != END

    def encode(self, text: str) -> Encoded:
        ids, words, unknown = [], [], []
        for token in tokenize(text):
            ix = self.wordtoix.get(token)
            if ix is None or ix == 0:
                if token not in unknown:
                    unknown.append(token)
            else:
                ids.append(ix)
                words.append(token)
        return Encoded(ids, words, unknown)

    def decode(self, ids) -> list[str]:
        return [self.ixtoword[int(i)] for i in ids if int(i) != 0]

    @classmethod
    def build(cls, captions: list[list[str]]) -> "Vocabulary":
        """A vocabulary of every word in tokenised captions, numbered by first appearance, 0 = '<end>'."""
        wordtoix = {END: 0}
        for caption in captions:
            for word in caption:
                if word not in wordtoix:
                    wordtoix[word] = len(wordtoix)
        return cls({i: w for w, i in wordtoix.items()}, wordtoix)


@dataclass
class CaptionsFile:
    """The contents of ``captions.pickle``."""

    train_captions: list[list[int]]
    test_captions: list[list[int]]
    vocab: Vocabulary
    path: Path | None = field(default=None, compare=False)


class _PlainUnpickler(pickle.Unpickler):
    """Only lists, dicts, numbers and strings: a captions file needs nothing else, and refusing
    every class means a crafted file cannot run code."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"it asks for {module}.{name}, which a captions file never holds")


def load_captions(path: Path) -> CaptionsFile:
    """Read an official (Python 2) or voiceart ``captions.pickle``; a bad file gives one sentence."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"The captions file {path} does not exist.")
    try:
        with open(path, "rb") as f:
            data = _PlainUnpickler(f, encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise ModelFileError(f"The captions file {path} cannot be read ({exc}).") from None
    if not (isinstance(data, (list, tuple)) and len(data) >= 4 and isinstance(data[2], dict) and isinstance(data[3], dict)):
        raise ModelFileError(f"The captions file {path} is not DM-GAN's [train captions, test captions, ixtoword, wordtoix].")
    train, test, ixtoword, wordtoix = data[:4]
    ixtoword = {int(k): _text(v) for k, v in ixtoword.items()}
    wordtoix = {_text(k): int(v) for k, v in wordtoix.items()}
    return CaptionsFile([list(map(int, c)) for c in train], [list(map(int, c)) for c in test],
                        Vocabulary(ixtoword, wordtoix), path)


def _text(value) -> str:
    return value.decode("latin1") if isinstance(value, bytes) else str(value)


def save_captions(captions: CaptionsFile, path: Path) -> None:
    """Write ``captions.pickle`` as the official code does (protocol 2, readable by Python 2 and 3)."""
    data = [captions.train_captions, captions.test_captions, dict(captions.vocab.ixtoword), dict(captions.vocab.wordtoix)]
    atomic_write(Path(path), lambda f: pickle.dump(data, f, protocol=2))
