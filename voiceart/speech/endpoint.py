"""End-pointing: frames of audio and their speech probabilities in, whole utterances out.

Pure logic, no audio devices and no clocks: time is counted in samples pushed, so it behaves
the same on a live microphone, on a fake one that runs faster than real time, and on a file.

The rules (times are settings):

- An utterance starts at the first frame whose probability reaches ``threshold``; its audio
  begins ``pre_roll`` earlier (what was heard just before), so a soft first syllable is kept.
- It goes on while frames are speech. A frame below ``negative_threshold`` (hysteresis: lower
  than ``threshold``) starts a silence; a frame at ``threshold`` or above cancels it; frames
  in between neither start nor cancel one. ``silence_tail`` of silence ends the utterance.
- The audio ends ``post_roll`` after the last speech frame (never past what was heard). 0.1 s:
  silero-vad already judges speech for 4 to 120 ms (median 70) past its real end, and Whisper base
  wrote the same text at 0.2, 0.064 and 0 s on 16 recordings of 3 engines; the shorter it is, the
  sooner Whisper can start on a pause (below).
- An utterance reaching ``max_utterance`` is cut there (``truncated``); if the person is
  still talking the next frame starts a new one.
- Utterances with less than ``min_speech`` of speech frames (a click, a cough) are dropped.
- ``gap(n)`` (the microphone was muted while voiceart spoke) drops an utterance in progress
  and what came before it: nothing voiceart said can become part of one.

While an utterance is in a pause that has lasted ``post_roll``, its audio is all heard: if the
pause becomes its end, it is exactly ``so_far()``. ``pausing`` says so, and lets a listener start
Whisper on it before the silence tail has passed (voiceart.speech.listen); ``end()`` ends it at
once (what was heard is a complete command).
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import numpy as np

RATE = 16000


@dataclass
class Utterance:
    """One stretch of speech. Sample numbers count from the start of the stream (gaps included)."""

    start: int  # first sample of ``audio`` (the pre-roll included)
    end: int  # one past the last sample of ``audio``
    speech_start: int  # first sample of the first frame judged speech
    speech_end: int  # one past the last sample of the last frame judged speech
    audio: np.ndarray = field(repr=False)  # float32 samples [start, end)
    truncated: bool = False  # cut at the maximum length
    rate: int = RATE

    @property
    def seconds(self) -> float:
        return (self.end - self.start) / self.rate

    @property
    def speech_seconds(self) -> tuple[float, float]:
        """(start, end) of the speech in seconds from the start of the stream."""
        return self.speech_start / self.rate, self.speech_end / self.rate


class Endpointer:
    def __init__(self, rate: int = RATE, threshold: float = 0.5, negative_threshold: float | None = None,
                 silence_tail: float = 0.6, max_utterance: float = 15.0, pre_roll: float = 0.3,
                 post_roll: float = 0.1, min_speech: float = 0.15):
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if silence_tail <= 0 or max_utterance <= 0 or pre_roll < 0 or post_roll < 0:
            raise ValueError("silence_tail and max_utterance must be positive, pre_roll and post_roll not negative")
        self.rate = rate
        self.threshold = threshold
        self.negative_threshold = max(0.0, threshold - 0.15) if negative_threshold is None else negative_threshold
        self.silence_tail = round(silence_tail * rate)
        self.max_length = round(max_utterance * rate)
        self.pre_roll = round(pre_roll * rate)
        self.post_roll = min(round(post_roll * rate), self.silence_tail)
        self.min_speech = round(min_speech * rate)
        self.position = 0  # samples seen so far, gaps included
        self.reset()

    @classmethod
    def from_settings(cls, settings, **kwargs) -> "Endpointer":
        values = dict(threshold=getattr(settings, "vad_threshold", 0.5), silence_tail=settings.silence_tail,
                      max_utterance=settings.max_utterance, pre_roll=settings.pre_roll)
        values.update(kwargs)
        return cls(**values)

    def reset(self) -> None:
        """Forget everything heard (the stream position stays)."""
        self._recent: deque[tuple[int, np.ndarray]] = deque()  # (first sample, frame) of the latest frames
        self._recent_samples = 0
        self._floor = self.position  # no utterance's audio may start before this
        self._active = False
        self._frames: list[np.ndarray] = []  # audio of the utterance in progress
        self._start = self._speech_start = self._speech_end = 0
        self._speech_samples = 0
        self._silence_from: int | None = None

    # -- feeding ------------------------------------------------------------------------------
    def push(self, frame: np.ndarray, probability: float) -> list[Utterance]:
        """Add the next frame and its speech probability; returns the utterances it completed (0 or 1)."""
        frame = np.asarray(frame, dtype=np.float32)
        begin = self.position
        end = begin + len(frame)
        self.position = end
        done: list[Utterance] = []
        speech = probability >= self.threshold
        if not self._active:
            if speech:
                self._begin(begin)
        if self._active:
            self._frames.append(frame)
            if speech:
                self._speech_end = end
                self._speech_samples += len(frame)
                self._silence_from = None
            elif probability < self.negative_threshold and self._silence_from is None:
                self._silence_from = begin
            if self._silence_from is not None and end - self._silence_from >= self.silence_tail:
                done += self._finish(truncated=False)
            elif end - self._start >= self.max_length:
                done += self._finish(truncated=True)
        self._remember(begin, frame)
        return done

    def gap(self, samples: int) -> list[Utterance]:
        """``samples`` were not heard (muted): drop the utterance in progress and the pre-roll."""
        self.position += int(samples)
        self.reset()
        return []

    @property
    def pausing(self) -> bool:
        """The utterance in progress holds enough speech and is in a pause at least ``post_roll`` long:
        ``so_far()`` is what it will be if no more speech comes."""
        return (self._active and self._silence_from is not None and self._speech_samples >= self.min_speech
                and self.position >= self._speech_end + self.post_roll)

    def so_far(self) -> Utterance:
        """The utterance in progress as it would be handed on if it ended now (it goes on)."""
        return self._utterance(truncated=False)

    def end(self) -> list[Utterance]:
        """End the utterance in progress now, as the silence tail would have (0 or 1 utterances)."""
        return self._finish(truncated=False) if self._active else []

    def flush(self) -> list[Utterance]:
        """The stream ended: finish the utterance in progress, if it holds enough speech."""
        done = self._finish(truncated=False) if self._active else []
        self.reset()
        return done

    # -- inside -------------------------------------------------------------------------------
    def _remember(self, begin: int, frame: np.ndarray) -> None:
        self._recent.append((begin, frame))
        self._recent_samples += len(frame)
        # Keep enough for the pre-roll plus the frame that will start speech.
        while self._recent and self._recent_samples - len(self._recent[0][1]) >= self.pre_roll:
            self._recent_samples -= len(self._recent.popleft()[1])

    def _begin(self, begin: int) -> None:
        start = max(begin - self.pre_roll, self._floor)
        pre = [f[max(0, start - b):] for b, f in self._recent if b + len(f) > start]
        if self._recent:
            start = max(start, self._recent[0][0])
        else:
            start = begin
        self._active = True
        self._frames = pre
        self._start = start
        self._speech_start = begin
        self._speech_end = begin
        self._speech_samples = 0
        self._silence_from = None

    def _utterance(self, truncated: bool) -> Utterance:
        audio = np.concatenate(self._frames) if self._frames else np.zeros(0, dtype=np.float32)
        heard_end = self._start + len(audio)
        end = heard_end if truncated else min(heard_end, self._speech_end + self.post_roll)
        if len(self._frames) > 1:
            self._frames = [audio]  # joined once: so_far() is asked again on the next pause
        return Utterance(start=self._start, end=end, speech_start=self._speech_start, speech_end=self._speech_end,
                         audio=audio[:end - self._start].copy(), truncated=truncated, rate=self.rate)

    def _finish(self, truncated: bool) -> list[Utterance]:
        utterance = self._utterance(truncated)
        keep = self._speech_samples >= self.min_speech
        self._active = False
        self._frames = []
        self._floor = utterance.end
        self._silence_from = None
        return [utterance] if keep else []


def segment(frames: Iterable, vad: Callable[[np.ndarray], float], endpointer: Endpointer) -> Iterator[Utterance]:
    """Utterances from a stream of frames (arrays, or gaps with a ``samples`` count, e.g. microphone.Gap).

    ``vad(frame)`` gives the speech probability of a frame; if it has ``reset()``, that is called
    after a gap. At the end of the stream an utterance in progress is finished.
    """
    for item in frames:
        if isinstance(item, np.ndarray):
            yield from endpointer.push(item, vad(item))
        else:
            if hasattr(vad, "reset"):
                vad.reset()
            yield from endpointer.gap(item.samples)
    yield from endpointer.flush()
