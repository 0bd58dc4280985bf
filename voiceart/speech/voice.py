"""Speaking: pyttsx3 speech on its own thread, and the one path every sound of voiceart goes out by.

The output path: pyttsx3 writes each sentence to a wav file (``save_to_file``, its espeak-ng
driver, a few milliseconds for a sentence) and ``Speaker`` plays the samples through a
sounddevice output stream. Chosen over pyttsx3's own ``say()`` because on Linux that runs
``aplay`` from inside espeak's callback: it cannot be interrupted, blocks the engine, prints
aplay's own error for every sentence when there is no sound card, and voiceart could not tell
when the sound really starts and stops. Playing the samples ourselves lets voiceart

- hold the microphone's mute for exactly the playback (and earcons use the same path),
- stop a sentence within about 40 ms when a newer one interrupts it,
- pick the output device from the settings, resample for devices that refuse 22 kHz,
- notice a missing sound card once, say so, and go on silently.

``Voice.say(text)`` never blocks: sentences go into a queue that one thread works through.
pyttsx3's engine is not thread-safe, so every use of it here is under one lock.
"""
from __future__ import annotations

import atexit
import gc
import queue
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voiceart.errors import VoiceartError
from voiceart.speech import earcons
from voiceart.speech.audio import read_wav, resample
from voiceart.speech.microphone import MUTE, AudioDeviceError, Mute, _reason, output_device, sounddevice


class SpeechSynthesisError(VoiceartError):
    """pyttsx3 or espeak-ng is missing, or a voice is unknown."""


# --- Synthesis (pyttsx3) -------------------------------------------------------------------------

_TTS_LOCK = threading.RLock()
_ENGINE = None


def _release_engine() -> None:
    global _ENGINE
    _ENGINE = None  # no lock: a thread still speaking at exit must not hold the program open
    gc.collect()


def _engine():
    global _ENGINE
    if _ENGINE is None:
        try:
            import pyttsx3
        except ImportError:
            raise SpeechSynthesisError("Speech needs the Python package pyttsx3: install it with pip install pyttsx3.") from None
        try:
            _ENGINE = pyttsx3.init()
        except Exception as exc:
            raise SpeechSynthesisError(f"Speech synthesis would not start ({_reason(exc)}): install espeak-ng's library "
                                       f"with sudo apt-get install libespeak-ng1.") from None
        # Let the driver go while Python is whole: pyttsx3's __del__ run during shutdown prints a traceback
        # ("Exception ignored in: DriverProxy.__del__", seen at the end of a full test run).
        atexit.register(_release_engine)
        # pyttsx3's espeak driver prints "Audio saved to ..." after every file; keep the console clean.
        driver_module = sys.modules.get("pyttsx3.drivers.espeak")
        if driver_module is not None:
            driver_module.print = lambda *args, **kwargs: None
    return _ENGINE


def voices() -> list[tuple[str, str, list[str]]]:
    """(id, name, language codes) of every voice the synthesizer has."""
    with _TTS_LOCK:
        return [(v.id, v.name, list(v.languages or [])) for v in _engine().getProperty("voices")]


def _voice_id(wanted: str) -> str:
    """The synthesizer's id of the voice called ``wanted``: an id ("gmw/en-us"), its end ("en-us"),
    a language code ("en-gb") or a name ("English (Scotland)"), in that order of preference."""
    key = wanted.strip().lower()
    found = voices()
    for match in (lambda i, n, langs: i.lower() == key, lambda i, n, langs: i.lower().rsplit("/", 1)[-1] == key,
                  lambda i, n, langs: key in (lang.lower() for lang in langs), lambda i, n, langs: n.lower() == key):
        for vid, name, langs in found:
            if match(vid, name, langs):
                return vid
    raise SpeechSynthesisError(f"There is no voice called '{wanted}': `voiceart say --voices` lists them (en-us is one).")


def _set(engine, name: str, value) -> None:
    """Set a property now: pyttsx3's engine would queue it behind its run loop; tell the driver directly."""
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    (driver if driver is not None else engine).setProperty(name, value)


def _settle() -> None:
    """Wait until espeak-ng has applied the settings. Its library runs asynchronously (pyttsx3 starts
    it in retrieval mode): a new rate waits in espeak's queue, and pyttsx3's runAndWait cancels that
    queue before it synthesizes, so without this every sentence after the first kept the old rate."""
    espeak = sys.modules.get("pyttsx3.drivers._espeak")
    if espeak is not None:
        espeak.Synchronize()


