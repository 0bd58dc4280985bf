"""Art styles: canonical names, a one-line spoken description, aliases, and a forgiving matcher.

``match_style`` turns what a person said (as Whisper wrote it down) into one of the styles a
catalogue knows: "impressionist", "IMPRESSIONISM.", "impresionism" and "paint it barock
please" all find their style. Only styles in ``known`` are ever returned; a name that matches
nothing raises UnknownStyleError naming the closest ones. Text is compared with the vocabulary's
normaliser and scorer (:mod:`voiceart.vocabulary.text`), the same the voice commands use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from voiceart.errors import UnknownStyleError
from voiceart.vocabulary import STYLE_FILLERS, ngrams, similarity, words


@dataclass(frozen=True)
class Style:
    name: str
    summary: str  # what the description says after "Name: "
    aliases: tuple[str, ...] = ()
    # For a style the catalogue lacks: the catalogue styles nearest in look, offered instead.
    nearest: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        """One plain sentence, fit to be spoken."""
        return f"{self.name}: {self.summary}"


# The styles of the built-in catalogue (see met_paintings.csv). Aliases may point a spoken
# name at its nearest style here ("pointillism" -> Post-Impressionism, because Seurat is in it).
CATALOGUE_STYLES = (
    Style("Gothic", "slender, graceful figures on shining gold backgrounds in clear tempera colour, painted for Italian altars in the 1300s and 1400s.",
          ("medieval", "italian gothic", "international gothic", "proto renaissance", "trecento", "sienese", "gold ground")),
    Style("Italian Renaissance", "calm, balanced scenes with true perspective, solid figures and soft modelling, painted in Italy in the fifteenth and sixteenth centuries.",
          ("renaissance", "early renaissance", "high renaissance", "quattrocento", "venetian", "italian")),
    Style("Northern Renaissance", "minute detail in glowing oil colour, every hair and jewel painted exactly, from Flanders, the Netherlands and Germany around 1500.",
          ("flemish primitives", "early netherlandish", "flemish renaissance", "german renaissance", "netherlandish")),
    Style("Mannerism", "stretched, elegant figures, strained poses and cool or acid colour, the restless late Renaissance manner of Bronzino and El Greco.",
          ("late renaissance",)),
    Style("Baroque", "dramatic light against deep shadow, rich colour and movement, painted to stir feeling in seventeenth century Italy, Spain, France and Flanders.",
          ("caravaggism", "caravaggesque", "tenebrism", "flemish baroque", "barack")),
    Style("Dutch Golden Age", "quiet, exact scenes of everyday life, portraits and landscapes in soft daylight and warm shadow, from seventeenth century Holland.",
          ("dutch", "dutch masters", "dutch baroque", "golden age", "dutch golden age painting")),
    Style("Rococo", "light, playful elegance in pale pastel colour, feathery brushwork and graceful figures at their pleasures, from the eighteenth century.",
          ("rocco co", "roco co")),
    Style("Neoclassicism", "crisp outlines, a smooth finish and calm, statue-like figures, reviving the ideals of ancient Greece and Rome around 1800.",
          ("neoclassical", "neo classic", "classicism", "classical")),
    Style("Romanticism", "strong feeling and the power of nature, with stormy seas, moonlight, drama and free, expressive brushwork, in the early nineteenth century.",
          ("romantic",)),
    Style("Realism", "ordinary people, work and countryside painted truthfully, in earthy colour and solid brushwork, in mid nineteenth century France.",
          ("barbizon", "naturalism", "naturalist")),
    Style("Academic art", "a highly polished, lifelike finish and careful drawing, the official exhibition style of nineteenth century France.",
          ("academic", "academicism", "academism", "salon", "orientalism", "orientalist")),
    Style("Impressionism", "light, quick brushstrokes and bright unmixed colour, often painted out of doors to catch a passing moment.",
          ()),
    Style("Post-Impressionism", "bold colour, strong outlines and visible, patterned brushstrokes, from Cézanne, Van Gogh, Gauguin and Seurat around 1890.",
          ("pointillism", "pointillist", "neo impressionism", "naive art", "primitivism")),
    Style("Symbolism", "dreamlike, mysterious scenes of myth and inner feeling, with stylised figures and decorative colour, around 1900.",
          ("pre raphaelite", "pre raphaelites", "art nouveau", "secession", "vienna secession")),
    Style("Chinese ink painting", "brush and ink on silk or paper, with misty mountains, old trees, horses and birds drawn in living line.",
          ("chinese", "chinese painting", "ink painting", "ink wash", "shan shui", "literati", "guohua")),
    Style("Japanese painting", "ink, mineral colour and gold on paper or silk, with flat shapes, bold outlines and flowing narrative scrolls.",
          ("japanese", "yamato e", "kano", "kano school", "ukiyo e", "ukiyoe", "japanese woodblock", "japanese print", "nihonga", "zen")),
    Style("Indian miniature painting", "small, jewel-bright watercolours with flat colour, fine outlines and rich pattern, from India's courts and manuscripts.",
          ("indian", "indian miniature", "miniature", "mughal", "rajput", "pahari", "jain")),
    Style("Buddhist painting", "sacred figures of Buddhas, bodhisattvas and teachers in mineral colour and gold, calmly arranged for devotion.",
          ("buddhist", "tibetan", "thangka", "korean", "goryeo")),
)

# Common styles the built-in catalogue lacks: known here so that a person's own styles with these
# names get a description, and so that "cubism" is refused rather than bent into another style.
OTHER_STYLES = (
    Style("Cubism", "objects broken into facets and flat planes, seen from several sides at once, in muted colour.",
          (), ("Post-Impressionism", "Mannerism")),
    Style("Expressionism", "distorted forms and harsh, vivid colour, used to show feeling rather than appearance.",
          (), ("Post-Impressionism", "Symbolism", "Romanticism")),
    Style("Fauvism", "wild, pure colour straight from the tube, in broad flat strokes, with simplified forms.",
          ("fauve", "fauves"), ("Post-Impressionism", "Impressionism")),
    Style("Surrealism", "dream images painted with a realist's care, strange things meeting in impossible scenes.",
          (), ("Symbolism", "Romanticism")),
    Style("Abstract art", "shapes, lines and colours for their own sake, showing no recognisable scene.",
          ("abstraction", "abstract expressionism"), ("Post-Impressionism", "Chinese ink painting")),
    Style("Pop art", "bright flat colour and bold outlines borrowed from comics, advertising and everyday products.",
          (), ("Post-Impressionism", "Japanese painting")),
    Style("Ukiyo-e", "Japanese woodblock prints with strong outlines, flat colour, actors, beauties and landscapes.",
          (), ("Japanese painting",)),
    Style("Pointillism", "pictures built from small dots of pure colour that blend in the eye.",
          (), ("Post-Impressionism",)),
    Style("Art Nouveau", "flowing, curving lines, plant forms and decorative pattern, around 1900.",
          (), ("Symbolism",)),
)

CUTOFF = 0.8  # similarity a spoken word must reach to count as a misspelt style name
MIN_FUZZY = 5  # names shorter than this (ink, zen, kano) match only exactly
SHORT_PENALTY = 0.1  # taken off the similarity of names or words under 7 letters


def name_words(text: str) -> list[str]:
    """The words of a style's or a painter's name as said: normalised, filler words dropped
    ("in the style of Van Gogh's" -> ["van", "gogh"])."""
    said = words(text, contractions=False)
    kept = [w for w in said if w not in STYLE_FILLERS]
    return kept or said


def _key(text: str) -> str:
    return "".join(name_words(text))


def _forms(name: str) -> set[str]:
    """The name and its adjective forms: impressionism -> impressionist, impressionists, impressionistic."""
    key = _key(name)
    forms = {key}
    if key.endswith("ism"):
        stem = key[:-3]
        forms |= {stem + "ist", stem + "ists", stem + "istic"}
        if stem.endswith("ic"):  # romanticism -> romantic
            forms.add(stem)
    return forms


_ALL = {s.name: s for s in (*CATALOGUE_STYLES, *OTHER_STYLES)}
_BY_KEY = {_key(name): style for name, style in _ALL.items()}


def info(name: str) -> Style | None:
    """What voiceart knows about a style name, or None for a person's own style it has never heard of."""
    return _ALL.get(name) or _BY_KEY.get(_key(name))


