"""The hearing path on real audio: espeak-ng utterances played into a fake microphone (ALSA's
file plugin), captured by voiceart's Microphone, judged by silero-vad and cut by the end-pointer."""
import threading

import numpy as np
import pytest

from fake_microphone import build_recording, fake_mic, have_audio_tools, resample_int16, sound_devices  # noqa: F401
from voiceart.speech.endpoint import Endpointer, segment
from voiceart.speech.audio import Resampler
from voiceart.speech.microphone import (FRAME, RATE, AudioDeviceError, DeviceLostError, Gap, Microphone, Mute,
                                        NoInputDeviceError, SampleRateError, input_device)

pytestmark = pytest.mark.skipif(not have_audio_tools(), reason="needs espeak-ng and sox (tools/setup.sh installs them)")

PARTS = [("paint a red boat on a calm lake", "en-us"), ("impressionism", "en-us+f3"), ("save", "en-gb"),
         ("number two", "en-us+m3"), ("stronger", "en-gb+f2")]
PAUSES = [1.2, 0.9, 1.5, 1.0]
TOLERANCE = 0.3  # seconds, the bound on boundary errors


@pytest.fixture(scope="module")
def recording():
    return build_recording(PARTS, PAUSES, lead=1.0, trail=2.0)


@pytest.fixture(scope="module")
def vad():
    from voiceart.speech.vad import SileroVAD

    return SileroVAD()


def hear(vad, samples: int, **mic_options):
    """Utterances from the fake microphone's first ``samples`` samples (16 kHz)."""
    with Microphone(mute=mic_options.pop("mute", Mute(tail=0)), **mic_options) as mic:
        return list(segment(mic.frames(samples), vad, Endpointer())), mic


def boundary_errors(utterances, truth):
    return [(abs(u.speech_start - s) / RATE, abs(u.speech_end - e) / RATE) for u, (s, e) in zip(utterances, truth)]


def test_a_recording_is_cut_into_its_utterances(fake_mic, vad, recording):
    fake_mic(recording.samples)
    utterances, mic = hear(vad, len(recording.samples))
    assert mic.rate == RATE and mic.overflows == 0
    assert len(utterances) == len(PARTS)
    errors = boundary_errors(utterances, recording.truth)
    worst = max(max(pair) for pair in errors)
    print("boundary errors (start, end) in s:", [(round(a, 3), round(b, 3)) for a, b in errors])
    assert worst <= TOLERANCE


def test_the_pre_roll_keeps_the_onset_exactly(fake_mic, vad, recording):
    fake_mic(recording.samples)
    utterances, _ = hear(vad, len(recording.samples))
    reference = recording.samples.astype(np.float32) / 32768
    late = 0
    for u, (start, end) in zip(utterances, recording.truth):
        late += u.speech_start > start  # the detector noticed the word after it began ("s" of "stronger") ...
        assert u.speech_start - u.start == pytest.approx(0.3 * RATE, abs=FRAME)  # ... but the pre-roll ...
        assert u.start < start  # ... starts the audio before the word's first sound
        assert u.end >= end  # and the audio runs past its last sound
        # The captured audio is bit for bit what was spoken: nothing dropped, nothing repeated.
        np.testing.assert_array_equal(u.audio, reference[u.start:u.end])
    assert late >= 1  # without a pre-roll some onsets would have been lost


def test_silence_and_faint_noise_give_no_utterance(fake_mic, vad):
    rng = np.random.default_rng(1)
    quiet = np.zeros(6 * RATE, dtype=np.int16)
    hiss = np.clip(rng.normal(0, 0.003 * 32768, 6 * RATE), -32768, 32767).astype(np.int16)  # about -50 dBFS
    fake_mic(np.concatenate([quiet, hiss]))
    utterances, _ = hear(vad, 12 * RATE)
    assert utterances == []


def test_the_microphone_is_deaf_while_voiceart_makes_a_sound(fake_mic, vad, recording):
    fake_mic(recording.samples)
    mute = Mute(tail=0.1)
    second_start, second_end = recording.truth[1]
    endpointer = Endpointer()
    utterances, gaps = [], 0
    # A small queue keeps the reader thread within a few frames of this loop, so holding the mute
    # here covers the samples captured now.
    with Microphone(mute=mute, queue_seconds=0.1) as mic:
        hold = None
        for item in mic.frames(len(recording.samples)):
            here = mic.position
            if hold is None and here >= second_start - int(0.5 * RATE):
                hold = mute.hold()
                hold.__enter__()  # voiceart starts speaking ...
            if hold is not None and here >= second_end + int(0.3 * RATE) and mute.is_set():
                hold.__exit__(None, None, None)  # ... and stops
            if isinstance(item, Gap):
                gaps += item.samples
                utterances += endpointer.gap(item.samples)
            else:
                utterances += endpointer.push(item, vad(item))
        utterances += endpointer.flush()
    assert gaps >= second_end - second_start  # at least the whole second utterance went unheard
    heard = [round(u.speech_start / RATE, 1) for u in utterances]
    expected = [s / RATE for i, (s, e) in enumerate(recording.truth) if i != 1]
    assert len(utterances) == len(PARTS) - 1, heard
    assert all(abs(h - e) <= TOLERANCE for h, e in zip(heard, expected))