_DEFAULT_VOICE: list[str] = []


def _default_voice() -> str | None:
    """The voice the synthesizer started with (so that one sentence's voice does not stick to the next)."""
    if not _DEFAULT_VOICE:
        try:
            from pyttsx3.drivers.espeak import EspeakDriver

            _DEFAULT_VOICE.append(EspeakDriver._defaultVoice or "")
        except Exception:
            _DEFAULT_VOICE.append("")
    return _DEFAULT_VOICE[0] or None


def synthesize(text: str, rate: int = 175, voice: str | None = None) -> tuple[np.ndarray, int]:
    """``text`` spoken: (float32 mono samples, sample rate). Rate in words per minute."""
    with tempfile.TemporaryDirectory(prefix="voiceart-say-") as folder:
        path = Path(folder) / "speech.wav"
        save_speech(text, path, rate, voice)
        return read_wav(path)


def save_speech(text: str, path: Path, rate: int = 175, voice: str | None = None) -> Path:
    """Write ``text`` spoken to the wav file ``path`` (16-bit mono, the synthesizer's rate)."""
    text = " ".join(str(text).split())
    if not text:
        raise SpeechSynthesisError("There is nothing to say: give some words.")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _TTS_LOCK:
        engine = _engine()
        _set(engine, "voice", _voice_id(voice) if voice else _default_voice())
        _set(engine, "rate", int(rate))
        _settle()
        if path.exists():
            path.unlink()
        engine.save_to_file(text, str(path))
        engine.runAndWait()
        # runAndWait can return as soon as synthesis has started (the driver's loop ends on its queued
        # endLoop); the file is written by espeak's callback when the sentence ends, so wait for that.
        _settle()
        deadline = time.monotonic() + 5.0
        while not path.is_file() and time.monotonic() < deadline:
            time.sleep(0.01)
    if not path.is_file():
        raise SpeechSynthesisError(f"Speech synthesis wrote nothing to {path}; check that espeak-ng works (voiceart doctor).")
    return path


# --- Playback (sounddevice) ----------------------------------------------------------------------

_SILENT_NOTICE = threading.Event()  # the "no sound output" sentence is printed once per process


class Speaker:
    """Plays samples through one output device, muting the microphone for exactly that time.

    ``play`` blocks until the sound has been played (or was stopped); ``stop`` from another
    thread cuts it short. With no usable output device it says so once (on stderr) and
    from then on returns at once: voiceart goes on silently.
    """

    CHUNK_SECONDS = 0.04  # stop() takes effect within about this

    def __init__(self, device: str | int | None = None, mute: Mute | None = None):
        self.device_spec = device
        self.mute = mute if mute is not None else MUTE
        self.silent = False
        self.problem: str | None = None  # why it is silent
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def _go_silent(self, problem: str) -> None:
        self.silent, self.problem = True, problem
        if not _SILENT_NOTICE.is_set():
            _SILENT_NOTICE.set()
            print(f"voiceart: {problem} Going on without sound (everything is also shown as text).", file=sys.stderr)

    def _open(self, rate: int):
        sd = sounddevice()
        index = output_device(self.device_spec)
        info = sd.query_devices(index)
        stream_rate = rate
        try:
            sd.check_output_settings(device=index, samplerate=rate, channels=1, dtype="float32")
        except Exception:
            stream_rate = int(info["default_samplerate"])
        try:
            stream = sd.OutputStream(device=index, samplerate=stream_rate, channels=1, dtype="float32")
        except Exception as exc:
            raise AudioDeviceError(f"The loudspeaker '{info['name']}' could not be opened ({_reason(exc)}).") from None
        return stream, stream_rate

    def play(self, audio: np.ndarray, rate: int) -> bool:
        """Play float32 mono samples; True when they played to the end."""
        if self.silent:
            return False
        audio = np.asarray(audio, dtype=np.float32)
        with self._lock:
            self._stop.clear()
            try:
                stream, stream_rate = self._open(rate)
            except AudioDeviceError as exc:
                self._go_silent(str(exc))
                return False
            audio = resample(audio, rate, stream_rate)
            chunk = max(1, int(self.CHUNK_SECONDS * stream_rate))
            with self.mute.hold():
                try:
                    stream.start()
                    for i in range(0, len(audio), chunk):
                        if self._stop.is_set():
                            stream.abort()
                            return False
                        stream.write(np.ascontiguousarray(audio[i:i + chunk]).reshape(-1, 1))
                    stream.stop()  # returns once the buffers have been played
                    return True
                except Exception as exc:  # the device went away mid-sound
                    print(f"voiceart: the sound stopped ({_reason(exc)}).", file=sys.stderr)
                    return False
                finally:
                    stream.close()

    def earcon(self, name: str) -> bool:
        """Play the earcon ``name`` now, blocking (``Voice.earcon`` queues it instead); True when it played."""
        return self.play(*earcons.load(name))

    def stop(self) -> None:
        self._stop.set()


