"""Free speech to the words a text-to-image model knows: "a cottage by the ocean" -> "a house by the sea".

A DM-GAN model reads only the words of its own vocabulary and silently drops the rest, so a person
who says "ocean" to a model that learnt "sea" would get a picture without the sea. The bridge maps
each word the vocabulary lacks to the known word it most likely means, trying in turn:

* form: the plural or singular of it ("hill" -> "hills", "geese" -> "goose"; inflect's rules);
* spelling: the same word misspelt or misheard by a letter or two ("lighthose" -> "lighthouse");
* sound: a word that sounds alike (the same Metaphone key, letters alike: Whisper's mishearings);
* meaning: the nearest word by all-MiniLM-L6-v2 (the encoder the genre stage uses), when near enough.

Whatever matches none is left out, and :class:`Bridged` says so. Small words ("a", "the", "on",
"can") and words about the picture itself ("picture", "painting") are neither mapped nor complained
about, and they alone never make a scene: "Same this picture." and "Can do that." hold nothing to draw.

The thresholds were chosen on tests/data/word_bridge.csv (everyday words with the words they may
become); ``python benchmarks/word_bridge.py`` prints the figures behind them. Everything is worked out
from the vocabulary it is given, so it holds for any model: the official bird and coco files and every
version of the scene model.
"""
from __future__ import annotations

import hashlib
import math
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Words that carry no thing to draw: articles, pronouns, prepositions, conjunctions, auxiliaries and
# modals, numbers and quantities, words about the picture itself, and what the tokenizer leaves of
# a contraction ("it's" -> it, s; "don't" -> don, t). The model reads them when it
# knows them; otherwise they are dropped without a word, and they never make an utterance a scene.
SMALL_WORDS = frozenset("""
a an the some any this that these those my your his her its our their it they them he she him we us you me i
of on in at by to from for with without into onto over under above below beside besides near behind between
among around across along through up down out off about after before against beneath toward towards upon within
and or but nor so yet then than as if while when where there here how what which who whom whose why
is am are was were be been being do does did done have has had having can could will would shall should may
might must not no yes very too also just only still even quite rather really all both each every either
neither other another such same own one ones more most less least much many few lot lots
please thanks okay ok oh um uh hmm well now again
picture pictures painting paintings drawing drawings image images photo photos scene scenes view views
illustration sketch draw paint make show give see look like
s t d m ll re ve don doesn didn isn aren wasn weren won wouldn couldn shouldn let
""".split())

# How alike (rapidfuzz ratio, 0-100) a word must be to a known one to be taken as it misspelt or
# misheard; only words of at least MIN_LETTERS letters, starting with the same letter.
SPELLING = 85.0
SOUND = 70.0  # with the same Metaphone key (at least MIN_SOUND_KEY sounds long)
MIN_LETTERS = 4
MIN_SOUND_KEY = 3
# The cosine similarity of all-MiniLM-L6-v2 embeddings of "a picture of WORD" above which the
# nearest known word is taken for an unknown one ("ocean" -> "sea"). Of the words within MARGIN of
# the nearest, a word the model saw more often is preferred, by PRIOR per tenfold count in its
# captions (it draws it better: "cottage" -> "house", not "bungalow").
MEANING = 0.70
MARGIN = 0.05
PRIOR = 0.02
TEMPLATE = "a picture of {}"


@dataclass(frozen=True)
class Change:
    """One word said, the known word used for it, and why: "form", "spelling", "sound" or "meaning"."""

    said: str
    used: str
    why: str


