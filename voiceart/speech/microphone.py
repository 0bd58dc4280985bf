"""Microphone capture: 16 kHz mono frames from a sounddevice input stream.

``Microphone`` opens a PortAudio input (the device named or numbered in the settings, or
the system's default), asks for 16 kHz mono 16-bit samples and, when the device refuses
16 kHz, captures at the device's own rate and resamples (``Resampler``). A reader thread
pulls blocks from the stream and cuts them into frames of ``FRAME`` samples (32 ms, the size
silero-vad takes); ``frames()`` yields them to one consumer.

While voiceart itself makes a sound the microphone must not hear it: the voice and the
earcon player hold the shared ``MUTE`` for exactly their playback, and every frame captured
while it is held (and for a short tail after, counted in captured samples, for echo and
input latency) comes out as a ``Gap`` instead of audio, so the stream's sample count stays
true and the end-pointer can drop a half-heard utterance.

Problems come out as ``AudioDeviceError`` subclasses carrying one plain sentence: no input
device, an unknown device, a sample rate the device will not take, a device that vanishes
mid-stream. Callers show (and, where sound works, speak) the sentence and carry on with
keyboard control.

Samples are captured as 16-bit integers, never float: ALSA converts formats on the way
when asked for float, and its file plugin (the fake microphone of the tests) then skips data.
"""
from __future__ import annotations

import queue
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from voiceart.errors import VoiceartError
from voiceart.speech.audio import RATE, Resampler

FRAME = 512  # samples per frame: 32 ms at 16 kHz


class AudioDeviceError(VoiceartError):
    """A microphone or loudspeaker problem, in one sentence a person can act on."""


class SoundSystemError(AudioDeviceError):
    """PortAudio (the sound library under sounddevice) is missing."""


class NoInputDeviceError(AudioDeviceError):
    """No microphone at all, or none matching the name or number asked for."""


class SampleRateError(AudioDeviceError):
    """The device takes neither 16 kHz nor its own rate."""


class DeviceLostError(AudioDeviceError):
    """The microphone stopped delivering sound mid-stream (unplugged, taken by another program)."""


FIX_DEVICE = "`voiceart doctor` lists the microphones; set VOICEART_INPUT_DEVICE to a name or number"


def sounddevice():
    """The sounddevice module, or SoundSystemError when PortAudio cannot be loaded."""
    try:
        import sounddevice as sd
    except OSError:
        raise SoundSystemError("The sound library PortAudio is missing, so voiceart can neither hear nor play sound: "
                               "install it with sudo apt-get install libportaudio2.") from None
    except ImportError:
        raise SoundSystemError("The Python package sounddevice is missing: install it with pip install sounddevice.") from None
    return sd


def refresh_devices() -> None:
    """Make PortAudio look for devices again (it lists them once, when loaded). Only call with no stream open."""
    sd = sounddevice()
    sd._terminate()
    sd._initialize()


# --- Muting --------------------------------------------------------------------------------------

class Mute:
    """Held while voiceart makes a sound, so that the microphone never hears voiceart itself.

    Any number of players may hold it at once (``with mute.hold(): play()``); it is set while
    at least one does. The microphone also drops ``tail`` seconds of audio captured after the
    last release (echo, and sound already in the input buffers), counted in captured samples.
    """

    def __init__(self, tail: float = 0.25):
        self.tail = tail
        self._holders = 0
        self._lock = threading.Lock()

    @contextmanager
    def hold(self):
        with self._lock:
            self._holders += 1
        try:
            yield self
        finally:
            with self._lock:
                self._holders -= 1

    def is_set(self) -> bool:
        return self._holders > 0


MUTE = Mute()  # the one shared by the voice, the earcons and the microphone unless a caller passes its own


# --- Devices -------------------------------------------------------------------------------------

