"""The glue: what is heard goes into the session, and the session's actions are carried out.

    microphone -> utterances (silero-vad, end-pointing; Whisper already at work on each pause) -> grammar -> Heard
    keys, buttons, typed lines ------------------------------------------> Heard
    Session.handle(event) -> Say (voice + earcon), Run (the worker), Keep (session folder), Show (the output)

One thread owns the session: every event (heard, a key, a finished job, a problem) goes into one
queue and that thread hands them to ``Session.handle`` one at a time, so the pure session never
sees two threads. Jobs run on the worker's thread; the microphone and Whisper on the listener's;
the window's own thread only draws. An output is the window or the terminal: ``show(view)``,
``note(line)`` (what happened, for the terminal and the demo), ``status(text)``, ``level(x)``.
"""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from functools import partial
from typing import Callable, Iterable, Iterator, Protocol

import numpy as np

from voiceart.config import Settings, cap_description
from voiceart.errors import logged, plain_text
from voiceart.session.events import Draw, Drawn, Failed, Heard, Keep, Problem, Run, Save, Saved, Say, Show, State, \
    Stylize, Stylized, View
from voiceart.speech import grammar
from voiceart.vocabulary import Command, Expecting


class Output(Protocol):
    def show(self, view: View) -> None: ...
    def note(self, line: str) -> None: ...
    def status(self, text: str) -> None: ...
    def level(self, value: float) -> None: ...


def describe_job(job: Draw | Stylize | Save) -> str:
    if isinstance(job, Draw):
        return f"drawing \"{job.description}\" (seed {job.seed})"
    if isinstance(job, Stylize):
        how = f"painting {job.painting_id}" if job.painting_id else f"seed {job.seed}"
        return f"repainting in {job.style} at strength {job.strength:g} ({how})"
    return f"saving picture {job.picture.number}"


def describe_result(event) -> str:
    if isinstance(event, Drawn):
        unknown = f"; words it does not know: {', '.join(event.unknown_words)}" if event.unknown_words else ""
        return f"drew a {event.image.width} px picture; genre {event.genre}; styles {', '.join(event.styles)}{unknown}"
    if isinstance(event, Stylized):
        return f"repainted in {event.style} after {event.painting_credit}"
    if isinstance(event, Saved):
        return f"saved {event.path}"
    if isinstance(event, Failed):
        return f"failed: {event.message}"
    return str(event)


SORRY = "Something went wrong inside voiceart; your pictures are kept. Please say it again."


@dataclass(frozen=True)
class _Utterance:
    text: str
    note: str | None = None  # said after the answer: the utterance was cut to MAX_DESCRIPTION
    check: Callable | None = None  # (expecting, styles, numbered) -> Command: the text checked against its audio