@dataclass(frozen=True)
class Bridged:
    """A sentence as a model reads it: the words it gets, in order, what was changed and what was left out."""

    text: str
    words: tuple[str, ...]
    changes: tuple[Change, ...] = ()
    left_out: tuple[str, ...] = ()
    things: tuple[str, ...] = ()  # the words used that name something to draw (not small words)

    @property
    def scene(self) -> bool:
        """Whether there is anything to draw in it: a thing said as the model knows it, or mapped by form or
        meaning. A word only guessed from its letters or sound is not enough on its own: "Stay in the smith,
        jerk." (heard for "save this picture") would be drawn as "smooth"."""
        guessed = {c.used for c in self.changes if c.why in ("spelling", "sound")}
        return any(t not in guessed for t in self.things)

    def summary(self) -> str:
        """One line for the terminal and a picture's metadata: "ocean -> sea; left out: zorblax" ("" when none)."""
        parts = [f"{c.said} -> {c.used}" for c in self.changes]
        if self.left_out:
            parts.append(f"left out: {', '.join(self.left_out)}")
        return "; ".join(parts)


@cache
def _inflect():
    import inflect

    return inflect.engine()


def _metaphone(word: str) -> str:
    import jellyfish

    return jellyfish.metaphone(word)


class WordBridge:
    """The bridge to one vocabulary. Its sound keys are made at once (milliseconds); the MiniLM
    embeddings of its words on the first word that needs them, and kept in the cache folder."""

    def __init__(self, words, counts: dict[str, int] | None = None, settings=None):
        self.known = frozenset(w for w in words if w != "<end>")
        self.counts = counts or {}
        self.settings = settings
        # the words a said word may become: not small words, nor ones too short to mean much
        self.targets = sorted(w for w in self.known if w not in SMALL_WORDS and len(w) > 1 and w.isalpha())
        self._targets = frozenset(self.targets)
        self._by_letter: dict[str, list[str]] = {}
        self._by_sound: dict[str, list[str]] = {}
        for word in self.targets:
            self._by_letter.setdefault(word[0], []).append(word)
            self._by_sound.setdefault(_metaphone(word), []).append(word)
        self._embeddings = None
        self._queries: dict = {}
        self._lock = threading.Lock()

    @classmethod
    def of(cls, vocabulary, counts: dict[str, int] | None = None, settings=None) -> "WordBridge":
        """The bridge of a :class:`~voiceart.text2image.vocab.Vocabulary` (its word ids' counts optional)."""
        words = vocabulary.wordtoix
        return cls(words, {vocabulary.ixtoword[i]: n for i, n in (counts or {}).items() if i in vocabulary.ixtoword},
                   settings)

    def __call__(self, text: str) -> Bridged:
        from voiceart.text2image.vocab import tokenize

        words, changes, left_out, things = [], [], [], []
        for token in tokenize(text):
            if token in self.known:
                used = token
            elif token in SMALL_WORDS or token.isdigit():
                continue
            else:
                change = self.match(token)
                if change is None:
                    if token not in left_out:
                        left_out.append(token)
                    continue
                if change not in changes:
                    changes.append(change)
                used = change.used
            words.append(used)
            if token not in SMALL_WORDS and not token.isdigit():
                things.append(used)
        return Bridged(text, tuple(words), tuple(changes), tuple(left_out), tuple(things))

    def match(self, word: str, meaning: float = MEANING) -> Change | None:
        """The known word that ``word`` stands for, or None (``meaning``: the similarity it needs)."""
        change = self.alike(word)
        if change is not None and change.why != "sound":
            return change
        nearest = self.nearest(word)
        if nearest is not None and nearest[1] >= meaning:
            return Change(word, nearest[0], "meaning")
        return change

    def alike(self, word: str) -> Change | None:
        """A known word that is ``word`` in another form, spelling or sound, or None. A word that
        only sounds alike is taken after meaning: "truck" is nearer "automobile" than "track"."""
        for why, find in (("form", self._form), ("spelling", self._spelling), ("sound", self._sound)):
            used = find(word)
            if used is not None:
                return Change(word, used, why)
        return None

    def nearest(self, word: str) -> tuple[str, float] | None:
        """The known word nearest in meaning to ``word`` (of the words within MARGIN of the nearest,
        the one the model saw often, see PRIOR) and the nearest one's similarity; None for no words."""
        if not self.targets:
            return None
        if word not in self._queries:  # a description is checked, then drawn, and often drawn again
            self._queries[word] = _encoder(self.settings).encode([TEMPLATE.format(word)])[0]
        similarity = (self.embeddings() @ self._queries[word]).tolist()
        best = max(similarity)
        close = [(s + PRIOR * math.log10(self.counts.get(w, 0) + 1), w) for w, s in zip(self.targets, similarity)
                 if s >= best - MARGIN]
        return max(close)[1], best

    def _form(self, word: str) -> str | None:
        engine = _inflect()
        forms = [engine.singular_noun(word), engine.plural_noun(word)]
        return next((f for f in forms if f and f in self._targets), None)

    def _spelling(self, word: str) -> str | None:
        from rapidfuzz import fuzz, process

        if len(word) < MIN_LETTERS:
            return None
        found = process.extractOne(word, self._by_letter.get(word[0], ()), scorer=fuzz.ratio, score_cutoff=SPELLING)
        return found[0] if found else None

    def _sound(self, word: str) -> str | None:
        from rapidfuzz import fuzz, process

        key = _metaphone(word)
        if len(word) < MIN_LETTERS or len(key) < MIN_SOUND_KEY:
            return None
        found = process.extractOne(word, self._by_sound.get(key, ()), scorer=fuzz.ratio, score_cutoff=SOUND)
        return found[0] if found else None

    def embeddings(self):
        """The MiniLM embedding of each target word, (N, 384)."""
        with self._lock:
            if self._embeddings is None:
                self._embeddings = _embed(self.targets, self.settings)
            return self._embeddings


