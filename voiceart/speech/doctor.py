"""`voiceart doctor`: check everything hearing and speaking need, and say how to fix each problem.

Every check really does the thing: the microphone records half a second, the loudspeaker plays
a tenth of a second of silence, the synthesizer speaks a sentence, the voice detector finds
speech in it, and Whisper (when this copy of voiceart has it) transcribes it.
"""
from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from voiceart.errors import VoiceartError

SENTENCE = "Voiceart is ready to paint."


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def _dbfs(audio: np.ndarray) -> float:
    peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def check_sound_system() -> Check:
    from voiceart.speech.microphone import sounddevice

    try:
        sd = sounddevice()
    except VoiceartError as exc:
        return Check("sound system", False, str(exc), "sudo apt-get install libportaudio2")
    devices = []
    for i, d in enumerate(sd.query_devices()):
        ways = "/".join(w for w, key in (("in", "max_input_channels"), ("out", "max_output_channels")) if d[key] > 0)
        devices.append(f"{i} '{d['name']}' ({ways})")
    listing = "; devices: " + ", ".join(devices) if devices else "; no sound devices at all"
    return Check("sound system", True, f"{sd.get_portaudio_version()[1].split(',')[0]}{listing}")


def check_microphone(settings, seconds: float = 0.5) -> Check:
    from voiceart.speech.microphone import RATE, Microphone, Mute, sounddevice

    fix = ("plug in a microphone, or choose one with VOICEART_INPUT_DEVICE=NAME-OR-NUMBER (the sound system line "
           "lists the devices); voiceart's keys work without one")
    try:
        sounddevice()
        with Microphone(settings.input_device, mute=Mute(tail=0), stall_timeout=3.0) as mic:
            frames = [f for f in mic.frames(int(seconds * RATE)) if isinstance(f, np.ndarray)]
            name, rate = mic.name, mic.rate
    except VoiceartError as exc:
        return Check("microphone", False, str(exc), fix)
    audio = np.concatenate(frames) if frames else np.zeros(0, np.float32)
    how = f"'{name}' records at {rate} Hz" + (" (resampled to 16000 Hz)" if rate != RATE else "")
    if not len(audio) or not np.any(audio):
        return Check("microphone", False, f"{how} but hears only digital silence: it is muted or not the right one.",
                     "unmute it (alsamixer, F4 for capture) or choose another with VOICEART_INPUT_DEVICE")
    return Check("microphone", True, f"{how}; loudest {_dbfs(audio):.0f} dBFS in {seconds:g} s")