# --- The voice -------------------------------------------------------------------------------

@dataclass
class _Item:
    generation: int
    text: str | None = None
    audio: np.ndarray | None = None
    rate: int = 0


class Voice:
    """Speaks sentences on its own thread. ``say`` returns at once; by default a new sentence
    interrupts the one being spoken and drops those waiting. Earcons (``play``) queue behind
    speech and go out the same way. Errors are printed once per kind and never stop the thread.
    """

    def __init__(self, settings=None, speaker: Speaker | None = None, mute: Mute | None = None):
        self.rate = int(getattr(settings, "speech_rate", 175) or 175)
        self.voice = getattr(settings, "voice", None)
        self.speaker = speaker or Speaker(getattr(settings, "output_device", None), mute)
        self._queue: queue.Queue[_Item | None] = queue.Queue()
        self._generation = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._reported: set[str] = set()
        self.spoken: list[str] = []  # sentences that were played (or would have been, when silent)

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="voiceart-voice", daemon=True)
            self._thread.start()

    def _interrupt(self) -> None:
        self._generation += 1
        try:
            while True:
                self._queue.get_nowait()
                self._queue.task_done()
        except queue.Empty:
            pass
        self.speaker.stop()

    def say(self, text: str, interrupt: bool = True) -> None:
        """Speak ``text`` soon, without waiting; ``interrupt`` stops what is being said first."""
        if not str(text).strip():
            return
        with self._lock:
            if interrupt:
                self._interrupt()
            self._ensure_thread()
            self._queue.put(_Item(self._generation, text=str(text)))

    def play(self, audio: np.ndarray, rate: int, interrupt: bool = False) -> None:
        """Play a sound (an earcon) after what is queued, or at once with ``interrupt``."""
        with self._lock:
            if interrupt:
                self._interrupt()
            self._ensure_thread()
            self._queue.put(_Item(self._generation, audio=np.asarray(audio, dtype=np.float32), rate=int(rate)))

    def earcon(self, name: str, interrupt: bool = False) -> None:
        """Play the earcon ``name`` (see ``voiceart.speech.earcons``) like ``play``."""
        self.play(*earcons.load(name), interrupt)

    def stop(self) -> None:
        """Stop speaking and forget what is waiting."""
        with self._lock:
            self._interrupt()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until everything queued has been spoken; False on timeout."""
        done = threading.Event()

        def join():
            self._queue.join()
            done.set()

        threading.Thread(target=join, daemon=True).start()
        return done.wait(timeout)

    def close(self) -> None:
        self.stop()
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=2.0)
        self._thread = None

    def _report(self, kind: str, message: str) -> None:
        if kind not in self._reported:
            self._reported.add(kind)
            print(f"voiceart: {message}", file=sys.stderr)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                if item.generation != self._generation:
                    continue
                audio, rate = item.audio, item.rate
                if item.text is not None:
                    try:
                        audio, rate = synthesize(item.text, self.rate, self.voice)
                    except VoiceartError as exc:
                        self._report("synthesis", str(exc))
                        continue
                    self.spoken.append(item.text)
                if item.generation == self._generation:
                    self.speaker.play(audio, rate)
            except Exception as exc:  # never let the voice thread die
                self._report(type(exc).__name__, f"speech failed ({_reason(exc)}).")
            finally:
                self._queue.task_done()


def say_once(text: str, settings=None, to: Path | None = None) -> Path | None:
    """Speak ``text`` and wait until it has been said, or write it to the wav file ``to``."""
    rate = int(getattr(settings, "speech_rate", 175) or 175)
    voice = getattr(settings, "voice", None)
    if to is not None:
        return save_speech(text, Path(to), rate, voice)
    audio, sr = synthesize(text, rate, voice)
    Speaker(getattr(settings, "output_device", None)).play(audio, sr)
    return None