_lock = threading.Lock()
_vectors: dict = {}  # word -> its embedding, for every vocabulary seen in this process


def _embed(words: list[str], settings):
    """Embeddings of ``TEMPLATE`` filled with each word. A vocabulary's are kept in the cache folder
    (a few seconds for 5,000 words on a CPU), keyed by its words and the encoder's weights."""
    import torch

    from voiceart import torch_files, weights
    from voiceart.config import Settings
    from voiceart.errors import VoiceartError

    settings = settings or Settings()
    encoder = _encoder(settings)
    with _lock:
        if any(w not in _vectors for w in words):
            digest = hashlib.sha256("\n".join([TEMPLATE, *words]).encode("utf-8")).hexdigest()[:16]
            cached = Path(settings.cache_dir) / "bridge" / f"words-{digest}-{weights.sha256(encoder.weights_path)[:16]}.pt"
            try:
                data = torch.load(cached, map_location="cpu", weights_only=True)
                _vectors.update(zip(data["words"], data["embeddings"]))
            except Exception:  # noqa: BLE001 - no file yet, or a damaged one: it is remade
                pass
            missing = [w for w in words if w not in _vectors]
            if missing:
                _vectors.update(zip(missing, encoder.encode([TEMPLATE.format(w) for w in missing])))
                try:
                    torch_files.save({"words": words, "embeddings": torch.stack([_vectors[w] for w in words])}, cached)
                except VoiceartError:
                    pass  # a read-only or full cache only costs the time next time
        return torch.stack([_vectors[w] for w in words]) if words else torch.zeros(0, 384)


_encoder_lock = threading.Lock()
_encoders: dict = {}


def _encoder(settings):
    """One all-MiniLM-L6-v2 encoder for every bridge (it takes a second and 90 MB to load)."""
    from voiceart.genre.text import SentenceEncoder

    with _encoder_lock:
        if "minilm" not in _encoders:
            _encoders["minilm"] = SentenceEncoder(settings)
        return _encoders["minilm"]


_bridges: dict[str, WordBridge] = {}


def bridge(text: str, vocabulary) -> Bridged:
    """``text`` as the model with ``vocabulary`` would best read it (the bridge of each vocabulary is kept)."""
    key = hashlib.sha256("\n".join(sorted(vocabulary.wordtoix)).encode("utf-8")).hexdigest()
    if key not in _bridges:
        _bridges[key] = WordBridge.of(vocabulary)
    return _bridges[key](text)
