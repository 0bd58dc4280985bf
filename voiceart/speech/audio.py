"""Sound samples at the edges: WAV files in and out, and the one resampler.

Every sound voiceart handles is float32 mono in [-1, 1] at a stated rate. ``read_wav`` reads any
uncompressed WAV (8/16/24/32-bit integer or float, any channel count, 1 kHz to 768 kHz) and says in
one sentence why a file cannot be used; ``write_wav`` writes 16-bit mono, whole or not at all.
``Resampler`` converts rates as a stream (the microphone's blocks) and ``resample`` a whole sound
(a file for Whisper, speech for a loudspeaker that refuses 22 kHz), with the same filter.
"""
from __future__ import annotations

import math
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from voiceart.errors import VoiceartError
from voiceart.files import atomic_write

RATE = 16000  # samples per second of everything the hearing stage hands on (silero-vad and Whisper hear this)


class AudioFileError(VoiceartError):
    """An audio file that cannot be used, in one sentence."""


# --- WAV files -----------------------------------------------------------------------------------

def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """(float32 mono samples, rate) of a WAV file (no ffmpeg needed)."""
    path = Path(path)
    if not path.is_file():
        raise AudioFileError(f"There is no audio file at {path}.")
    rate, data = _read_pcm(path) or _read_any(path)
    audio = to_float(np.asarray(data))
    if audio.dtype.kind == "f" and not np.isfinite(audio).all():
        raise AudioFileError(f"{path} is damaged: it holds samples that are not numbers.")
    if not 1000 <= int(rate) <= 768_000:
        raise AudioFileError(f"{path} says its sample rate is {int(rate)} Hz; voiceart reads 1 kHz to 768 kHz.")
    if audio.ndim == 2:
        audio = audio.mean(axis=1, dtype=np.float32)
    if audio.size == 0:
        raise AudioFileError(f"{path} holds no audio.")
    return np.ascontiguousarray(audio, dtype=np.float32), int(rate)


def read_speech(path: Path) -> np.ndarray:
    """A WAV file as the hearing stage and Whisper hear it: float32 mono at 16 kHz."""
    return resample(*read_wav(path))


def _read_pcm(path: Path) -> tuple[int, np.ndarray] | None:
    """(rate, samples) of an 8, 16 or 32-bit integer PCM file through the standard library, which
    costs nothing to import (scipy takes 0.2 s: the first sentence spoken would wait for it);
    None for anything else."""
    try:
        with wave.open(str(path), "rb") as f:
            rate, channels, width, frames = f.getframerate(), f.getnchannels(), f.getsampwidth(), f.getnframes()
            data = f.readframes(frames)
    except Exception:  # noqa: BLE001 - not a plain PCM file, or a damaged one: scipy reads it or names the problem
        return None
    dtype = {1: np.uint8, 2: np.dtype("<i2"), 4: np.dtype("<i4")}.get(width)
    if dtype is None or channels < 1:
        return None
    if len(data) < frames * channels * width:
        raise AudioFileError(f"{path} is damaged: it ends before its header says it does.")
    return rate, np.frombuffer(data, dtype=dtype).reshape(-1, channels)


def _read_any(path: Path) -> tuple[int, np.ndarray]:
    """(rate, samples) of any uncompressed WAV (float, 24-bit, extensible headers) through scipy."""
    import warnings

    from scipy.io import wavfile

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            rate, data = wavfile.read(path, mmap=False)
    except Exception as exc:  # not RIFF/WAVE, truncated, a compressed format scipy does not read...
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise AudioFileError(f"{path} cannot be read as a WAV file ({reason}); voiceart reads uncompressed WAV.") from None
    # A file cut short is damaged, not a recording to guess words from (Whisper heard "redo" in one);
    # scipy's other warnings (a chunk it skips) are about files that read whole.
    if any("EOF" in str(w.message) or "Incomplete" in str(w.message) for w in caught):
        raise AudioFileError(f"{path} is damaged: it ends before its header says it does.")
    return rate, data


def to_float(data: np.ndarray) -> np.ndarray:
    """Samples of any WAV type as float32 in [-1, 1]."""
    if data.dtype == np.uint8:
        return (data.astype(np.float32) - 128.0) / 128.0
    if np.issubdtype(data.dtype, np.integer):
        return (data.astype(np.float32) / float(-np.iinfo(data.dtype).min)).astype(np.float32)
    return data.astype(np.float32)