class App:
    """The session with its stages, voice, session folder and an output wired to it."""

    def __init__(self, settings: Settings, session, stages, output: Output, voice=None, folder=None,
                 styles: Iterable[str] = ()):
        self.settings = settings
        self.session = session
        self.stages = stages
        self.output = output
        self.voice = voice
        self.folder = folder
        self.styles = list(styles)
        self.listener: Listener | None = None
        self._events: queue.Queue = queue.Queue()
        self._pending = 0  # events waiting or being handled, and jobs waiting or running
        self._idle = threading.Condition()
        self.failures: list[str] = []  # the sentence of every job that failed, in order
        self._thread = threading.Thread(target=self._loop, name="voiceart-session", daemon=True)
        from voiceart.app.worker import Worker

        self._add(1)  # loading the models counts as work: wait_idle waits for it
        self.worker = Worker(self._run_job, self._job_done, prepare=self._prepare, fail=self._job_failed)
        self._thread.start()

    # -- in ------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Greet and show the first view (the session says what to do)."""
        self._add(1)
        self._events.put(None)

    def send(self, event) -> None:
        """Any event: a key or button (Heard), a Problem; thread-safe."""
        self._add(1)
        self._events.put(event)

    def hear(self, text: str, check: Callable | None = None) -> None:
        """An utterance as text (from Whisper or typed); the grammar reads it as the session then expects.
        Text that was not UTF-8 is mended and a very long one is cut (and said so), so that no typed
        line can stall or break the session. ``check`` understands a heard utterance against its audio
        (voiceart.speech.rescore.understand)."""
        text, note = cap_description(plain_text(text))
        if text:
            self.send(_Utterance(text, note, check))

    def talk(self) -> None:
        """Push to talk: stop speaking so the microphone hears at once; wake the session if it sleeps."""
        if self.voice is not None:
            self.voice.stop()
            self.voice.earcon("listening")
        if self.listener is not None and self.listener.problem:
            self.send(Problem(self.listener.problem))
        elif self.session.state is State.ASLEEP:
            self.send(Heard(Command("wake")))

    # -- waiting and stopping --------------------------------------------------------------------------
    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every event is handled and every job done (with what they set off); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        if self.listener is not None:
            self.listener.stop()
        self.worker.close()
        self._events.put(StopIteration)
        self._thread.join(timeout=5.0)
        if self.voice is not None:
            self.voice.close()

    # -- inside ----------------------------------------------------------------------------------------
    def _add(self, n: int) -> None:
        with self._idle:
            self._pending += n
            if self._pending == 0:
                self._idle.notify_all()

    def _prepare(self) -> None:
        started = time.perf_counter()
        try:
            problems = self.stages.prepare()
            self.output.note(f"models loaded in {time.perf_counter() - started:.1f} s"
                             + (f"; not loaded: {' '.join(problems)}" if problems else ""))
        finally:
            self._add(-1)

    def _run_job(self, job):
        started = time.perf_counter()
        self.output.note(describe_job(job))
        event = self.stages.run(job)
        if isinstance(event, Failed):
            self.failures.append(event.message)
        self.output.note(f"{describe_result(event)} ({time.perf_counter() - started:.2f} s)")
        return event

    def _job_failed(self, job, exc: Exception) -> Failed:
        event = Failed(job.job, logged(exc))
        self.failures.append(event.message)
        return event

    def _job_done(self, event) -> None:
        self.send(event)
        self._add(-1)  # the job's own count: its answer is counted now

    def _loop(self) -> None:
        while True:
            event = self._events.get()
            if event is StopIteration:
                return
            note = None
            try:
                if isinstance(event, _Utterance):
                    note = event.note
                    event = self._understand(event.text, event.check)
                actions = self.session.start() if event is None else self.session.handle(event)
                self._carry_out(actions)
                if isinstance(event, Heard) and note:
                    self._say_aside(note)
            except Exception as exc:  # a bug in the session must not silence the app: say it, go on
                self.output.note(logged(exc, f"The session, on {type(event).__name__},"))
                self.output.note(f"says: {SORRY}")
                if self.voice is not None:
                    self.voice.say(SORRY)
            finally:
                self._add(-1)

    def _say_aside(self, text: str) -> None:
        """Say ``text`` after whatever is being said, cutting nothing short."""
        self.output.note(f"says: {text}")
        if self.voice is not None:
            self.voice.say(text, interrupt=False)

    def _understand(self, text: str, check: Callable | None = None) -> Heard:
        """Parse on the session's thread, so what it expects is what it expects now."""
        understand = check or partial(grammar.parse, text)
        command = understand(self.session.expecting, self.styles, self.session.numbered)
        self.output.note(f"heard \"{text}\" -> {command.name}{f' {command.argument}' if command.argument else ''}"
                         f"{f' (asks: {command.question})' if command.question else ''}")
        return Heard(command, text)

    def _carry_out(self, actions) -> None:
        first_say = True
        for action in actions:
            if isinstance(action, Say):
                self.output.note(f"says: {action.text}" + (f" [{action.earcon}]" if action.earcon else ""))
                if self.voice is not None:
                    if first_say:
                        self.voice.stop()  # a new answer cuts the old one short
                    if action.earcon:
                        self.voice.earcon(action.earcon)
                    self.voice.say(action.text, interrupt=False)
                first_say = False
            elif isinstance(action, Run):
                self._add(1)
                self.worker.submit(action.job)
            elif isinstance(action, Keep):
                self._keep(action)
            elif isinstance(action, Show):
                self.output.show(action.view)

    def _keep(self, action: Keep) -> None:
        if self.folder is None:
            return
        path, problem = self.folder.keep(action.picture)
        if path is not None:
            self.output.note(f"kept picture {action.picture.number} in {path}")
        if problem:
            self.send(Problem(problem))


# --- hearing ----------------------------------------------------------------------------------------

def frames_of(audio: np.ndarray, settings: Settings, lead: float = 0.5) -> Iterator[np.ndarray]:
    """Audio as the microphone would give it: frames of silence, the speech, then silence long
    enough for the end-pointer to end the utterance as it would live."""
    from voiceart.speech.microphone import FRAME, RATE

    silence_after = settings.silence_tail + 0.5
    samples = np.concatenate([np.zeros(int(lead * RATE), np.float32), np.asarray(audio, np.float32),
                              np.zeros(int(silence_after * RATE) + FRAME, np.float32)])
    for i in range(0, len(samples) - FRAME + 1, FRAME):
        yield samples[i:i + FRAME]


