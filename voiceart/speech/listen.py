"""Listening: microphone frames in, utterances and their transcripts out, Whisper started early.

Live, an utterance ends only after ``silence_tail`` (0.6 s) of silence, and Whisper base then takes
about as long again on two cores: done one after the other, a person waits for both. But once a
pause has lasted the post-roll, the utterance's audio is all heard (``Endpointer.pausing``): if the
pause becomes the end, the end-pointer hands on exactly that audio. So Whisper starts on it then,
on a thread of its own, while the silence tail runs out:

- the pause becomes the end: the transcript is kept (it is of the very same samples);
- speech resumes (a person pausing mid-sentence), the microphone is muted, or the utterance is
  dropped or cut at its maximum length: the transcription is thrown away, and stops within one
  network block (``Transcriber.transcribe``'s ``cancel``), so that it does not slow the next;
- it finishes while the pause goes on, and ``complete(transcript)`` says it is a whole command (the
  grammar can tell "baroque" or "save it", never where a description ends): the utterance ends at
  once, without waiting for the rest of the silence tail.

Transcriptions never overlap: a new one starts after the one thrown away has stopped.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import numpy as np

from voiceart.speech.endpoint import Endpointer, Utterance
from voiceart.speech.transcribe import Cancelled, Transcriber, Transcript


class _Early:
    """One transcription of an utterance heard so far, on its own thread."""

    def __init__(self, transcriber: Transcriber, utterance: Utterance, after: "_Early | None"):
        self.utterance = utterance
        self.cancel = threading.Event()
        self.done = threading.Event()
        self.transcript: Transcript | None = None
        self.error: BaseException | None = None
        self.whole: bool | None = None  # a complete command (asked once it is done)
        self._after = after
        self._transcriber = transcriber
        threading.Thread(target=self._run, name="voiceart-early-whisper", daemon=True).start()

    def _run(self) -> None:
        try:
            self._transcriber.use_threads()
            if self._after is not None:
                self._after.done.wait()  # the one thrown away stops within a block
            if not self.cancel.is_set():
                self.transcript = self._transcriber.transcribe(self.utterance.audio, cancel=self.cancel)
        except Cancelled:
            pass
        except BaseException as exc:  # handed to the listener's thread, which raises it there
            self.error = exc
        finally:
            self._after = None
            self.done.set()

    def of(self, utterance: Utterance) -> bool:
        """Whether this transcription is of ``utterance`` (the same samples of the stream)."""
        return (self.utterance.start, self.utterance.end) == (utterance.start, utterance.end) and not utterance.truncated

    def result(self) -> Transcript:
        self.done.wait()
        if self.error is not None:
            raise self.error
        return self.transcript


@dataclass
class Spoken:
    """One utterance handed on. ``transcript()`` waits for its early transcription or runs Whisper."""

    utterance: Utterance
    early: bool  # ended before the silence tail had passed: a complete command was heard
    _result: Callable[[], Transcript] = field(repr=False)

    def transcript(self) -> Transcript:
        return self._result()


@dataclass
class Counts:
    """What early transcription did, for the benchmark and the doctor: started, kept, thrown away,
    and utterances ended before their silence tail."""

    started: int = 0
    kept: int = 0
    thrown_away: int = 0
    ended_early: int = 0


class Listening:
    """``hear(frames)``: the stream's utterances (``Spoken``), with Whisper started on each pause.

    ``vad(frame)`` gives a frame's speech probability (``reset()`` is called after a gap);
    ``complete(transcript)`` says whether a transcript is a whole command, so that the utterance may
    end before its silence tail (None: never); ``early=False`` transcribes only after the end.
    """

    def __init__(self, vad, endpointer: Endpointer, transcriber: Transcriber,
                 complete: Callable[[Transcript], bool] | None = None, early: bool = True):
        self.vad = vad
        self.endpointer = endpointer
        self.transcriber = transcriber
        self.complete = complete
        self.early = early
        self.counts = Counts()
        self._guess: _Early | None = None
        self._last: _Early | None = None  # the latest transcription started, until it has stopped

    def hear(self, frames: Iterable) -> Iterator[Spoken]:
        """Spoken utterances from frames (arrays, or gaps with a ``samples`` count, e.g. microphone.Gap);
        at the end of the stream an utterance in progress is finished."""
        try:
            for item in frames:
                if isinstance(item, np.ndarray):
                    done = self.endpointer.push(item, self.vad(item))
                else:
                    if hasattr(self.vad, "reset"):
                        self.vad.reset()
                    done = self.endpointer.gap(item.samples)
                for utterance in done:
                    yield self._spoken(utterance, early=False)
                if self.early:
                    yield from self._guess_on()
            for utterance in self.endpointer.flush():
                yield self._spoken(utterance, early=False)
        finally:
            self._throw_away()

    def _guess_on(self) -> Iterator[Spoken]:
        """Start, keep or throw away the early transcription after a frame; end on a complete command."""
        if not self.endpointer.pausing:
            self._throw_away()  # speech resumed, or the utterance was muted, dropped or handed on
            return
        guess = self._guess
        if guess is None:
            self._guess = self._last = _Early(self.transcriber, self.endpointer.so_far(), self._last)
            self.counts.started += 1
        elif guess.whole is None and guess.done.is_set():
            guess.whole = bool(self.complete is not None and guess.transcript and self.complete(guess.transcript))
            if not guess.whole:
                return
            for utterance in self.endpointer.end():
                self.counts.ended_early += 1
                yield self._spoken(utterance, early=True)

    def _spoken(self, utterance: Utterance, early: bool) -> Spoken:
        guess, self._guess = self._guess, None
        if guess is not None and guess.of(utterance):
            self.counts.kept += 1
            return Spoken(utterance, early, guess.result)
        if guess is not None:
            self._cancel(guess)
        last = self._last

        def transcribe() -> Transcript:
            if last is not None:
                last.done.wait()  # one thrown away stops within a block
            return self.transcriber.transcribe(utterance.audio)

        return Spoken(utterance, early, transcribe)

    def _throw_away(self) -> None:
        if self._guess is not None:
            self._cancel(self._guess)
            self._guess = None

    def _cancel(self, guess: _Early) -> None:
        guess.cancel.set()
        self.counts.thrown_away += 1