def test_while_muted_throughout_nothing_is_heard(fake_mic, vad, recording):
    fake_mic(recording.samples)
    mute = Mute(tail=0)
    with mute.hold():
        utterances, mic = hear(vad, len(recording.samples), mute=mute)
    assert utterances == [] and mic.position >= len(recording.samples)


def test_a_device_that_refuses_16_khz_is_recorded_at_its_rate_and_resampled(fake_mic, vad, recording):
    fake_mic(resample_int16(recording.samples, RATE, 48000), rate=48000)
    utterances, mic = hear(vad, len(recording.samples), capture_rate=48000)
    assert mic.rate == 48000
    assert len(utterances) == len(PARTS)
    assert max(max(pair) for pair in boundary_errors(utterances, recording.truth)) <= TOLERANCE
    # The resampled audio matches the original closely.
    u = utterances[0]
    original = recording.samples[u.start:u.end].astype(np.float32) / 32768
    assert np.corrcoef(u.audio, original)[0, 1] > 0.98


def test_no_microphone_is_one_plain_sentence(fake_mic):
    fake_mic(None)  # a HOME with no ALSA devices
    if sound_devices():
        pytest.skip("this machine has real sound devices")
    with pytest.raises(NoInputDeviceError) as caught:
        Microphone().open()
    message = str(caught.value)
    assert message.startswith("No microphone was found") and "\n" not in message and message.endswith(".")


def test_an_unknown_device_or_rate_is_one_plain_sentence(fake_mic, recording):
    fake_mic(recording.samples)
    with pytest.raises(NoInputDeviceError, match="No microphone's name contains 'studio mic'; the ones present are"):
        input_device("studio mic")
    with pytest.raises(NoInputDeviceError, match="There is no microphone number 99"):
        Microphone(99).open()
    assert input_device("DEFAULT") == input_device(None) == input_device(str(input_device(None)))
    with pytest.raises(SampleRateError, match="will not record at 1 Hz"):
        Microphone(capture_rate=1).open()


def test_a_microphone_that_stops_mid_stream_is_one_plain_sentence(fake_mic, recording):
    fake_mic(recording.samples)
    with Microphone(mute=Mute(tail=0), queue_seconds=0.1) as mic:
        frames = mic.frames()
        for _ in range(10):
            next(frames)
        mic._stream.abort()  # the device goes away under the reader
        with pytest.raises(DeviceLostError) as caught:
            for _ in frames:
                pass
    assert "stopped" in str(caught.value) and "\n" not in str(caught.value)
    assert isinstance(caught.value, AudioDeviceError)


def test_frames_end_when_the_microphone_is_closed(fake_mic, recording):
    fake_mic(recording.samples)
    mic = Microphone(mute=Mute(tail=0), queue_seconds=0.1).open()
    got = []

    def consume():
        got.extend(mic.frames())

    reader = threading.Thread(target=consume)
    reader.start()
    while len(got) < 5:
        pass
    mic.close()
    reader.join(timeout=5)
    assert not reader.is_alive()


# --- The resampler (pure) -----------------------------------------------------------------------

@pytest.mark.parametrize("src", [48000, 44100, 22050, 8000])
def test_resampling_in_blocks_equals_resampling_at_once_and_keeps_a_tone(src):
    t = np.arange(2 * src) / src
    x = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * 3000 * t)
    whole = Resampler(src).process(x)
    r, parts, i, rng = Resampler(src), [], 0, np.random.default_rng(0)
    while i < len(x):
        n = int(rng.integers(1, 2000))
        parts.append(r.process(x[i:i + n]))
        i += n
    np.testing.assert_array_equal(np.concatenate(parts), whole)
    tt = np.arange(len(whole)) / RATE
    ideal = 0.5 * np.sin(2 * np.pi * 440 * tt) + 0.3 * np.sin(2 * np.pi * 3000 * tt)
    assert np.abs(whole - ideal)[100:-100].max() < 1e-3
    assert abs(len(whole) - 2 * RATE) < 64


def test_resampling_removes_what_16_khz_cannot_hold():
    t = np.arange(48000) / 48000
    out = Resampler(48000).process(np.sin(2 * np.pi * 12000 * t))  # would alias to 4 kHz
    assert np.sqrt(np.mean(out[200:-200] ** 2)) < 0.01
