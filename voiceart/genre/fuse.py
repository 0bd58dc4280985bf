"""One genre distribution from several: the image's and the words'.

Log-linear pooling (a weighted product of the distributions, renormalised). With equal
weights this is what Bayes' rule gives when the picture and the words are independent
evidence of the genre and the text side assumes no prior (its prototypes treat every
genre alike): p(genre | picture, words) ∝ p(genre | picture) · p(genre | words).
The picture's distribution gets a weight of its own (``fit_image_weight``; the shipped
classifier file holds it), since it is the weaker witness: 174 paintings taught it.
A genre one side does not know (a genre of a person's own paintings that has no
example sentences) gets that side's average probability, so it is neither favoured nor ruled out.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

FLOOR = 1e-6  # no single source can rule a genre out completely


def normalise(probabilities: Mapping[str, float]) -> dict[str, float]:
    total = sum(probabilities.values())
    if not probabilities or total <= 0 or not math.isfinite(total):
        raise ValueError("a genre distribution needs positive, finite probabilities")
    return {g: p / total for g, p in probabilities.items()}


def ranked(probabilities: Mapping[str, float]) -> dict[str, float]:
    """The same distribution, most likely genre first (ties by name)."""
    return dict(sorted(probabilities.items(), key=lambda item: (-item[1], item[0])))


def fuse(distributions: Sequence[Mapping[str, float]], weights: Sequence[float] | None = None) -> dict[str, float]:
    """Weighted product of genre distributions over all genres any of them names, most likely first."""
    distributions = [d for d in distributions if d]
    if not distributions:
        raise ValueError("nothing to fuse")
    weights = list(weights) if weights is not None else [1.0] * len(distributions)
    if len(weights) != len(distributions) or any(w < 0 for w in weights) or not any(weights):
        raise ValueError("fusion needs one non-negative weight per distribution, not all zero")
    genres: list[str] = []
    for d in distributions:
        genres.extend(g for g in d if g not in genres)
    logits = dict.fromkeys(genres, 0.0)
    for d, w in zip(distributions, weights):
        d = normalise(d)
        fill = 1.0 / len(d)
        for g in genres:
            logits[g] += w * math.log(max(d.get(g, fill), FLOOR))
    top = max(logits.values())
    return ranked(normalise({g: math.exp(v - top) for g, v in logits.items()}))


def fit_image_weight(image_log_probs, text_log_probs, labels, grid: Sequence[float] | None = None) -> float:
    """The weight of the picture's distribution (the words' weight being 1) that minimises the cross-entropy
    of the fused distribution on labelled (picture, words) pairs: tensors (P, G), (P, G) and (P,).

    voiceart fits it on its example scenes (left out one at a time) paired with paintings the image head
    never saw (k-fold), so the test descriptions play no part. A weight below 1 says the picture is the
    weaker witness.
    """
    import torch

    grid = list(grid) if grid is not None else [i / 20 for i in range(41)]  # 0, 0.05, ..., 2
    rows = torch.arange(len(labels))

    def loss(w: float) -> float:
        fused = (w * image_log_probs + text_log_probs).log_softmax(-1)
        return float(-fused[rows, labels].mean())

    losses = [loss(w) for w in grid]
    return grid[min(range(len(grid)), key=losses.__getitem__)]