def check_loudspeaker(settings) -> Check:
    from voiceart.speech.microphone import _reason, output_device, sounddevice

    fix = "plug in loudspeakers or headphones, or choose them with VOICEART_OUTPUT_DEVICE=NAME-OR-NUMBER"
    try:
        sd = sounddevice()
        index = output_device(settings.output_device)
        info = sd.query_devices(index)
        rate = 22050
        try:
            sd.check_output_settings(device=index, samplerate=rate, channels=1, dtype="float32")
        except Exception:
            rate = int(info["default_samplerate"])
        with sd.OutputStream(device=index, samplerate=rate, channels=1, dtype="float32") as stream:
            stream.write(np.zeros((rate // 10, 1), dtype=np.float32))
    except VoiceartError as exc:
        return Check("loudspeaker", False, str(exc), fix)
    except Exception as exc:
        return Check("loudspeaker", False, f"The loudspeaker could not play ({_reason(exc)}).", fix)
    return Check("loudspeaker", True, f"'{info['name']}' plays at {rate} Hz")


def check_synthesis(settings) -> tuple[Check, tuple[np.ndarray, int] | None]:
    from voiceart.speech.voice import synthesize

    fix = "sudo apt-get install libespeak-ng1 espeak-ng-data, and pip install pyttsx3"
    try:
        audio, rate = synthesize(SENTENCE, settings.speech_rate, settings.voice)
    except VoiceartError as exc:
        return Check("speech synthesis", False, str(exc), fix), None
    seconds = len(audio) / rate
    if not 0.5 < seconds < 10 or float(np.sqrt(np.mean(audio ** 2))) < 0.01:
        return Check("speech synthesis", False, f"pyttsx3 wrote {seconds:.1f} s of nearly silent audio.", fix), None
    voice = settings.voice or "the default voice"
    return Check("speech synthesis", True, f"pyttsx3 (espeak-ng) spoke a sentence in {seconds:.1f} s with {voice} "
                                           f"at {settings.speech_rate} words a minute"), (audio, rate)


def check_espeak() -> Check:
    path = shutil.which("espeak-ng")
    if path is None:
        return Check("espeak-ng program", False, "espeak-ng is not installed (the tests make spoken commands with it).",
                     "sudo apt-get install espeak-ng")
    version = subprocess.run([path, "--version"], capture_output=True, text=True).stdout.strip().split(" ")
    return Check("espeak-ng program", True, f"{path}" + (f" {version[3]}" if len(version) > 3 else ""))


def _at_16k(spoken: tuple[np.ndarray, int]) -> np.ndarray:
    from voiceart.speech.audio import resample

    audio, rate = spoken
    return resample(np.concatenate([audio, np.zeros(rate // 10, np.float32)]), rate)


def check_vad(speech16: np.ndarray | None) -> Check:
    from voiceart.speech.vad import SileroVAD

    try:
        vad = SileroVAD()
        if speech16 is not None:
            best = float(vad.probabilities(speech16).max())
            if best < 0.5:
                return Check("voice activity", False, f"silero-vad loads but finds no speech in a spoken sentence (at most {best:.2f}).",
                             "pip install --force-reinstall silero-vad")
            return Check("voice activity", True, f"silero-vad finds speech in a spoken sentence (probability {best:.2f})")
    except VoiceartError as exc:
        return Check("voice activity", False, str(exc), "pip install silero-vad")
    return Check("voice activity", True, "silero-vad loads")


def check_whisper(settings, speech16: np.ndarray | None) -> Check:
    try:
        from voiceart.speech import transcribe
    except ImportError as exc:
        if getattr(exc, "name", "") == "voiceart.speech.transcribe":
            return Check("speech recognition", False, "Speech recognition (Whisper) is not part of this copy of voiceart yet.",
                         "update voiceart")
        return Check("speech recognition", False, f"Speech recognition needs a Python package that is missing ({exc.name}).",
                     "pip install openai-whisper (./start.sh installs everything)")
    try:
        from voiceart.speech import whisper_weights

        path = whisper_weights.whisper_checkpoint(settings, download=False)
        if speech16 is None:
            return Check("speech recognition", True, f"Whisper {settings.whisper_model} weights at {path}")
        transcriber = transcribe.Transcriber(settings)
        result = transcriber.transcribe(speech16)
    except VoiceartError as exc:
        return Check("speech recognition", False, str(exc), "voiceart convert-whisper (or see the sentence above)")
    except ImportError as exc:
        return Check("speech recognition", False, f"Speech recognition needs a Python package that is missing ({exc.name}).",
                     "pip install openai-whisper (./start.sh installs everything)")
    except Exception as exc:  # anything else: report it rather than stop the other checks
        from voiceart.speech.microphone import _reason

        return Check("speech recognition", False, f"Speech recognition failed ({type(exc).__name__}: {_reason(exc)}).",
                     "reinstall voiceart's requirements (./start.sh), then run voiceart doctor again")
    if not result.text:
        return Check("speech recognition", False, f"Whisper {settings.whisper_model} heard nothing in a clearly spoken sentence.",
                     "voiceart convert-whisper, to remake the weights")
    return Check("speech recognition", True, f"Whisper {settings.whisper_model} heard \"{SENTENCE}\" as \"{result.text}\" "
                                             f"in {result.seconds:.1f} s")


def check_earcons() -> Check:
    from voiceart.speech import earcons

    missing = [name for name in earcons.NAMES if not earcons.path(name).is_file()]
    if missing:
        return Check("earcons", True, f"{', '.join(missing)} made afresh (no files in {earcons.SOUNDS_DIR})")
    return Check("earcons", True, f"{len(earcons.NAMES)} sounds in {earcons.SOUNDS_DIR}")


def run_checks(settings, report: Callable[[Check], None] | None = None) -> list[Check]:
    """Run every check in order; ``report`` sees each as soon as it is done."""
    checks: list[Check] = []

    def add(check: Check) -> None:
        checks.append(check)
        if report is not None:
            report(check)

    add(check_sound_system())
    add(check_microphone(settings))
    add(check_loudspeaker(settings))
    synthesis, spoken = check_synthesis(settings)
    add(synthesis)
    add(check_espeak())
    speech16 = _at_16k(spoken) if spoken is not None else None
    add(check_vad(speech16))
    add(check_whisper(settings, speech16))
    add(check_earcons())
    return checks


def print_check(check: Check) -> None:
    mark = "ok     " if check.ok else "PROBLEM"
    print(f"{mark}  {check.name}: {check.detail}", flush=True)
    if not check.ok and check.fix:
        print(f"         fix: {check.fix}", flush=True)


def doctor(settings) -> int:
    start = time.perf_counter()
    checks = run_checks(settings, print_check)
    problems = [c for c in checks if not c.ok]
    took = time.perf_counter() - start
    if problems:
        print(f"{len(problems)} problem{'s' if len(problems) > 1 else ''} found ({took:.1f} s): "
              f"{', '.join(c.name for c in problems)}.")
        return 1
    print(f"Everything hearing and speaking need works ({took:.1f} s).")
    return 0
