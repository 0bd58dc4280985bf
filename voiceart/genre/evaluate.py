"""Accuracy of the genre stage: image alone (k-fold over the catalogue), text alone, and the two fused.

Protocol
- Image: the catalogue's paintings with a genre, stratified k-fold (default 5); the head is trained on
  the augmented crops of k-1 folds (the shipped recipe) and tested on the evaluation view (the centre
  crop ``voiceart classify`` uses) of the held-out paintings. Baseline: always the most common genre.
- Text: the descriptions in tests/data/genre_descriptions.csv (written for this and never used to
  build the prototypes or fit the temperature). Baselines: the most common genre, and prototypes made
  of the bare genre names ("a landscape", "a portrait", ...) instead of the example scenes.
- Fused: each test description is paired with a painting of its genre, seeded, cycling through the
  genre's paintings; the painting's out-of-fold probabilities (from a head that never saw it) are
  fused with the description's, the picture weighted as ``train genre`` fits it (on the example
  scenes and out-of-fold paintings, never on the test descriptions). Image alone, text alone and
  fused are scored on the same pairs.

    .venv/bin/python -m voiceart.genre.evaluate [--folds 5] [--json]      (or: voiceart eval genre)
"""
from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import torch

from voiceart.config import PROJECT_ROOT, Settings
from voiceart.errors import VoiceartError
from voiceart.genre import train as T
from voiceart.genre.fuse import fuse
from voiceart.genre.recommend import SPOKEN_GENRE
from voiceart.genre.text import TextGenre
from voiceart.paintings.catalogue import Catalogue

DESCRIPTIONS = PROJECT_ROOT / "tests" / "data" / "genre_descriptions.csv"