def load_hearing(settings: Settings, styles: Iterable[str]):
    """(voice activity detector, end-pointer, Whisper): what turns audio into text, Whisper warmed up."""
    from voiceart.speech.endpoint import Endpointer
    from voiceart.speech.transcribe import Transcriber
    from voiceart.speech.vad import SileroVAD

    transcriber = Transcriber(settings, list(styles))
    transcriber.warm()
    return SileroVAD(), Endpointer.from_settings(settings), transcriber


def complete_command(session, styles: Iterable[str]) -> Callable:
    """``complete(transcript)`` for voiceart.speech.listen: whether what was heard is a whole command
    that the grammar and Whisper are both sure of, read as ``session`` expects now. Never while a
    description is expected: a scene with a pause in it ("a castle on a hill ... at night") reads as
    a whole scene too, and only the silence tail can tell where it ends."""
    from voiceart.speech import rescore

    styles = list(styles)

    def complete(transcript) -> bool:
        expecting = session.expecting
        if expecting is Expecting.DESCRIPTION:
            return False
        parsed = grammar.parse(transcript.text, expecting, styles, session.numbered)
        return rescore.confident(parsed, transcript.avg_logprob, expecting)

    return complete


class Listener:
    """The microphone path on its own thread: every utterance heard becomes ``app.hear(text)``.
    Whisper starts on each pause and a whole command ends its utterance early (voiceart.speech.listen).

    Without a microphone (or Whisper weights) it says so once, as a Problem, and stops; the keys
    and typed commands go on working.
    """

    LEVEL_EVERY = 3  # frames between level updates (about 0.1 s)

    def __init__(self, app: App, settings: Settings):
        self.app = app
        self.settings = settings
        self.problem: str | None = None
        self._mic = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="voiceart-listener", daemon=True)

    def start(self) -> "Listener":
        self.app.listener = self
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._mic is not None:
            self._mic.close()
        self._thread.join(timeout=5.0)

    def _fail(self, message: str) -> None:
        self.problem = message
        self.app.output.status("not listening")
        self.app.send(Problem(message))

    def _run(self) -> None:
        from voiceart.errors import VoiceartError
        from voiceart.speech import rescore
        from voiceart.speech.listen import Listening
        from voiceart.speech.microphone import Microphone

        try:
            with Microphone.from_settings(self.settings) as mic:  # first: without one, Whisper need not load
                self._mic = mic
                vad, endpointer, transcriber = load_hearing(self.settings, self.app.styles)
                listening = Listening(vad, endpointer, transcriber, complete_command(self.app.session, self.app.styles))
                self.app.output.status("listening")
                for spoken in listening.hear(self._observe(mic.frames())):
                    if self._stopped.is_set():
                        return
                    self.app.output.status("thinking")
                    heard = spoken.transcript()
                    self.app.hear(heard.text, check=partial(rescore.understand, transcriber, heard))
                    self.app.output.status("listening")
        except VoiceartError as exc:
            if not self._stopped.is_set():
                self._fail(str(exc))
        except ImportError as exc:
            self._fail(f"Listening needs the Python package {exc.name}; the keys and typed commands still work.")
        except Exception as exc:  # never a silent, deaf app: say it, and the keys go on working
            self._fail(f"{logged(exc, 'Listening').removesuffix('.')}; the keys and typed commands still work.")

    def _observe(self, frames: Iterable) -> Iterator:
        """The frames as they are, telling the output the level, and when voiceart itself speaks (muted)."""
        count, speaking = 0, False
        for item in frames:
            if isinstance(item, np.ndarray):
                if speaking:
                    speaking = False
                    self.app.output.status("listening")
                count += 1
                if count % self.LEVEL_EVERY == 0:
                    self.app.output.level(level(item))
            elif not speaking:
                speaking = True
                self.app.output.status("speaking")
            yield item


def level(frame: np.ndarray) -> float:
    """0..1 for a level meter: the frame's RMS on a -60..0 dBFS scale."""
    rms = float(np.sqrt(np.mean(np.square(frame, dtype=np.float64)))) if len(frame) else 0.0
    db = 20.0 * np.log10(max(rms, 1e-6))
    return float(min(1.0, max(0.0, (db + 60.0) / 60.0)))


class WindowOutput:
    """The Tk window as an output: views are posted to the Tk thread; status and level are thread-safe."""

    def __init__(self, window):
        self.window = window

    def show(self, view: View) -> None:
        self.window.post(lambda: self.window.show(view))

    def note(self, line: str) -> None:
        pass  # the window shows the view; the steps behind it are for the terminal and the demo

    def status(self, text: str) -> None:
        self.window.set_status(text)

    def level(self, value: float) -> None:
        self.window.set_level(value)