def _device_index(spec: str | int | None, kind: str) -> int:
    """The PortAudio index of the input (kind="input") or output device named or numbered by ``spec``."""
    sd = sounddevice()
    channels_key = f"max_{kind}_channels"
    thing = "microphone" if kind == "input" else "loudspeaker"
    error = NoInputDeviceError if kind == "input" else AudioDeviceError
    devices = list(sd.query_devices())
    usable = [i for i, d in enumerate(devices) if d[channels_key] > 0]
    if not usable:
        if kind == "input":
            raise NoInputDeviceError("No microphone was found: plug one in (or check that the sound system sees it with "
                                     "`voiceart doctor`); until then use the keyboard.")
        raise AudioDeviceError("No loudspeaker or headphones were found: plug some in, or read what voiceart shows on screen.")
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        default = sd.default.device[0 if kind == "input" else 1]
        return default if default in usable else usable[0]
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        index = int(spec)
        if index not in usable:
            raise error(f"There is no {thing} number {index}; {FIX_DEVICE if kind == 'input' else '`voiceart doctor` lists the devices'}.")
        return index
    wanted = spec.strip().lower()
    exact = [i for i in usable if devices[i]["name"].lower() == wanted]
    partial = [i for i in usable if wanted in devices[i]["name"].lower()]
    if exact or partial:
        return (exact or partial)[0]
    names = ", ".join(f"{i}: {devices[i]['name']}" for i in usable)
    raise error(f"No {thing}'s name contains '{spec}'; the ones present are {names}.")


def input_device(spec: str | int | None = None) -> int:
    """The index of the microphone named (or part-named) or numbered by ``spec``; None: the default one."""
    return _device_index(spec, "input")


def output_device(spec: str | int | None = None) -> int:
    """The index of the loudspeaker named or numbered by ``spec``; None: the default one."""
    return _device_index(spec, "output")


def device_name(index: int) -> str:
    return sounddevice().query_devices(index)["name"]


# --- The microphone ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Gap:
    """``samples`` of 16 kHz audio that were captured while muted and dropped."""

    samples: int


