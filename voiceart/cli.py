"""The voiceart command line: one program, a subcommand per task (``voiceart --help`` lists them)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from voiceart.config import Settings
from voiceart.errors import VoiceartError


def _command_groups():
    # Each stage keeps its subcommands beside its code; importing them is cheap (no torch at import).
    from voiceart import app
    from voiceart.genre import commands as genre
    from voiceart.paintings import commands as paintings
    from voiceart.speech import commands as speech
    from voiceart.speech import transcribe_commands as transcribe
    from voiceart.style import commands as style
    from voiceart.text2image import commands as text2image
    from voiceart.text2image.scenes import commands as scenes

    return [app, paintings, style, genre, speech, transcribe, text2image, scenes]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voiceart", description="Hands-free art: describe a scene, hear the styles that suit it, repaint it like a real painting.")
    parser.add_argument("--device", help="cpu, cuda or auto (default: auto, CUDA when present)")
    parser.add_argument("--threads", type=int, help="CPU threads for the models (default: all cores)")
    parser.add_argument("--models", type=Path, help="an extra folder to look for model files in first")
    parser.add_argument("--paintings", type=Path, action="append", default=[], metavar="PATH",
                        help="your own paintings: a folder laid out style/genre/ or a CSV (file, style, genre); may repeat")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    stages = _command_groups()
    for group in stages:
        group.register(sub)
    # One `voiceart train MODEL` and one `voiceart eval MODEL`: each stage with a model adds its own
    # (register_train / register_eval beside its register).
    train = sub.add_parser("train", help="train a model (voiceart train --help lists them)",
                           description="Train one of voiceart's models; voiceart train MODEL --help says how.")
    trains = train.add_subparsers(dest="train_model", metavar="MODEL", required=True)
    evaluate = sub.add_parser("eval", help="measure a model (voiceart eval --help lists them)",
                              description="Measure one of voiceart's models; voiceart eval MODEL --help says how.")
    evals = evaluate.add_subparsers(dest="eval_model", metavar="MODEL", required=True)
    for group in stages:
        if hasattr(group, "register_train"):
            group.register_train(trains)
        if hasattr(group, "register_eval"):
            group.register_eval(evals)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    settings = Settings()
    if args.device:
        settings.device = args.device
    if args.threads:
        settings.threads = args.threads
    if args.models:
        settings.models_dir = args.models
    settings.user_paintings = list(args.paintings)
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*(argv if argv is not None else sys.argv[1:]), "start"])
    try:
        return args.run(args, settings_from(args)) or 0
    except VoiceartError as exc:
        print(f"voiceart: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
