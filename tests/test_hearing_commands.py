"""`voiceart listen` and `voiceart doctor` on the fake microphone (ALSA's file plugin)."""
import argparse
import importlib.util
import json

import numpy as np
import pytest

from fake_microphone import build_recording, fake_mic, have_audio_tools, sound_devices  # noqa: F401
from voiceart.config import Settings
from voiceart.speech.microphone import RATE, NoInputDeviceError

pytestmark = pytest.mark.skipif(not have_audio_tools(), reason="needs espeak-ng and sox (tools/setup.sh installs them)")

PARTS = [("impressionism", "en-us"), ("number two", "en-gb"), ("save", "en-us"), ("stronger", "en-us+f3")]
PAUSES = [1.0, 1.2, 0.9]


@pytest.fixture(scope="module")
def recording():
    return build_recording(PARTS, PAUSES, lead=0.8, trail=1.5, noise=0.0005)


def run(argv):
    from voiceart.speech import cli

    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.run(args, Settings())


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_listen_prints_each_utterance_as_it_ends(fake_mic, recording, capsys, tmp_path):
    fake_mic(recording.samples)
    seconds = len(recording.samples) / RATE
    assert run(["listen", "--seconds", f"{seconds:.2f}", "--quiet", "--no-transcribe", "--json",
                "--save", str(tmp_path / "heard")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Listening on 'default' at 16000 Hz")
    records = json_lines(out)
    assert [r["utterance"] for r in records] == [1, 2, 3, 4]
    for record, (start, end) in zip(records, recording.truth):
        assert abs(record["start"] - start / RATE) <= 0.3 and abs(record["end"] - end / RATE) <= 0.3
    assert len(list((tmp_path / "heard").glob("utterance-*.wav"))) == 4


def test_listen_copes_without_speech_recognition(fake_mic, recording, capsys, monkeypatch, tmp_path):
    fake_mic(recording.samples)
    missing = tmp_path / "no-such-whisper.pt"
    monkeypatch.setenv("VOICEART_WHISPER_CHECKPOINT", str(missing))  # Whisper's weights are not there
    assert run(["listen", "--seconds", "2.5", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert f"The Whisper checkpoint file {missing} does not exist. Until then only the times of utterances are shown." in out
    assert "1: " in out and "1 utterance heard." in out


def test_listen_with_settings_that_clash_is_one_sentence(fake_mic, recording):
    from voiceart.errors import VoiceartError

    fake_mic(recording.samples)
    with pytest.raises(VoiceartError, match=r"The silence that ends an utterance \(seconds\) must be a number from 0.05 to 10, not 0.0\."):
        run(["listen", "--silence-tail", "0", "--quiet"])


def test_listen_without_a_microphone_is_one_sentence(fake_mic):
    fake_mic(None)
    if sound_devices():
        pytest.skip("this machine has real sound devices")
    with pytest.raises(NoInputDeviceError, match="No microphone was found"):
        run(["listen", "--quiet", "--no-transcribe"])


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("voiceart.speech.transcribe") is None, reason="no transcriber yet")
def test_listen_transcribes_and_understands(fake_mic, recording, capsys, monkeypatch):
    monkeypatch.setenv("VOICEART_WHISPER", "tiny.en")
    fake_mic(recording.samples)
    assert run(["listen", "--seconds", f"{len(recording.samples) / RATE:.2f}", "--quiet", "--json"]) == 0
    records = json_lines(capsys.readouterr().out)
    assert len(records) == 4 and all("text" in r and "command" in r for r in records)
    # Segmentation is this test's business; Whisper's accuracy on espeak voices is tested beside it.
    # Still, most of these clearly spoken commands should come through.
    understood = [(r["command"], r["argument"]) for r in records]
    expected = [("style", "Impressionism"), ("choose", "2"), ("save", None), ("stronger", None)]
    assert sum(u == e for u, e in zip(understood, expected)) >= 2, understood


@pytest.mark.slow
def test_doctor_finds_everything_on_a_working_machine(fake_mic, recording, capsys, monkeypatch):
    monkeypatch.setenv("VOICEART_WHISPER", "tiny.en")
    fake_mic(recording.samples)
    code = run(["doctor"])
    out = capsys.readouterr().out
    for name in ("sound system", "microphone", "loudspeaker", "speech synthesis", "espeak-ng program", "voice activity",
                 "earcons"):
        assert f"ok       {name}:" in out, out
    if importlib.util.find_spec("voiceart.speech.transcribe") is not None:
        assert "ok       speech recognition: Whisper tiny.en heard" in out, out
        assert code == 0 and "Everything hearing and speaking need works" in out
    else:
        assert code == 1 and "PROBLEM  speech recognition" in out


@pytest.mark.slow
def test_doctor_says_how_to_fix_what_is_missing(fake_mic, capsys, monkeypatch):
    monkeypatch.setenv("VOICEART_WHISPER", "tiny.en")
    fake_mic(None)
    if sound_devices():
        pytest.skip("this machine has real sound devices")
    assert run(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "PROBLEM  microphone: No microphone was found" in out
    assert "PROBLEM  loudspeaker: No loudspeaker or headphones were found" in out
    assert out.count("         fix: ") >= 2
    assert "2 problems found" in out or "problems found" in out


def test_doctor_notices_a_microphone_that_hears_only_zeros(fake_mic):
    from voiceart.speech.doctor import check_microphone

    fake_mic(np.zeros(RATE, np.int16))
    check = check_microphone(Settings())
    assert not check.ok and "digital silence" in check.detail and check.fix
