"""Earcons: the committed sounds are short, clean, audible, distinct and what the script makes."""
import itertools
import subprocess
import sys
import threading
import wave

import numpy as np
import pytest

from fake_microphone import fake_mic, sound_devices  # noqa: F401
from voiceart.config import PROJECT_ROOT
from voiceart.speech import earcons
from voiceart.speech import voice as voice_module
from voiceart.speech.audio import read_wav
from voiceart.speech.microphone import Mute
from voiceart.speech.voice import Speaker


@pytest.fixture(scope="module")
def sounds():
    return {name: read_wav(earcons.path(name)) for name in earcons.NAMES}


def test_every_earcon_is_a_small_committed_wav(sounds):
    assert set(earcons.NAMES) == {"listening", "heard", "working", "done", "error"}
    for name in earcons.NAMES:
        path = PROJECT_ROOT / "sounds" / f"{name}.wav"
        with wave.open(str(path)) as f:
            assert (f.getnchannels(), f.getsampwidth(), f.getframerate()) == (1, 2, earcons.RATE)
        assert path.stat().st_size < 40_000


def test_earcons_are_short_audible_and_click_free(sounds):
    for name, (audio, rate) in sounds.items():
        seconds = len(audio) / rate
        assert 0.05 <= seconds <= 0.6, name
        assert 0.2 <= np.abs(audio).max() <= 0.55, name  # clearly audible, never near clipping
        # They start and end in silence and fade in and out (no click at either end) ...
        assert np.abs(audio[:3]).max() < 0.01 and np.abs(audio[-3:]).max() < 0.01, name
        assert np.abs(audio[:int(0.001 * rate)]).max() < 0.1 and np.abs(audio[-int(0.002 * rate):]).max() < 0.05, name
        # ... and hold no broadband energy a click would bring: almost all of it is below 7 kHz.
        spectrum = np.abs(np.fft.rfft(audio)) ** 2
        freqs = np.fft.rfftfreq(len(audio), 1 / rate)
        assert spectrum[freqs > 7000].sum() / spectrum.sum() < 0.01, name


def _pitch_track(audio, rate, hop=0.01):
    """The strongest frequency in each 30 ms window with sound in it."""
    n, step = int(0.03 * rate), int(hop * rate)
    window = np.hanning(n)
    track = []
    for i in range(0, len(audio) - n, step):
        chunk = audio[i:i + n]
        if np.sqrt(np.mean(chunk ** 2)) < 0.02:
            continue
        spectrum = np.abs(np.fft.rfft(chunk * window, 8192))
        track.append(np.argmax(spectrum) * rate / 8192)
    return np.array(track)


def test_earcons_are_distinct(sounds):
    def spectrum(audio, size=16384):
        s = np.abs(np.fft.rfft(audio, size))
        return s / np.linalg.norm(s)

    for a, b in itertools.combinations(earcons.NAMES, 2):
        (x, rate), (y, _) = sounds[a], sounds[b]
        similarity = float(spectrum(x) @ spectrum(y))
        assert similarity < 0.6, (a, b, similarity)
    # The shapes the docstring promises: listening and done rise, error falls, working stays on one note.
    tracks = {name: _pitch_track(*sounds[name]) for name in earcons.NAMES}
    assert tracks["listening"][-1] > 1.3 * tracks["listening"][0]
    assert tracks["done"][-1] > 1.8 * tracks["done"][0]
    assert tracks["error"][-1] < 0.85 * tracks["error"][0]
    assert np.ptp(tracks["working"]) < 20
    assert tracks["error"].max() < 400 < tracks["heard"].min()  # low for trouble, high for "got it"


def test_the_committed_files_are_what_the_script_makes(tmp_path, sounds):
    out = subprocess.run([sys.executable, str(PROJECT_ROOT / "tools" / "make_earcons.py"), str(tmp_path)],
                         capture_output=True, text=True, check=True)
    assert out.stdout.count(".wav") == len(earcons.NAMES)
    for name in earcons.NAMES:
        assert (tmp_path / f"{name}.wav").read_bytes() == earcons.path(name).read_bytes(), (
            f"sounds/{name}.wav is stale: run tools/make_earcons.py")


def test_load_falls_back_to_making_the_sound(monkeypatch, tmp_path):
    monkeypatch.setattr(earcons, "SOUNDS_DIR", tmp_path)
    audio, rate = earcons.load("done")
    assert rate == earcons.RATE and np.array_equal(audio, earcons.synthesize("done"))
    with pytest.raises(ValueError, match="unknown earcon 'ding'"):
        earcons.load("ding")


def test_playing_an_earcon_mutes_the_microphone(fake_mic):
    fake_mic(np.zeros(16000, np.int16))
    holds = []

    class WatchedMute(Mute):
        def hold(self):
            holds.append(True)
            return super().hold()

    assert Speaker(mute=WatchedMute(tail=0)).earcon("listening") is True
    assert holds == [True]


def test_playing_without_a_sound_card_goes_on_silently(fake_mic, monkeypatch, capsys):
    fake_mic(None)
    if sound_devices():
        pytest.skip("this machine has real sound devices")
    monkeypatch.setattr(voice_module, "_SILENT_NOTICE", threading.Event())
    speaker = Speaker()
    assert speaker.earcon("error") is False
    assert speaker.earcon("done") is False
    assert capsys.readouterr().err.count("No loudspeaker") == 1
