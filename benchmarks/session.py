"""How long a person waits, as they wait: from the end of their speech to the new picture on screen
(targets on a 2-core CPU with Whisper base: a description 1.0 s, a style name 0.8 s).

Speech is synthesized with espeak-ng and played into the app's real listening path at a
microphone's pace: each 32 ms frame is handed on once its last sample would have been said. It goes
through silero-vad, the end-pointer and Whisper (voiceart.speech.listen), the grammar, the session on
its thread, the stages on the worker's thread, the session folder (every picture is written before it
is shown), and the output's ``show``. The clock starts at the last sample of speech (a 10 ms window
above 2 % of the loudest one's level, as a person stops talking) and stops when the view with the new
picture reaches the output. So the silence tail, voice activity's lag, Whisper and the stages are
all in it.

Each round is heard twice, in turns, so that a busy machine slows both alike: as the app listens
(Whisper started once a pause has lasted the 0.1 s post-roll, a whole command ending its utterance
early, the encoder in bfloat16 where the CPU has it natively) and as it listened before issue 17
(Whisper in float32, started only after the silence tail, a 0.2 s post-roll). Medians are shown;
"handed on" and "transcript" are the medians of when the end-pointer handed the utterance on and
when its transcript was ready, from the end of speech.

Whatever text-to-image model the settings name is used (VOICEART_TEXT2IMAGE, VOICEART_MODELS); the
description must use words it knows. With none installed, train one first (docs/text2image.md).

    VOICEART_THREADS=2 .venv/bin/python benchmarks/session.py [--repeats 5] [--model base|tiny.en]
        [--description "a red circle on a white background"] [--device cpu|cuda]
"""
from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

import numpy as np

from voiceart.app.loop import App, complete_command, frames_of, load_hearing
from voiceart.app.session_folder import SessionFolder
from voiceart.app.stages import Stages
from voiceart.config import Settings
from voiceart.errors import VoiceartError
from voiceart.session.machine import Session
from voiceart.speech import rescore
from voiceart.speech.endpoint import Endpointer
from voiceart.speech.listen import Listening
from voiceart.speech.microphone import FRAME, RATE
from voiceart.speech.transcribe import Transcriber, synthesize

LEAD = 0.5  # seconds of silence before the speech (frames_of's lead)


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


