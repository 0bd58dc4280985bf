"""``voiceart start`` (the app) and ``voiceart demo`` (a spoken session without a microphone)."""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from datetime import datetime
from functools import partial
from pathlib import Path

from voiceart.config import Settings

# The built-in demo: a scene, the first style voiceart recommends (said by name: espeak-ng's "number
# one" is one of the few commands Whisper does not hear), another painting of that style, save.
FIRST_STYLE = "(the first style voiceart recommends)"
DEMO = ("a lighthouse on the coast at night", FIRST_STYLE, "again", "save")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("start", help="start voiceart: speak a scene, name a style (the default command)",
                       description="Start the hands-free loop: describe a scene out loud, hear the styles that suit it, "
                                   "name one, say again, save. A window shows it when a display works, else the "
                                   "terminal does (type what you would say). Without a microphone the keys and typed "
                                   "commands still work.")
    p.add_argument("--no-window", action="store_true", help="run in the terminal even when a display works")
    p.add_argument("--no-mic", action="store_true", help="do not listen; type commands (or use the window's keys)")
    p.add_argument("--quiet", action="store_true", help="do not speak (everything is also shown)")
    _common(p)
    p.set_defaults(run=run_start)

    p = sub.add_parser("demo", help="play a spoken session without a microphone and keep its pictures",
                       description="Play a session as if spoken: each utterance is synthesized with espeak-ng and goes "
                                   "through the real path (voice activity, end-pointing, Whisper, grammar, session, "
                                   "stages). Without --say it plays: " + "; ".join(u if u == FIRST_STYLE else f'\"{u}\"' for u in DEMO) + ". "
                                   "Prints each step with its timing; the pictures go to --out.")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="where the saved pictures go; DIR/session/ holds every picture made")
    p.add_argument("--say", action="append", metavar="UTTERANCE", help="an utterance to speak (repeat for several, in order)")
    p.add_argument("--voice", default="en-us", help="the espeak-ng voice that speaks them (default en-us)")
    _common(p)
    p.set_defaults(run=run_demo)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="the Whisper model: base (default) or tiny.en (faster, hears less well)")
    p.add_argument("--seed", type=int, default=0, help="which pictures and paintings come out (default 0)")


def _parts(settings: Settings, out_folder: Path | None = None):
    """The catalogue's styles, the stages and a new session folder."""
    from voiceart.app.session_folder import SessionFolder, session_path
    from voiceart.app.stages import Stages, unused
    from voiceart.paintings.catalogue import Catalogue

    catalogue = Catalogue.load(settings)
    folder = SessionFolder(unused(out_folder.parent, out_folder.name) if out_folder else session_path(settings.cache_dir, datetime.now()))
    return list(catalogue.styles()), Stages(settings, catalogue), folder


def open_display():
    """A Tk root when a display works, else (None, why)."""
    if not os.environ.get("DISPLAY"):
        return None, "no display was found (DISPLAY is not set)"
    try:
        import tkinter
    except ImportError:
        return None, "Python's tkinter is missing (sudo apt-get install python3-tk)"
    try:
        return tkinter.Tk(className="voiceart"), None
    except tkinter.TclError as exc:
        return None, f"the display {os.environ['DISPLAY']} cannot be opened ({exc})"