def keys(name: str) -> set[str]:
    """Every key (words run together) that names the style ``name``: its forms and its aliases."""
    style = info(name)
    found = set(_forms(name))
    if style is not None:
        found |= _forms(style.name)
        found |= {_key(a) for a in style.aliases}
    return found


def words_for(name: str) -> set[str]:
    """Every word that may stand for the style ``name`` in an utterance: the words of its name and
    aliases and their adjective forms ("impressionist" for Impressionism)."""
    style = info(name)
    names = [name, *(style.aliases if style else ()), *((style.name,) if style else ())]
    found: set[str] = set()
    for each in names:
        for w in words(each):
            found.add(w)
            found |= _forms(w)
        found |= _forms(each)
    return found


def canonical_name(name: str) -> str:
    """The usual spelling of a style a person names in a folder or CSV: "impressionist" -> "Impressionism".

    Names voiceart does not know are kept, tidied: "my_watercolours" -> "My watercolours".
    """
    key = _key(name)
    for style in _ALL.values():
        if key in _forms(style.name):
            return style.name
    tidy = " ".join(re.sub(r"[_]+", " ", name).split())
    return tidy[:1].upper() + tidy[1:] if tidy.islower() else tidy


def describe(name: str, count: int | None = None) -> str:
    """The one-line spoken description of a style."""
    style = info(name)
    if style is not None:
        return f"{name}: {style.summary}"
    if count:
        return f"{name}: your own style, from {count} of your paintings."
    return f"{name}: your own style."