class Microphone:
    """A 16 kHz mono input stream cut into frames of ``FRAME`` samples; use as a context manager.

    ``device``: a name, part of a name or an index (None: the system's default).
    ``capture_rate``: capture at this rate and resample (None: 16 kHz when the device takes it,
    else the device's own rate). ``queue_seconds``: how much audio may wait for a slow consumer
    before the oldest is lost (the reader thread blocks; a real device then overflows).
    ``stall_timeout``: seconds without a single block from the device before it counts as lost.
    """

    def __init__(self, device: str | int | None = None, *, mute: Mute | None = None, capture_rate: int | None = None,
                 queue_seconds: float = 30.0, stall_timeout: float = 3.0):
        self.device_spec = device
        self.mute = mute if mute is not None else MUTE
        self.capture_rate = capture_rate
        self.stall_timeout = stall_timeout
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, int(queue_seconds * RATE / FRAME)))
        self._stream = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._last_read = 0.0
        self.device_index: int | None = None
        self.name = ""
        self.rate = RATE  # the rate actually captured
        self.channels = 1
        self.overflows = 0  # blocks the device reported as overflowed (audio lost before voiceart saw it)
        self.position = 0  # 16 kHz samples handed out by frames(), gaps included

    @classmethod
    def from_settings(cls, settings, **kwargs) -> "Microphone":
        return cls(getattr(settings, "input_device", None), **kwargs)

    # -- opening --------------------------------------------------------------------------------
    def _choose_format(self, sd, index: int, default_rate: int, max_channels: int) -> tuple[int, int]:
        rates = [self.capture_rate] if self.capture_rate else [RATE, default_rate]
        channel_choices = [1] + ([min(2, max_channels)] if max_channels > 1 else [])
        for channels in channel_choices:
            for rate in dict.fromkeys(rates):
                try:
                    sd.check_input_settings(device=index, samplerate=rate, channels=channels, dtype="int16")
                    return rate, channels
                except Exception:  # PortAudioError or ValueError: try the next format
                    continue
        tried = " or ".join(f"{r} Hz" for r in dict.fromkeys(rates))
        raise SampleRateError(f"The microphone '{self.name}' will not record at {tried}; choose another one "
                              f"({FIX_DEVICE}).")

    def open(self) -> "Microphone":
        sd = sounddevice()
        index = input_device(self.device_spec)
        info = sd.query_devices(index)
        self.device_index, self.name = index, info["name"]
        self.rate, self.channels = self._choose_format(sd, index, int(info["default_samplerate"]), int(info["max_input_channels"]))
        block = max(1, round(FRAME * self.rate / RATE))  # about one frame per read
        try:
            self._stream = sd.InputStream(device=index, samplerate=self.rate, channels=self.channels, dtype="int16",
                                          blocksize=block)
            self._stream.start()
        except Exception as exc:  # PortAudioError, or the device disappeared between listing and opening
            self._stream = None
            raise AudioDeviceError(f"The microphone '{self.name}' could not be opened ({_reason(exc)}); it may be in use "
                                   f"by another program or unplugged.") from None
        self._stop.clear()
        self._last_read = time.monotonic()
        self._thread = threading.Thread(target=self._read_loop, args=(block,), name="voiceart-microphone", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.abort()
            except Exception:
                pass
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None
        if stream is not None:
            try:
                stream.close()
            except Exception:
                pass

    def __enter__(self) -> "Microphone":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the reader thread --------------------------------------------------------------------------
    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _read_loop(self, block: int) -> None:
        resampler = Resampler(self.rate, RATE) if self.rate != RATE else None
        pending = np.zeros(0, dtype=np.float32)
        pending_muted = np.zeros(0, dtype=bool)
        tail_left = 0  # captured samples still to drop after the mute was released
        tail = int(self.mute.tail * self.rate)
        try:
            while not self._stop.is_set():
                data, overflowed = self._stream.read(block)
                self._last_read = time.monotonic()
                self.overflows += bool(overflowed)
                if self.mute.is_set():
                    muted, tail_left = True, tail
                elif tail_left > 0:
                    muted, tail_left = True, max(0, tail_left - len(data))
                else:
                    muted = False
                samples = data.astype(np.float32).mean(axis=1) if data.shape[1] > 1 else data[:, 0].astype(np.float32)
                samples /= 32768.0
                if resampler is not None:
                    samples = resampler.process(samples)  # resampled even when muted, to keep time exact
                pending = np.concatenate([pending, samples])
                pending_muted = np.concatenate([pending_muted, np.full(len(samples), muted)])
                while len(pending) >= FRAME:
                    frame, pending = pending[:FRAME], pending[FRAME:]
                    frame_muted, pending_muted = pending_muted[:FRAME].any(), pending_muted[FRAME:]
                    if not self._put(Gap(FRAME) if frame_muted else frame):
                        return
        except Exception as exc:
            if not self._stop.is_set():
                self._put(exc)

    # -- the consumer -------------------------------------------------------------------------------
    def frames(self, max_samples: int | None = None) -> Iterator[np.ndarray | Gap]:
        """Frames of ``FRAME`` float32 samples in [-1, 1) at 16 kHz, and ``Gap``s where muted.

        Ends after ``max_samples`` (counted from this call), or when the microphone is closed;
        raises DeviceLostError when the device stops delivering.
        """
        if self._stream is None and self._thread is None:
            raise AudioDeviceError("The microphone is not open.")
        given = 0
        while max_samples is None or given < max_samples:
            try:
                item = self._queue.get(timeout=0.2)
            except queue.Empty:
                if self._stop.is_set() or self._thread is None:
                    return
                if time.monotonic() - self._last_read > self.stall_timeout:
                    raise DeviceLostError(f"The microphone '{self.name}' stopped sending sound: check that it is still "
                                          f"plugged in, then start listening again (the keyboard still works).") from None
                continue
            if isinstance(item, BaseException):
                raise DeviceLostError(f"The microphone '{self.name}' stopped working ({_reason(item)}): check that it is "
                                      f"still plugged in, then start listening again (the keyboard still works).") from None
            n = item.samples if isinstance(item, Gap) else len(item)
            given += n
            self.position += n
            yield item


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().rstrip(".")
    return text[:1].lower() + text[1:] if text else type(exc).__name__