def end_of_speech(audio: np.ndarray, window: int = RATE // 100, floor: float = 0.02) -> int:
    """One past the last sample of speech: the end of the last 10 ms window above ``floor`` of the loudest's RMS."""
    n = len(audio) // window
    rms = np.sqrt(np.mean(audio[:n * window].astype(np.float64).reshape(n, window) ** 2, axis=1))
    return int((np.nonzero(rms > floor * rms.max())[0][-1] + 1) * window)


def at_a_microphones_pace(frames, began: float):
    """Frame k is handed on at ``began`` + (k + 1) frames of time, when its last sample has been said."""
    for k, frame in enumerate(frames):
        time.sleep(max(0.0, began + (k + 1) * FRAME / RATE - time.perf_counter()))
        yield frame


class Heard:
    """One utterance spoken into the listening path; times in seconds from the end of the speech."""

    def __init__(self, app: App, listening: Listening, audio: np.ndarray, settings: Settings):
        listening.vad.reset()
        began = time.perf_counter()
        self.speech_ended = began + (int(LEAD * RATE) + end_of_speech(audio)) / RATE
        stream = listening.hear(at_a_microphones_pace(frames_of(audio, settings, lead=LEAD), began))
        spoken = next(stream, None)
        if spoken is None:
            raise SystemExit("the end-pointer found no utterance")
        self.handed_on = time.perf_counter() - self.speech_ended
        transcript = spoken.transcript()
        self.transcribed = time.perf_counter() - self.speech_ended
        self.text = transcript.text
        app.hear(transcript.text, check=partial(rescore.understand, listening.transcriber, transcript))
        stream.close()  # the rest of the stream is silence

    def shown(self, shown: Shown, number: int) -> float:
        return shown.wait(number) - self.speech_ended


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
    print(f"text-to-image: {settings.text2image_preset}; Whisper {transcriber.name}; device {settings.torch_device()}; "
          f"threads {settings.threads}; silence tail {settings.silence_tail:g} s; encoder in "
          f"{'bfloat16' if transcriber.bf16 else 'float32'}", flush=True)

    shown = Shown()
    session = Session(seed=0)
    description = synthesize(args.description)
    spoken_styles: dict[str, np.ndarray] = {}
    as_before = copy.copy(settings)
    as_before.whisper_precision = "float32"
    before = Transcriber(as_before, styles)
    before.warm()
    ways = {"before": Listening(vad, Endpointer.from_settings(settings, post_roll=0.2), before, early=False),
            "now": Listening(vad, endpointer, transcriber, complete_command(session, styles))}
    times = {(way, key): [] for way in ways for key in ("draw", "style", "draw handed on", "draw transcript",
                                                         "style handed on", "style transcript")}
    with tempfile.TemporaryDirectory(prefix="voiceart-bench-") as tmp:
        settings.pictures_dir = Path(tmp) / "pictures"
        app = App(settings, session, stages, shown, folder=SessionFolder(Path(tmp) / "session"), styles=styles)
        app.start()
        app.wait_idle()  # the models are loaded and warmed up, as they are once the app has started
        for round_ in range(args.repeats + 1):  # the first round warms up and is not counted
            for way, listening in ways.items():
                # A description, then the first recommended style by name, then start over.
                number = len(session.history) + 1
                heard = Heard(app, listening, description, settings)
                draw = heard.shown(shown, number)
                app.wait_idle()
                if session.current is None or session.current.number != number or not session.view.styles:
                    raise SystemExit(f"the description was not drawn (heard \"{heard.text}\"): {session.view.message}")
                style = session.view.styles[0]
                if style not in spoken_styles:
                    spoken_styles[style] = synthesize(style)
                said = Heard(app, listening, spoken_styles[style], settings)
                restyle = said.shown(shown, number + 1)
                app.wait_idle()
                app.hear("start over")
                app.wait_idle()
                if round_ == 0:
                    continue
                for key, value in (("draw", draw), ("style", restyle), ("draw handed on", heard.handed_on),
                                   ("draw transcript", heard.transcribed), ("style handed on", said.handed_on),
                                   ("style transcript", said.transcribed)):
                    times[way, key].append(value)
        app.close()
        drawn_px = session.history[0].image.width

    print(f"\n{args.repeats} rounds, medians in ms from the end of speech; pictures drawn at {drawn_px} px. "
          f"Before: Whisper in float32 started after the {settings.silence_tail:g} s silence tail. Now: started once a "
          f"pause has lasted the post-roll, a whole command ends its utterance early"
          f"{', the encoder in bfloat16' if transcriber.bf16 else ''}.\n")
    print("| path | handed on (before / now) | transcript (before / now) | as a person waits, before | "
          "as a person waits, now | now / before | target |")
    print("|---|---|---|---|---|---|---|")
    for label, key, target in (("description -> first picture shown", "draw", 1.0),
                               ("style name -> repainted picture shown", "style", 0.8)):
        before, now = median_ms(times["before", key]), median_ms(times["now", key])
        handed = " / ".join(f"{median_ms(times[way, f'{key} handed on']):.0f}" for way in ways)
        transcribed = " / ".join(f"{median_ms(times[way, f'{key} transcript']):.0f}" for way in ways)
        verdict = "met" if now <= target * 1000 else "missed"
        print(f"| {label} | {handed} | {transcribed} | {before:.0f} | {now:.0f} | {now / before:.2f} | "
              f"{target:g} s ({verdict}) |")
    counts = ways["now"].counts
    print(f"\nWhisper started early {counts.started} times: kept {counts.kept}, thrown away {counts.thrown_away}; "
          f"utterances ended before the silence tail: {counts.ended_early}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