def _index(known: list[str]) -> dict[str, tuple[str, bool]]:
    """key -> (style, is known). Known names beat aliases, and both beat styles not in ``known``."""
    index: dict[str, tuple[str, bool]] = {}
    for name in known:  # names and their adjective forms
        for form in _forms(name):
            index.setdefault(form, (name, True))
    known_by_style = {}
    for name in known:
        style = info(name)
        if style is not None:
            known_by_style[style.name] = name
    for style in _ALL.values():  # aliases of known styles
        if style.name in known_by_style:
            for alias in style.aliases:
                index.setdefault(_key(alias), (known_by_style[style.name], True))
    for style in _ALL.values():  # styles voiceart has heard of but this catalogue lacks
        for form in (*_forms(style.name), *(_key(a) for a in style.aliases)):
            index.setdefault(form, (style.name, False))
    return index


def _unknown(spoken: str, known: list[str], scores: dict[str, float], nearest: tuple[str, ...] = ()) -> UnknownStyleError:
    said = spoken.strip().strip(".,!?;:'\" ") or spoken.strip()
    ranked = [name for name in nearest if name in known]
    ranked += sorted((n for n in known if n not in ranked), key=lambda name: (-scores.get(name, 0.0), name.casefold()))
    ranked = ranked[:3]
    if not ranked:
        return UnknownStyleError(f"I don't know the style '{said}', and there are no styles to choose from.", [])
    names = ranked[0] if len(ranked) == 1 else f"{', '.join(ranked[:-1])} or {ranked[-1]}"
    if not said:
        return UnknownStyleError(f"I didn't hear a style name. Try {names}.", ranked)
    return UnknownStyleError(f"I don't know the style '{said}'. The closest {'is' if len(ranked) == 1 else 'are'} {names}.", ranked)


def match_style(spoken: str, known: Iterable[str]) -> str:
    """The style in ``known`` that ``spoken`` names, forgiving case, punctuation, adjective forms,
    aliases, misspellings and mishearings; UnknownStyleError with the closest styles otherwise."""
    known = list(dict.fromkeys(known))
    grams = [g for g in ngrams(name_words(spoken)) if g]
    index = _index(known)
    lacking = None  # a style voiceart knows of but this catalogue lacks: refused, never bent into another
    # 1. the whole phrase, or the longest run of words in it, is a style name or alias
    for gram in grams:
        if gram in index:
            name, is_known = index[gram]
            if is_known:
                return name
            lacking = name
            break
    else:
        # 2. a misspelt or misheard name: the best similarity between a run of words and a name
        best, best_score = None, 0.0
        for gram in grams:
            if len(gram) < MIN_FUZZY - 1:  # "touch", not "to"
                continue
            for key, target in index.items():
                if len(key) < MIN_FUZZY:
                    continue
                score = similarity(gram, key)
                if min(len(gram), len(key)) < 7:
                    score -= SHORT_PENALTY  # "touch" is not "dutch"; short words need a closer match
                if score > best_score:
                    best, best_score = target, score
        if best is not None and best_score >= CUTOFF:
            if best[1]:
                return best[0]
            lacking = best[0]
    # Not found: rank the known styles by how close their names come to what was said.
    scores: dict[str, float] = {}
    for key, (name, is_known) in index.items():
        if is_known:
            score = max((similarity(gram, key) for gram in grams), default=0.0)
            scores[name] = max(scores.get(name, 0.0), score)
    raise _unknown(spoken, known, scores, _ALL[lacking].nearest if lacking in _ALL else ())
