"""How long a person waits: from the end of a spoken description to the first picture on screen,
and from a spoken style name to the repainted picture (targets on this 2-core CPU: 3 s and 2 s).

Speech is synthesized with espeak-ng and goes through the app's real path: silero-vad and the
end-pointer, Whisper, the grammar, the session on its thread, the stages on the worker's thread,
the session folder (every picture is written before it is shown), and the output's ``show``. The
clock starts when the end-pointer hands the utterance on and stops when the view with the new
picture reaches the output. Live, the end-pointer hands an utterance on ``silence_tail`` seconds
(0.6) after the speech ends: that wait is added for the "as a person waits" column.

The peer is the same steps called directly from Python without the session and app layers
(Whisper, the grammar, then text-to-image and genre, or picking a painting and style transfer, on
the same loaded models); app / direct is the cost of the layers. Rounds are taken in turns (app,
direct, app, ...) so a busy machine slows both alike; medians are shown.

Whatever text-to-image model the settings name is used (VOICEART_TEXT2IMAGE, VOICEART_MODELS); the
description must use words it knows. With none installed, train one first (docs/text2image.md).

    VOICEART_THREADS=1 .venv/bin/python benchmarks/session.py [--repeats 5] [--model base|tiny.en]
        [--description "a red circle on a white background"] [--device cpu|cuda]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from voiceart.app.loop import App, frames_of, load_hearing
from voiceart.app.session_folder import SessionFolder
from voiceart.app.stages import STYLE_SIDE, Stages, at_least
from voiceart.config import Settings
from voiceart.errors import VoiceartError
from voiceart.images import load_image
from voiceart.session.machine import Session
from voiceart.speech import grammar
from voiceart.speech.endpoint import segment
from voiceart.speech.transcribe import synthesize
from voiceart.vocabulary import Expecting


class Shown:
    """An output that notes when each picture is first shown."""

    def __init__(self):
        self.at: dict[int, float] = {}
        self._changed = threading.Condition()

    def show(self, view) -> None:
        if view.picture is not None:
            with self._changed:
                self.at.setdefault(view.picture.number, time.perf_counter())
                self._changed.notify_all()

    def wait(self, number: int, timeout: float = 120.0) -> float:
        with self._changed:
            if not self._changed.wait_for(lambda: number in self.at, timeout):
                raise SystemExit(f"picture {number} was never shown")
            return self.at[number]

    def note(self, line: str) -> None:
        if "failed" in line:
            print(f"  app: {line}", file=sys.stderr)

    def status(self, text: str) -> None:
        pass

    def level(self, value: float) -> None:
        pass


def utterance_of(text: str, settings: Settings, vad, endpointer):
    """The one utterance the end-pointer cuts from ``text`` spoken, and the seconds voice activity took."""
    audio = synthesize(text)
    started = time.perf_counter()
    found = list(segment(frames_of(audio, settings), vad, endpointer))
    seconds = time.perf_counter() - started
    if len(found) != 1:
        raise SystemExit(f"\"{text}\" came out as {len(found)} utterances")
    return found[0], seconds


def median_ms(values: list[float]) -> float:
    return 1000 * statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--model", help="Whisper model: base (the app's default) or tiny.en")
    parser.add_argument("--description", default="a red circle on a white background")
    parser.add_argument("--device", help="cpu or cuda (default: CUDA when present)")
    args = parser.parse_args()

    settings = Settings()
    if args.model:
        settings.whisper_model = args.model
    if args.device:
        settings.device = args.device
    stages = Stages(settings)
    styles = list(stages.catalogue.styles())
    try:
        stages.text2image
    except VoiceartError as exc:
        raise SystemExit(f"{exc}") from None
    vad, endpointer, transcriber = load_hearing(settings, styles)
    device = settings.torch_device()
    print(f"text-to-image: {settings.text2image_preset}; Whisper {transcriber.name}; device {device}; "
          f"threads {settings.threads}", flush=True)

    shown = Shown()
    session = Session(seed=0)
    with tempfile.TemporaryDirectory(prefix="voiceart-bench-") as tmp:
        settings.pictures_dir = Path(tmp) / "pictures"
        app = App(settings, session, stages, shown, folder=SessionFolder(Path(tmp) / "session"), styles=styles)
        app.start()
        app.wait_idle()  # the models are loaded and warmed up, as they are once the app has started
        description, vad_seconds = utterance_of(args.description, settings, vad, endpointer)
        style_audio: dict[str, tuple] = {}
        times = {key: [] for key in ("app draw", "direct draw", "app style", "direct style", "whisper description",
                                     "whisper style", "draw + genre", "pick + style")}
        vad_times = [vad_seconds]
        rng = random.Random(0)
        for _ in range(args.repeats + 1):  # the first round warms up and is not counted
            # -- the app: a description, then the first recommended style by name, then start over
            number = len(session.history) + 1
            began = time.perf_counter()
            app.hear(transcriber.transcribe(description.audio).text)
            draw = shown.wait(number) - began
            app.wait_idle()
            if session.current is None or session.current.number != number or not session.view.styles:
                raise SystemExit(f"the description was not drawn: {session.view.message}")
            style = session.view.styles[0]
            if style not in style_audio:
                style_audio[style] = utterance_of(style, settings, vad, endpointer)
            spoken_style, seconds = style_audio[style]
            vad_times.append(seconds)
            began = time.perf_counter()
            app.hear(transcriber.transcribe(spoken_style.audio).text)
            restyle = shown.wait(number + 1) - began
            app.wait_idle()
            app.hear("start over")
            app.wait_idle()

            # -- the same steps, directly
            began = time.perf_counter()
            heard = transcriber.transcribe(description.audio)
            whisper_description = heard.seconds
            command = grammar.parse(heard.text, Expecting.DESCRIPTION, styles)
            step = time.perf_counter()
            image = stages.text2image.generate(command.argument, seed=rng.randrange(2**31)).largest[0]
            advice = stages.genre.classify(image, command.argument)
            done = time.perf_counter()
            direct_draw, draw_genre = done - began, done - step
            began = time.perf_counter()
            heard = transcriber.transcribe(spoken_style.audio)
            whisper_style = heard.seconds
            command = grammar.parse(heard.text, Expecting.STYLE, styles, advice.styles)
            step = time.perf_counter()
            painting = stages.catalogue.pick(command.argument or style, rng)
            stages.stylizer.stylize(at_least(image, STYLE_SIDE), [load_image(painting.path, settings.max_side)[0]])
            done = time.perf_counter()
            direct_style, pick_style = done - began, done - step
            if _ == 0:
                continue
            for key, value in (("app draw", draw), ("direct draw", direct_draw), ("app style", restyle),
                               ("direct style", direct_style), ("whisper description", whisper_description),
                               ("whisper style", whisper_style), ("draw + genre", draw_genre), ("pick + style", pick_style)):
                times[key].append(value)
        app.close()
        drawn_px = session.history[0].image.width

    tail = settings.silence_tail
    vad_ms = median_ms(vad_times)
    rows = [
        ("description -> first picture shown", "app draw", "direct draw", 3.0),
        ("style name -> repainted picture shown", "app style", "direct style", 2.0),
    ]
    print(f"\n{args.repeats} rounds, medians in ms; pictures drawn at {drawn_px} px, repainted at {STYLE_SIDE} px. Live, the end-pointer adds its silence tail ({tail * 1000:.0f} ms) "
          f"and voice activity (at most {vad_ms:.0f} ms: a whole utterance's worth) before the clock starts.\n")
    print("| path | app | direct | app / direct | as a person waits (+ tail + VAD) | target |")
    print("|---|---|---|---|---|---|")
    for label, app_key, direct_key, target in rows:
        a, d = median_ms(times[app_key]), median_ms(times[direct_key])
        waits = a + tail * 1000 + vad_ms
        verdict = "met" if waits <= target * 1000 else "missed"
        print(f"| {label} | {a:.0f} | {d:.0f} | {a / d:.2f} | {waits:.0f} | {target:g} s ({verdict}) |")
    print("\nInside the direct path:")
    for key in ("whisper description", "draw + genre", "whisper style", "pick + style"):
        print(f"  {key}: {median_ms(times[key]):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
