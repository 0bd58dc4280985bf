"""Which styles suit a genre: the paper's rule over voiceart's catalogue, with a sentence to speak.

The rule (Tian and Franchitti 2020): the styles most common among the catalogue's
paintings of the genre, top three. The catalogue is the built-in paintings plus the
person's own, so their paintings count too, and a style is only ever named when there
is a painting of it to take the style from.

A genre with fewer than three styles in the catalogue (a seascape has one painting
here) is filled up, in order, from

1. the styles of the next most likely genres, when a genre distribution is given
   (a picture that is 60 % seascape and 30 % landscape borrows the landscape's styles);
2. the styles with the most paintings in the whole catalogue.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from voiceart.paintings.catalogue import Catalogue

# How a genre is said in a sentence ("For a seascape I suggest ..."): WikiArt's names are not all spoken English.
SPOKEN_GENRE = {
    "portrait": "a portrait", "landscape": "a landscape", "religious painting": "a religious painting",
    "genre painting": "a scene of everyday life", "still life": "a still life", "cityscape": "a cityscape",
    "marina": "a seascape", "animal painting": "an animal painting", "flower painting": "a flower painting",
    "history painting": "a history painting", "mythological painting": "a mythological painting",
    "nude painting": "a nude",
}


def spoken_genre(genre: str) -> str:
    if genre in SPOKEN_GENRE:
        return SPOKEN_GENRE[genre]
    return ("an " if genre[:1].lower() in "aeiou" else "a ") + genre


def styles_by_count(catalogue: Catalogue) -> list[str]:
    """Every style of the catalogue, most paintings first (ties by name)."""
    counts = Counter(p.style for p in catalogue)
    return sorted(counts, key=lambda s: (-counts[s], s.casefold()))


def recommend_styles(catalogue: Catalogue, genre: str, probabilities: Mapping[str, float] | None = None,
                     count: int = 3) -> list[str]:
    """Up to ``count`` styles for ``genre``: its most common styles, then the fall-backs described above."""
    chosen: list[str] = []

    def add(styles) -> None:
        for style in styles:
            if len(chosen) < count and style not in chosen:
                chosen.append(style)

    add(catalogue.styles_for_genre(genre))
    if probabilities:
        for other in sorted(probabilities, key=lambda g: -probabilities[g]):
            if other != genre:
                add(catalogue.styles_for_genre(other))
    add(styles_by_count(catalogue))
    return chosen


def join_words(words: list[str], last: str = "or") -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def recommendation_sentence(genre: str, styles: list[str]) -> str:
    """"For a landscape I suggest Impressionism, Realism or Romanticism." """
    if not styles:
        return f"This looks like {spoken_genre(genre)}, but there are no paintings to take a style from."
    return f"For {spoken_genre(genre)} I suggest {join_words(styles)}."