def run_start(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart.app.loop import App, Listener, WindowOutput
    from voiceart.app.terminal import PROMPT, TerminalOutput, read_commands
    from voiceart.session.machine import Session

    if args.model:
        settings.whisper_model = args.model
    styles, stages, folder = _parts(settings)
    root, why = (None, "--no-window was given") if args.no_window else open_display()
    voice = None
    if not args.quiet:
        from voiceart.speech.voice import Voice

        voice = Voice(settings)
    app = None
    if root is not None:
        from voiceart.ui.window import Window

        window = Window(root, send=lambda heard: app.send(heard), talk=lambda: app.talk())
        output = WindowOutput(window)
    else:
        print(f"voiceart runs in the terminal: {why}. Every picture is written to {folder.path} as it is made.\n"
              f"{PROMPT}", flush=True)
        output = TerminalOutput(details=False)
    app = App(settings, Session(seed=args.seed, knows=stages.knows), stages, output, voice, folder, styles)
    try:
        app.start()
        if not args.no_mic:
            Listener(app, settings).start()
        if root is not None:
            # Typed commands work beside the window too (without a microphone, the way to describe a scene).
            print("voiceart's window is open. You may also type what you would say here; \"quit\" closes it.", flush=True)

            def typing():
                if read_commands(app):
                    window.post(root.destroy)

            threading.Thread(target=typing, name="voiceart-typing", daemon=True).start()
            root.mainloop()
        else:
            read_commands(app)
            app.wait_idle()
    finally:
        app.close()
    if folder.kept:
        print(f"This session's pictures are in {folder.path}.")
    return 0


class Stopwatch:
    """Seconds since the last utterance ended, as a prefix for the demo's lines."""

    def __init__(self):
        self.mark = time.perf_counter()

    def reset(self) -> None:
        self.mark = time.perf_counter()

    def stamp(self) -> str:
        return f"{time.perf_counter() - self.mark:+6.2f} s  "


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart.app.loop import App, frames_of, load_hearing
    from voiceart.app.terminal import TerminalOutput
    from voiceart.session.machine import Session
    from voiceart.speech import rescore
    from voiceart.speech.endpoint import segment
    from voiceart.speech.microphone import RATE
    from voiceart.speech.transcribe import synthesize

    from voiceart.images import check_writable

    if args.model:
        settings.whisper_model = args.model
    out = check_writable(Path(args.out), "the demo's pictures")  # before a minute of work, not after
    settings.pictures_dir = out
    utterances = args.say or list(DEMO)
    started = time.perf_counter()
    styles, stages, folder = _parts(settings, out / "session")
    vad, endpointer, transcriber = load_hearing(settings, styles)
    print(f"Loaded voice activity and Whisper {transcriber.name} in {time.perf_counter() - started:.1f} s.", flush=True)
    clock = Stopwatch()
    output = TerminalOutput(stamp=clock.stamp)
    app = App(settings, Session(seed=args.seed, knows=stages.knows), stages, output, None, folder, styles)
    try:
        app.start()
        app.wait_idle()
        for number, text in enumerate(utterances, 1):
            if text == FIRST_STYLE:
                recommended = app.session.view.styles
                text = recommended[0] if recommended else "number one"
            began = time.perf_counter()
            audio = synthesize(text, voice=args.voice)
            print(f"\n{number}. says \"{text}\" ({len(audio) / RATE:.1f} s of speech, synthesized in "
                  f"{time.perf_counter() - began:.2f} s)", flush=True)
            began = time.perf_counter()
            heard = list(segment(frames_of(audio, settings), vad, endpointer))
            print(f"   voice activity found {len(heard)} utterance{'' if len(heard) == 1 else 's'} in "
                  f"{time.perf_counter() - began:.2f} s", flush=True)
            for utterance in heard:
                clock.reset()
                transcript = transcriber.transcribe(utterance.audio)
                gated = f" (dropped: {transcript.gated})" if transcript.gated else ""
                output.note(f"Whisper heard \"{transcript.text}\" in {transcript.seconds:.2f} s{gated}")
                app.hear(transcript.text, check=partial(rescore.understand, transcriber, transcript))
                app.wait_idle()
    finally:
        app.close()
    saved = sorted(out.glob("*.png"))
    kept = (f"Every picture of the session is in {folder.path}" if folder.kept
            else f"No picture of the session could be written to {folder.path}")
    print(f"\nDone in {time.perf_counter() - started:.1f} s. {kept}"
          + (f"; saved: {', '.join(str(p) for p in saved)}." if saved else "; nothing was saved."))
    for message in app.failures:
        print(f"voiceart: {message}", file=sys.stderr)
    return 1 if app.failures else 0