def write_wav(path: Path, audio: np.ndarray, rate: int) -> Path:
    """Write float samples in [-1, 1] as a 16-bit mono WAV file, whole or not at all."""
    samples = np.clip(np.round(np.asarray(audio, dtype=np.float64) * 32767.0), -32768, 32767).astype("<i2")

    def write(f) -> None:
        with wave.open(f, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(int(rate))
            out.writeframes(samples.tobytes())

    return atomic_write(path, write)


# --- Resampling ----------------------------------------------------------------------------------

class Resampler:
    """Streaming band-limited resampling (Kaiser-windowed sinc) from ``src`` to ``dst`` samples per second.

    Feeding a signal in blocks of any sizes gives exactly the samples that feeding it at once
    gives; output sample k is the signal at time k / dst. Output lags input by the filter's
    half width (about 1 ms at 48 kHz), which ``process`` keeps until the next block. The
    filter weights of each phase are computed once (48 kHz to 16 kHz has one phase, 44.1 kHz 160).
    """

    def __init__(self, src: int, dst: int = RATE, zero_crossings: int = 16, beta: float = 8.0):
        if src <= 0 or dst <= 0:
            raise ValueError("sample rates must be positive")
        self.src, self.dst = int(src), int(dst)
        ratio = Fraction(self.src, self.dst)  # input samples per output sample
        self._num, self._den = ratio.numerator, ratio.denominator
        # Cut-off a little below the lower Nyquist frequency, relative to the input's.
        self.cutoff = 0.94 * min(1.0, self.dst / self.src)
        self.half = int(math.ceil(zero_crossings / self.cutoff))
        self.beta = beta
        self._offsets = np.arange(-self.half + 1, self.half + 1)  # taps around floor(t)
        self._table = self._weights(np.arange(self._den) / self._den) if self._den <= 4096 else None
        self._buf = np.zeros(self.half, dtype=np.float64)  # silence before the start
        self._buf_start = -self.half  # input index of _buf[0]
        self._next = 0  # index of the next output sample

    def _weights(self, frac: np.ndarray) -> np.ndarray:
        x = frac[:, None] - self._offsets[None, :]  # distance from each tap to the output time
        window = np.i0(self.beta * np.sqrt(np.clip(1.0 - (x / self.half) ** 2, 0.0, None))) / np.i0(self.beta)
        return self.cutoff * np.sinc(self.cutoff * x) * window

    def process(self, block: np.ndarray) -> np.ndarray:
        if self.src == self.dst:
            return np.asarray(block, dtype=np.float32)
        self._buf = np.concatenate([self._buf, np.asarray(block, dtype=np.float64)])
        end = self._buf_start + len(self._buf)  # one past the last input index we hold
        # Output k sits at input time k * num / den and needs inputs up to its floor + half.
        last = ((end - 1 - self.half) * self._den) // self._num
        if last < self._next:
            return np.zeros(0, dtype=np.float32)
        k = np.arange(self._next, last + 1, dtype=np.int64)
        base, phase = np.divmod(k * self._num, self._den)
        weights = self._table[phase] if self._table is not None else self._weights(phase / self._den)
        taps = sliding_window_view(self._buf, 2 * self.half)[base - self.half + 1 - self._buf_start]  # each output's inputs
        out = np.einsum("ij,ij->i", taps, weights)  # a third of the time of gathering the taps one by one
        self._next = last + 1
        keep_from = (self._next * self._num) // self._den - self.half + 1 - self._buf_start
        if keep_from > 0:
            self._buf = self._buf[keep_from:]
            self._buf_start += keep_from
        return out.astype(np.float32)


def resample(audio: np.ndarray, src: int, dst: int = RATE) -> np.ndarray:
    """A whole sound at ``src`` samples per second as float32 at ``dst``: ceil(len * dst / src)
    samples, the last ones included (the filter's lag is flushed with silence)."""
    if src == dst:
        return np.ascontiguousarray(audio, dtype=np.float32)
    resampler = Resampler(src, dst)
    block = 1 << 15  # inputs per step: the filter's work array stays a few megabytes for any length
    parts = [resampler.process(audio[i:i + block]) for i in range(0, len(audio), block)]
    parts.append(resampler.process(np.zeros(resampler.half)))
    return np.concatenate(parts)[:math.ceil(len(audio) * dst / src)]
