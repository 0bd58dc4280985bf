"""Speaking: pyttsx3 synthesis to wav, the Speaker output path, the Voice thread and `voiceart say`."""
import argparse
import threading
import time
import wave

import numpy as np
import pytest

from fake_microphone import fake_mic, sound_devices  # noqa: F401
from voiceart.config import Settings
from voiceart.speech import voice as voice_module
from voiceart.speech.audio import read_wav
from voiceart.speech.microphone import Mute
from voiceart.speech.voice import Speaker, SpeechSynthesisError, Voice, save_speech, synthesize


class CountingMute(Mute):
    """A real Mute that also counts how often it was held (what the microphone would have dropped)."""

    def __init__(self):
        super().__init__(tail=0)
        self.holds = 0

    def hold(self):
        self.holds += 1
        return super().hold()


def rms(x):
    return float(np.sqrt(np.mean(np.square(x))))


def test_save_to_file_writes_a_spoken_sentence(tmp_path):
    path = save_speech("Paint a red boat on a calm lake.", tmp_path / "out" / "boat.wav")
    with wave.open(str(path)) as f:
        assert (f.getnchannels(), f.getsampwidth()) == (1, 2)
        rate, seconds = f.getframerate(), f.getnframes() / f.getframerate()
    audio, _ = read_wav(path)
    # Eight words at 175 words a minute: about 2.5 s, with espeak's closing pause.
    assert rate >= 16000 and 1.2 < seconds < 5.0
    assert rms(audio) > 0.03 and np.abs(audio).max() > 0.2


def test_rate_and_voice_change_the_speech():
    slow, rate = synthesize("Impressionism, please.", rate=100)
    fast, _ = synthesize("Impressionism, please.", rate=300)
    assert len(slow) > 1.8 * len(fast)
    us, _ = synthesize("Impressionism, please.", voice="en-us")
    gb, _ = synthesize("Impressionism, please.", voice="en-gb")
    assert len(us) != len(gb) or not np.array_equal(us, gb)


def test_an_unknown_voice_or_no_words_is_one_sentence():
    with pytest.raises(SpeechSynthesisError, match="There is no voice called 'robot-ish'"):
        synthesize("hello", voice="robot-ish")
    with pytest.raises(SpeechSynthesisError, match="nothing to say"):
        synthesize("   ")


def test_the_speaker_plays_through_the_device_and_mutes_the_microphone(fake_mic):
    fake_mic(np.zeros(16000, np.int16))  # the fake device also takes playback (to /dev/null)
    mute = CountingMute()
    audio, rate = synthesize("Done.")
    speaker = Speaker(mute=mute)
    assert speaker.play(audio, rate) is True
    assert mute.holds == 1 and not mute.is_set()


def test_stop_cuts_a_sound_short(fake_mic, capsys):
    fake_mic(np.zeros(16000, np.int16))
    speaker = Speaker(mute=CountingMute())
    # An hour of silence (a view, no memory): even the clockless fake device takes seconds for it.
    long = np.broadcast_to(np.float32(0), (22050 * 60 * 60,))
    result = {}
    player = threading.Thread(target=lambda: result.setdefault("played", speaker.play(long, 22050)))
    start = time.perf_counter()
    player.start()
    while not speaker.mute.is_set() and player.is_alive():
        time.sleep(0.001)  # until it is playing
    speaker.stop()
    player.join(timeout=30)
    assert result["played"] is False
    assert time.perf_counter() - start < 10
    assert capsys.readouterr().err == ""  # stopped, not failed


def test_without_a_sound_card_it_says_so_once_and_goes_on(fake_mic, capsys, monkeypatch):
    fake_mic(None)
    if sound_devices():
        pytest.skip("this machine has real sound devices")
    monkeypatch.setattr(voice_module, "_SILENT_NOTICE", threading.Event())
    v = Voice(Settings())
    started = time.perf_counter()
    v.say("The first sentence.")
    v.say("The second sentence.", interrupt=False)
    assert time.perf_counter() - started < 0.1  # say() never waits
    assert v.wait(timeout=20)
    v.close()
    err = capsys.readouterr().err
    assert err.count("No loudspeaker or headphones were found") == 1
    assert v.speaker.silent and v.spoken == ["The first sentence.", "The second sentence."]


class SlowDevice(Speaker):
    """A loudspeaker that takes real time: 'plays' for the sound's duration, checking stop() like the real one."""

    def __init__(self):
        super().__init__(mute=Mute(tail=0))
        self.played, self.cut = [], []

    def play(self, audio, rate):
        self._stop.clear()
        end = time.perf_counter() + len(audio) / rate
        with self.mute.hold():
            while time.perf_counter() < end:
                if self._stop.is_set():
                    self.cut.append(len(audio))
                    return False
                time.sleep(0.005)
        self.played.append(len(audio))
        return True


def test_a_new_sentence_interrupts_the_old_and_drops_the_waiting_ones():
    device = SlowDevice()
    v = Voice(Settings(), speaker=device)
    v.say("This is a long sentence that would take a few seconds to say.")
    v.say("This one waits behind it.", interrupt=False)
    deadline = time.perf_counter() + 10
    while not device.mute.is_set() and time.perf_counter() < deadline:
        time.sleep(0.005)  # until the first sentence is playing
    v.say("Stop.")  # interrupts
    assert v.wait(timeout=20)
    v.close()
    assert len(device.cut) == 1 and len(device.played) == 1
    assert v.spoken[-1] == "Stop." and "This one waits behind it." not in v.spoken


def test_earcons_queue_behind_speech_on_the_same_path():
    device = SlowDevice()
    v = Voice(Settings(), speaker=device)
    v.say("Hello.")
    v.earcon("done")
    assert v.wait(timeout=20)
    v.close()
    assert len(device.played) == 2 and not device.cut


def test_the_voice_thread_survives_a_bad_sentence(capsys):
    device = SlowDevice()
    settings = Settings()
    settings.voice = "no-such-voice"
    v = Voice(settings, speaker=device)
    v.say("One.")
    v.say("Two.", interrupt=False)
    assert v.wait(timeout=20)
    v.voice = None
    v.say("Three.")
    assert v.wait(timeout=20)
    v.close()
    assert capsys.readouterr().err.count("There is no voice called") == 1
    assert v.spoken == ["Three."]


# --- voiceart say ---------------------------------------------------------------------------------

def say(argv):
    from voiceart.speech import cli

    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["say", *argv])
    return args.run(args, Settings())


def test_say_to_a_file(tmp_path, capsys):
    out = tmp_path / "hello.wav"
    assert say(["Hello", "there.", "--to", str(out), "--rate", "150", "--voice", "en-us"]) == 0
    audio, rate = read_wav(out)
    assert 0.5 < len(audio) / rate < 3 and rms(audio) > 0.03
    assert f"Wrote {out}" in capsys.readouterr().out


def test_say_plays_or_says_why_not(fake_mic, capsys, monkeypatch):
    fake_mic(np.zeros(16000, np.int16))
    assert say(["Ready."]) == 0
    fake_mic(None)
    if sound_devices():
        return
    monkeypatch.setattr(voice_module, "_SILENT_NOTICE", threading.Event())
    assert say(["Ready."]) == 1
    assert "No loudspeaker or headphones were found" in capsys.readouterr().err


def test_say_lists_voices(capsys):
    assert say(["--voices"]) == 0
    assert "gmw/en-us\tEnglish (America)\ten-us" in capsys.readouterr().out
