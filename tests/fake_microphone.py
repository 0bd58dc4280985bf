"""Test helpers: real spoken audio made with espeak-ng, and a fake microphone made with ALSA's file plugin.

``speak`` turns text into 16 kHz 16-bit samples (espeak-ng writes a wav, sox resamples it).
``build_recording`` lays several utterances out with pauses and knows, from the sample
offsets it wrote, where the speech in each really starts and ends.

``install_fake_microphone`` writes an ``.asoundrc`` into a private HOME whose default ALSA
device is a ``plug`` over the ``file`` plugin reading a raw S16_LE file (``infile``) over
the ``null`` device (playback goes to /dev/null). sounddevice (PortAudio) then records
exactly those samples. The null device has no clock, so streams run far faster than real
time: tests count samples, never seconds. The raw file is padded with silence longer than
any test reads (past its end the plugin repeats stale data). PortAudio lists devices once,
so the caller must call ``voiceart.speech.microphone.refresh_devices()`` after changing HOME.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

RATE = 16000


def have_audio_tools() -> bool:
    return shutil.which("espeak-ng") is not None and shutil.which("sox") is not None


def speak(text: str, voice: str = "en-us", rate: int = RATE, speed: int | None = None) -> np.ndarray:
    """``text`` spoken by espeak-ng, as int16 mono samples at ``rate``."""
    with tempfile.TemporaryDirectory(prefix="voiceart-espeak-") as folder:
        wav = Path(folder) / "speech.wav"
        command = ["espeak-ng", "-v", voice, "-w", str(wav)]
        if speed:
            command += ["-s", str(speed)]
        subprocess.run([*command, text], check=True, capture_output=True)
        raw = subprocess.run(["sox", str(wav), "-r", str(rate), "-c", "1", "-b", "16", "-e", "signed-integer",
                              "-t", "raw", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype="<i2").copy()


def speech_extent(samples: np.ndarray, rate: int = RATE, window: float = 0.01, floor: float = 0.02) -> tuple[int, int]:
    """(first, one past last) sample of the speech in ``samples``: the 10 ms windows whose RMS
    exceeds ``floor`` times the loudest window's (espeak-ng pads its output with silence)."""
    x = samples.astype(np.float64)
    n = max(1, int(window * rate))
    windows = len(x) // n
    rms = np.sqrt(np.mean(x[:windows * n].reshape(windows, n) ** 2, axis=1))
    loud = np.nonzero(rms > floor * rms.max())[0]
    return int(loud[0] * n), int((loud[-1] + 1) * n)


@dataclass
class Recording:
    samples: np.ndarray  # int16 at ``rate``
    rate: int = RATE
    truth: list[tuple[int, int]] = field(default_factory=list)  # speech (start, end) samples of each utterance
    texts: list[str] = field(default_factory=list)

    def seconds(self) -> float:
        return len(self.samples) / self.rate


def build_recording(parts: list[tuple[str, str]], pauses: list[float], lead: float = 1.0, trail: float = 2.0,
                    rate: int = RATE, noise: float = 0.0, seed: int = 0) -> Recording:
    """Utterances (text, espeak voice) with ``pauses[i]`` seconds of silence after utterance i,
    ``lead`` seconds before the first and ``trail`` after the last; optional white ``noise`` (RMS, 0..1)."""
    chunks = [np.zeros(int(lead * rate), dtype=np.int16)]
    truth, at = [], len(chunks[0])
    for i, (text, voice) in enumerate(parts):
        speech = speak(text, voice, rate)
        first, last = speech_extent(speech, rate)
        speech = speech[first:last]  # exactly the speech: the truth is where it was written
        truth.append((at, at + len(speech)))
        chunks.append(speech)
        at += len(speech)
        gap = pauses[i] if i < len(pauses) else trail
        chunks.append(np.zeros(int(gap * rate), dtype=np.int16))
        at += int(gap * rate)
    samples = np.concatenate(chunks)
    if noise:
        rng = np.random.default_rng(seed)
        samples = np.clip(samples + rng.normal(0, noise * 32768, len(samples)), -32768, 32767).astype(np.int16)
    return Recording(samples, rate, truth, [t for t, _ in parts])


ASOUNDRC = """# voiceart tests: a fake microphone reading {raw}
pcm.voiceart_fake {{
    type file
    slave.pcm null
    file "/dev/null"
    infile "{raw}"
    format raw
}}
pcm.!default {{
    type plug
    slave.pcm "voiceart_fake"
    slave.format S16_LE
    slave.rate {rate}
    slave.channels 1
}}
"""


def install_fake_microphone(home: Path, samples: np.ndarray, rate: int = RATE, pad_seconds: float = 120.0) -> Path:
    """Write ``samples`` (int16, padded with silence) as raw audio and ``home``/.asoundrc pointing the
    default ALSA device at it; returns the raw file. Point HOME at ``home`` before refreshing PortAudio."""
    home.mkdir(parents=True, exist_ok=True)
    raw = home / f"microphone-{rate}.raw"
    padded = np.concatenate([np.asarray(samples, dtype="<i2"), np.zeros(int(pad_seconds * rate), dtype="<i2")])
    padded.tofile(raw)
    (home / ".asoundrc").write_text(ASOUNDRC.format(raw=raw, rate=rate))
    return raw


def resample_int16(samples: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Resample with sox (for feeding the microphone at another rate)."""
    out = subprocess.run(["sox", "-t", "raw", "-r", str(src), "-c", "1", "-b", "16", "-e", "signed-integer", "-",
                          "-t", "raw", "-r", str(dst), "-c", "1", "-b", "16", "-e", "signed-integer", "-"],
                         input=np.asarray(samples, dtype="<i2").tobytes(), check=True, capture_output=True).stdout
    return np.frombuffer(out, dtype="<i2").copy()


# --- pytest fixtures (import them into a test module to use them) ----------------------------


@pytest.fixture
def fake_mic(tmp_path, monkeypatch):
    """``install(samples, rate=16000)``: make the default ALSA device a fake microphone playing
    ``samples`` (its output goes to /dev/null); ``install(None)``: a HOME with no sound devices.
    The person's own HOME and ALSA set-up are untouched; PortAudio is refreshed before and after."""
    from voiceart.speech.microphone import refresh_devices

    def install(samples: np.ndarray | None, rate: int = RATE) -> Path:
        home = tmp_path / f"home-{rate}-{len(list(tmp_path.glob('home-*')))}"
        home.mkdir()
        if samples is not None:
            install_fake_microphone(home, samples, rate)
        monkeypatch.setenv("HOME", str(home))
        monkeypatch.delenv("ALSA_CONFIG_PATH", raising=False)
        refresh_devices()
        return home

    yield install
    monkeypatch.undo()
    refresh_devices()


def sound_devices() -> int:
    """How many sound devices PortAudio sees now."""
    import sounddevice as sd

    return len(sd.query_devices())
