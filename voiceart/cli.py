"""The voiceart command line: one program, a subcommand per task (``voiceart --help`` lists them).

:func:`main` is where every error of a command becomes one sentence and exit status 2 (see
voiceart.errors), and where logging is set up, once: every module logs to ``logging.getLogger(__name__)``
and its lines reach stderr as "voiceart: ..." (warnings always, what was chosen with ``--verbose``,
library warnings and tracebacks with ``--debug``). Prints are only for what a command's user reads.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import warnings
from pathlib import Path

from voiceart.config import Settings, check_seed
from voiceart.errors import debugging, plain_text, report, thread_excepthook

log = logging.getLogger("voiceart")  # the package's logger: every voiceart.* logger's lines reach its handler


def _command_groups():
    # Each stage keeps its subcommands beside its code; importing them is cheap (no torch at import).
    from voiceart.app import cli as app
    from voiceart.genre import cli as genre
    from voiceart.paintings import cli as paintings
    from voiceart.speech import cli as speech
    from voiceart.style import cli as style
    from voiceart.text2image import cli as text2image
    from voiceart.text2image.scenes import cli as scenes

    return [app, paintings, style, genre, speech, text2image, scenes]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voiceart", description="Hands-free art: describe a scene, hear the styles that suit it, repaint it like a real painting.")
    parser.add_argument("--device", help="cpu, cuda or auto (default: auto, CUDA when present)")
    parser.add_argument("--threads", type=int, help="CPU threads for the models (default: all cores)")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="also say what voiceart chose on the way (which model files, what it fell back to)")
    parser.add_argument("--debug", action="store_true",
                        help="show tracebacks and library warnings (also VOICEART_DEBUG=1)")
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
    if args.device is not None:
        settings.device = args.device
    if args.threads is not None:
        settings.threads = args.threads
    if args.models:
        settings.models_dir = args.models
    settings.user_paintings = list(args.paintings)
    return settings


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure is one line on stderr and exit status 2 (130 for Ctrl-C)."""
    parser = build_parser()
    words = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(words)
    if args.command is None:
        args = parser.parse_args([*words, "start"])
    for name, value in vars(args).items():  # text (not paths): bytes that were not UTF-8 become U+FFFD
        if isinstance(value, str):
            setattr(args, name, plain_text(value))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            setattr(args, name, [plain_text(v) for v in value])
    debug_before = os.environ.get("VOICEART_DEBUG")
    if args.debug:
        os.environ["VOICEART_DEBUG"] = "1"
    hook_before = threading.excepthook
    threading.excepthook = thread_excepthook
    if not any(isinstance(h, _Stderr) for h in log.handlers):
        log.addHandler(_Stderr())
        log.propagate = False
    level_before = log.level  # main may run again in one process (the tests): --verbose lasts one command
    log.setLevel(logging.DEBUG if debugging() else logging.INFO if args.verbose else logging.WARNING)
    try:
        with warnings.catch_warnings():
            if not debugging():
                warnings.showwarning = _log_warning
            return _run(args, program=argv is None)
    finally:
        threading.excepthook = hook_before
        log.setLevel(level_before)
        if debug_before is None:
            os.environ.pop("VOICEART_DEBUG", None)
        else:
            os.environ["VOICEART_DEBUG"] = debug_before


def _run(args: argparse.Namespace, program: bool) -> int:
    try:
        if getattr(args, "seed", None) is not None:
            check_seed(args.seed)
        return args.run(args, settings_from(args)) or 0
    except KeyboardInterrupt:
        # A second Ctrl-C while threads and atexit handlers finish would print their tracebacks.
        if program:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("voiceart: stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `voiceart styles | head`: the reader has all it wants
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 0
    except Exception as exc:  # VoiceartError is a sentence already; anything else is made one
        report(exc, f"voiceart {args.command}" if isinstance(args.command, str) else "voiceart")
        return 2


class _Stderr(logging.Handler):
    """voiceart's log lines on whatever sys.stderr is now, as "voiceart: ..."."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            print(f"voiceart: {self.format(record)}", file=sys.stderr, flush=True)
        except (OSError, ValueError):
            pass


def _log_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """warnings.showwarning while a command runs: a library's warning is a debug line, not raw stderr."""
    log.debug("%s: %s (%s:%s)", category.__name__, message, filename, lineno)
