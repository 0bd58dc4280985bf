"""Subcommands of the genre stage: ``classify``, ``train genre`` and ``eval genre``."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from voiceart.config import PROJECT_ROOT, Settings
from voiceart.errors import VoiceartError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("classify", help="say which genre a picture or a description is, and the styles that suit it",
                       description="Classify the genre of IMAGE, of the words of --text, or of both together, and suggest "
                                   "the three styles of the catalogue most common for that genre.")
    p.add_argument("image", nargs="?", type=Path, help="a picture (optional when --text is given)")
    p.add_argument("--text", help="the scene described in words, e.g. 'a lighthouse on a rocky coast at night'")
    p.add_argument("--json", action="store_true",
                   help='end with one line of JSON: {"genre", "probabilities", "styles", "sentence"}')
    p.add_argument("--weights", type=Path, help="a genre classifier file other than the shipped one (from train genre)")
    p.set_defaults(run=run_classify)


def register_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("genre", help="the image genre classifier (shipped: a head over EfficientNet-Lite0)",
                       description="Without --folder: train the genre head over a frozen backbone on the catalogue's paintings "
                                   "(yours included, see --paintings), report its k-fold accuracy and write the classifier "
                                   "voiceart uses. With --folder DIR/<genre>/*.jpg and --finetune: the paper's recipe, "
                                   "fine-tuning the whole network (224 px crops, SGD lr 0.001, momentum 0.9, learning rate "
                                   "divided by 10 every 7 epochs, 25 epochs).")
    p.add_argument("--folder", type=Path, help="pictures laid out by genre (WikiArt style) instead of the catalogue")
    p.add_argument("--backbone", choices=("efficientnet_lite0", "resnet18"), default=None,
                   help="efficientnet_lite0 (default; ImageNet weights from a package) or resnet18 (the paper's; needs "
                        "torchvision's ImageNet file)")
    p.add_argument("--finetune", action="store_true", help="train the whole network end to end (the paper's recipe)")
    p.add_argument("--epochs", type=int, help="default 25")
    p.add_argument("--batch-size", type=int, help="default 32")
    p.add_argument("--lr", type=float, help="default 0.01 for the head alone, 0.001 when fine-tuning")
    p.add_argument("--views", type=int, help="augmented crops per painting for the head (default 10)")
    p.add_argument("--folds", type=int, default=5, help="k for the k-fold accuracy of the head (0: skip; default 5)")
    p.add_argument("--max-steps", type=int, help="stop fine-tuning after this many steps (a quick check)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--output", type=Path, help="where to write (default: the project's models/genre_head.pt, else the cache)")
    p.set_defaults(run=run_train)


def register_eval(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("genre", help="accuracy of image, text and fused genre against baselines",
                       description="k-fold image accuracy on the catalogue, text accuracy on the committed test descriptions, "
                                   "and fused accuracy on descriptions paired with held-out paintings of the same genre.")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--descriptions", type=Path, help="a CSV with columns text, genre (default: tests/data/genre_descriptions.csv)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_evaluate)


def _percent(p: float) -> str:
    return f"{100 * p:.0f}%"


def run_classify(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart.genre.classify import GenreStage
    from voiceart.images import load_image

    text = " ".join((args.text or "").split())
    if args.image is None and not text:
        raise VoiceartError("Give a picture, a description with --text, or both.")
    image = None
    if args.image is not None:
        image, note = load_image(args.image, settings.max_side)
        if note:
            print(note)
    result = GenreStage(settings, image_weights=args.weights).classify(image=image, text=text or None)
    top = list(result.probabilities.items())[:3]
    sources = " and ".join(s for s, given in (("the picture", image is not None), ("the words", bool(text))) if given)
    print(f"Genre from {sources}: " + ", ".join(f"{g} {_percent(p)}" for g, p in top) + ".")
    print(result.sentence)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    return 0


def default_output(settings: Settings) -> Path:
    from voiceart.weights import GENRE_HEAD

    models = PROJECT_ROOT / "models"
    return (models if models.is_dir() else Path(settings.cache_dir) / "models") / GENRE_HEAD.filename


def run_train(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from voiceart.genre import train as T
    from voiceart.paintings.catalogue import Catalogue

    out = args.output or default_output(settings)
    backbone = args.backbone or "efficientnet_lite0"
    say = lambda message: print(message, file=sys.stderr)  # noqa: E731 - progress goes to stderr
    if args.folder is not None:
        examples = T.folder_examples(args.folder)
        where = f"the folder {args.folder}"
    else:
        examples = T.catalogue_examples(Catalogue.load(settings))
        where = "the catalogue"
    if args.finetune:
        recipe = T.FinetuneRecipe(seed=args.seed, max_steps=args.max_steps)
        recipe = replace(recipe, **{k: v for k, v in (("epochs", args.epochs), ("batch_size", args.batch_size), ("lr", args.lr)) if v is not None})
        train_dir, val_dir = (args.folder / "train", args.folder / "val") if args.folder else (None, None)
        if train_dir is not None and train_dir.is_dir() and val_dir.is_dir():
            train_set, val_set = T.folder_examples(train_dir), T.folder_examples(val_dir)
        else:
            train_set, val_set = T.split_validation(examples, recipe.val_fraction, recipe.seed)
        say(f"Fine-tuning {backbone} on {len(train_set)} pictures from {where}, validating on {len(val_set)}...")
        result = T.finetune(settings, train_set, val_set, out, backbone, recipe, progress=say)
        print(f"Best validation accuracy {result['best_val_accuracy']:.3f} over {len(result['genres'])} genres.")
    else:
        recipe = T.HeadRecipe(seed=args.seed)
        recipe = replace(recipe, **{k: v for k, v in (("epochs", args.epochs), ("batch_size", args.batch_size), ("lr", args.lr),
                                                       ("views", args.views)) if v is not None})
        say(f"Training the genre head over {backbone} on {len(examples)} pictures from {where} "
            f"({recipe.views} augmented crops each; features are cached)...")
        result = T.train_catalogue_head(settings, examples, out, recipe, backbone, args.folds,
                                        trained_on=f"{len(examples)} pictures from {where}", progress=say)
        cv = result["cv"]
        if cv:
            print(f"{cv['folds']}-fold accuracy {cv['accuracy']:.3f} (balanced {cv['balanced_accuracy']:.3f}, top-3 "
                  f"{cv['top3_accuracy']:.3f}); always saying '{cv['majority_genre']}' would score {cv['majority_baseline']:.3f}.")
        if result.get("image_weight") is not None:
            print(f"Fusion: the picture's genre counts {result['image_weight']:g} times as much as the words'.")
    print(f"Wrote {out}\nsha256 {result['sha256']}")
    return 0


def run_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart.genre.evaluate import DESCRIPTIONS, evaluate, format_report

    report = evaluate(settings, args.folds, args.descriptions or DESCRIPTIONS,
                      progress=lambda m: print(m, file=sys.stderr))
    print(json.dumps(report) if args.json else format_report(report))
    return 0