def read_descriptions(path: Path = DESCRIPTIONS) -> list[tuple[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = [(r["text"].strip(), r["genre"].strip()) for r in csv.DictReader(f)]
    except (OSError, KeyError) as exc:
        raise VoiceartError(f"The descriptions file {path} cannot be read ({type(exc).__name__}); it needs the columns text and genre.") from None
    return [r for r in rows if r[0]]


def evaluate(settings, folds: int = 5, descriptions_path: Path = DESCRIPTIONS, seed: int = 0,
             progress: Callable[[str], None] | None = None) -> dict:
    recipe = T.HeadRecipe(seed=seed)
    examples = T.catalogue_examples(Catalogue.load(settings))
    genres = T.genre_list(examples)
    labels = torch.tensor([genres.index(e.genre) for e in examples])
    evals, views = T.cached_features(settings, "efficientnet_lite0", examples, recipe, settings.torch_device(), progress)
    image_report, oof = T.cross_validate(evals, views, labels, genres, recipe, folds)

    descriptions = read_descriptions(descriptions_path)
    text = TextGenre(settings)
    unknown = sorted({g for _, g in descriptions} - set(text.genres))
    if unknown:
        raise VoiceartError(f"{descriptions_path} names genres voiceart does not know: {', '.join(unknown)}.")
    d_labels = torch.tensor([text.genres.index(g) for _, g in descriptions])
    text_p = text.probabilities_batch([t for t, _ in descriptions])
    text_report = T.accuracy_report(text_p, d_labels, text.genres)
    names = {g: SPOKEN_GENRE.get(g, g).split(" ", 1)[1] for g in text.genres}  # "a seascape" -> "seascape"
    bare = TextGenre(settings, encoder=text.encoder, sentences={g: (names[g],) for g in text.genres})
    # one sentence per genre leaves nothing to fit a temperature on; the argmax (accuracy) does not depend on it
    names_report = T.accuracy_report(bare.similarities([t for t, _ in descriptions]).softmax(-1), d_labels, text.genres)

    image_weight = T.fit_fusion_weight(settings, examples, genres, oof, seed, text=text)
    pairs = T.pair_up([g for _, g in descriptions], [e.genre for e in examples], seed)
    image_on_pairs, text_on_pairs, fused_on_pairs, pair_labels = [], [], [], []
    for d, i in pairs:
        ip = {g: float(p) for g, p in zip(genres, oof[i])}
        tp = {g: float(p) for g, p in zip(text.genres, text_p[d])}
        fp = fuse([ip, tp], [image_weight, 1.0])
        image_on_pairs.append([ip.get(g, 0.0) for g in text.genres])
        text_on_pairs.append([tp[g] for g in text.genres])
        fused_on_pairs.append([fp.get(g, 0.0) for g in text.genres])
        pair_labels.append(int(d_labels[d]))
    pl = torch.tensor(pair_labels)
    fused = {name: T.accuracy_report(torch.tensor(rows), pl, text.genres)
             for name, rows in (("image", image_on_pairs), ("text", text_on_pairs), ("fused", fused_on_pairs))}
    wrong = [(descriptions[i][0], descriptions[i][1], text.genres[int(text_p[i].argmax())])
             for i in range(len(descriptions)) if int(text_p[i].argmax()) != int(d_labels[i])]
    return {"image": image_report, "text": text_report, "text_genre_names": names_report, "pairs": fused,
            "text_temperature": text.temperature, "text_errors": wrong, "image_weight": image_weight,
            "genre_counts": {g: int((labels == i).sum()) for i, g in enumerate(genres)}}


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def format_report(r: dict) -> str:
    img, txt, names, pairs = r["image"], r["text"], r["text_genre_names"], r["pairs"]
    lines = [
        f"Image genre, {img['folds']}-fold over {img['n']} catalogue paintings (EfficientNet-Lite0 frozen + trained head):",
        "| | accuracy | balanced accuracy | top-3 |",
        "|---|---|---|---|",
        f"| head (k-fold) | {_pct(img['accuracy'])} | {_pct(img['balanced_accuracy'])} | {_pct(img['top3_accuracy'])} |",
        f"| always '{img['majority_genre']}' | {_pct(img['majority_baseline'])} | {_pct(1 / len(img['recall']))} | |",
        "",
        f"Text genre, {txt['n']} test descriptions (temperature {r['text_temperature']:.3f}):",
        "| | accuracy | balanced accuracy | top-3 |",
        "|---|---|---|---|",
        f"| example-scene prototypes (shipped) | {_pct(txt['accuracy'])} | {_pct(txt['balanced_accuracy'])} | {_pct(txt['top3_accuracy'])} |",
        f"| bare genre names | {_pct(names['accuracy'])} | {_pct(names['balanced_accuracy'])} | {_pct(names['top3_accuracy'])} |",
        f"| always '{txt['majority_genre']}' | {_pct(txt['majority_baseline'])} | | |",
        "",
        f"Fused, {pairs['fused']['n']} descriptions each paired with a held-out painting of the same genre "
        f"(picture weight {r['image_weight']:g}, words 1):",
        "| | accuracy | balanced accuracy | top-3 |",
        "|---|---|---|---|",
    ]
    for name in ("image", "text", "fused"):
        p = pairs[name]
        lines.append(f"| {name} | {_pct(p['accuracy'])} | {_pct(p['balanced_accuracy'])} | {_pct(p['top3_accuracy'])} |")
    lines += ["", "Image recall per genre (k-fold): " + ", ".join(f"{g} {_pct(v)}" for g, v in img["recall"].items())]
    if r["text_errors"]:
        lines += ["", "Descriptions the text side gets wrong:"]
        lines += [f"- \"{t}\": {want}, heard as {got}" for t, want, got in r["text_errors"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json
    import sys

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--descriptions", type=Path, default=DESCRIPTIONS)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    settings = Settings()
    if args.threads:
        settings.threads = args.threads
    report = evaluate(settings, args.folds, args.descriptions, progress=lambda m: print(m, file=sys.stderr))
    print(json.dumps(report) if args.json else format_report(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
