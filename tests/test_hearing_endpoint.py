"""End-pointing as pure logic: synthetic frames and probabilities in, utterances out (fast)."""
import numpy as np
import pytest

from voiceart.speech.endpoint import Endpointer, Utterance, segment
from voiceart.speech.microphone import FRAME, RATE, Gap

SPEECH, QUIET, UNSURE = 0.9, 0.05, 0.4


def frames_for(probabilities):
    """Frame i holds the sample numbers of the stream, so any slice of audio says where it came from."""
    return [np.arange(i * FRAME, (i + 1) * FRAME, dtype=np.float32) for i in range(len(probabilities))]


def run(probabilities, **settings) -> list[Utterance]:
    endpointer = Endpointer(**settings)
    out = []
    for frame, p in zip(frames_for(probabilities), probabilities):
        out += endpointer.push(frame, p)
    return out + endpointer.flush()


def pattern(*runs):
    """pattern((QUIET, 20), (SPEECH, 30)) -> a list of probabilities, one per frame."""
    return [p for p, n in runs for _ in range(n)]


def frames(seconds: float) -> int:
    return round(seconds * RATE / FRAME)


def test_one_utterance_with_pre_roll_and_post_roll():
    probs = pattern((QUIET, 30), (SPEECH, 40), (QUIET, 40))
    (u,) = run(probs, pre_roll=0.3, post_roll=0.2, silence_tail=0.6)
    assert u.speech_start == 30 * FRAME and u.speech_end == 70 * FRAME
    assert u.start == u.speech_start - round(0.3 * RATE)
    assert u.end == u.speech_end + round(0.2 * RATE)
    # The audio is exactly the stream's samples [start, end): nothing lost or repeated.
    np.testing.assert_array_equal(u.audio, np.arange(u.start, u.end, dtype=np.float32))
    assert not u.truncated and u.seconds == pytest.approx((u.end - u.start) / RATE)


def test_a_pause_shorter_than_the_silence_tail_does_not_split():
    probs = pattern((QUIET, 10), (SPEECH, 20), (QUIET, frames(0.45)), (SPEECH, 20), (QUIET, 40))
    (u,) = run(probs, silence_tail=0.6)
    assert u.speech_start == 10 * FRAME and u.speech_end == (50 + frames(0.45)) * FRAME


@pytest.mark.parametrize("tail", [0.5, 0.6, 0.8])
def test_the_silence_tail_is_configurable_and_counted_in_frames(tail):
    short, long = frames(tail) - 2, frames(tail) + 2
    split = pattern((QUIET, 10), (SPEECH, 20), (QUIET, long), (SPEECH, 20), (QUIET, 40))
    kept = pattern((QUIET, 10), (SPEECH, 20), (QUIET, short), (SPEECH, 20), (QUIET, 40))
    assert len(run(split, silence_tail=tail)) == 2
    assert len(run(kept, silence_tail=tail)) == 1


def test_an_utterance_ends_once_the_tail_has_passed_not_at_the_end_of_the_stream():
    endpointer = Endpointer(silence_tail=0.6)
    probs = pattern((QUIET, 5), (SPEECH, 20), (QUIET, 100))
    ended_at = None
    for i, (frame, p) in enumerate(zip(frames_for(probs), probs)):
        if endpointer.push(frame, p):
            ended_at = i
            break
    # The first quiet frame is 25; the tail is complete after ceil(0.6 s / 32 ms) = 19 frames.
    assert ended_at == 25 + int(np.ceil(0.6 * RATE / FRAME)) - 1


def test_hysteresis_unsure_frames_neither_start_nor_end_silence():
    # Unsure frames (between 0.35 and 0.5) inside speech keep it going however long they last ...
    probs = pattern((QUIET, 10), (SPEECH, 10), (UNSURE, 40), (SPEECH, 10), (QUIET, 40))
    (u,) = run(probs)
    assert u.speech_end == 70 * FRAME
    # ... but they never start an utterance on their own.
    assert run(pattern((QUIET, 10), (UNSURE, 50), (QUIET, 40))) == []


def test_a_long_utterance_is_cut_at_the_maximum_and_the_rest_follows():
    probs = pattern((QUIET, 10), (SPEECH, frames(5.0)), (QUIET, 40))
    first, second = run(probs, max_utterance=3.0, pre_roll=0.0)
    assert first.truncated and not second.truncated
    assert first.end - first.start == pytest.approx(3.0 * RATE, abs=FRAME)
    assert second.start == first.end  # nothing lost, nothing heard twice
    assert second.speech_end == (10 + frames(5.0)) * FRAME


def test_clicks_shorter_than_the_minimum_speech_are_dropped():
    probs = pattern((QUIET, 20), (SPEECH, 2), (QUIET, 40), (SPEECH, 1), (QUIET, 40))
    assert run(probs, min_speech=0.15) == []
    assert len(run(probs, min_speech=0.05)) == 1


def test_silence_gives_no_utterance():
    assert run(pattern((QUIET, 500))) == []
    assert run([]) == []


def test_pre_roll_is_clipped_at_the_start_of_the_stream_and_at_the_previous_utterance():
    (u,) = run(pattern((QUIET, 3), (SPEECH, 20), (QUIET, 40)), pre_roll=0.3)
    assert u.start == 0 and u.audio[0] == 0
    # A second utterance right after the first one's end never takes audio the first one had.
    probs = pattern((QUIET, 10), (SPEECH, 20), (QUIET, frames(0.6) + 1), (SPEECH, 20), (QUIET, 40))
    first, second = run(probs, pre_roll=1.0, post_roll=0.2, silence_tail=0.6)
    assert second.start == first.end


def test_flush_finishes_an_utterance_in_progress():
    endpointer = Endpointer()
    for frame, p in zip(frames_for(pattern((QUIET, 5), (SPEECH, 20))), pattern((QUIET, 5), (SPEECH, 20))):
        assert endpointer.push(frame, p) == []
    (u,) = endpointer.flush()
    assert u.speech_end == 25 * FRAME and u.end == 25 * FRAME


def test_a_gap_drops_the_utterance_in_progress_and_keeps_time():
    endpointer = Endpointer(pre_roll=0.3)
    probs = pattern((QUIET, 5), (SPEECH, 20))
    for frame, p in zip(frames_for(probs), probs):
        endpointer.push(frame, p)
    assert endpointer.gap(100 * FRAME) == []  # muted: what was being said is dropped
    assert endpointer.position == 125 * FRAME
    # After the gap, time goes on from where it was, and the pre-roll never reaches into the gap.
    out = []
    for i, p in enumerate(pattern((SPEECH, 20), (QUIET, 40))):
        out += endpointer.push(np.zeros(FRAME, np.float32), p)
    (u,) = out
    assert u.speech_start == 125 * FRAME and u.start == 125 * FRAME


def test_segment_runs_a_vad_over_frames_and_gaps():
    probs = pattern((QUIET, 10), (SPEECH, 20), (QUIET, 30), (SPEECH, 20), (QUIET, 30))
    table = {int(f[0]): p for f, p in zip(frames_for(probs), probs)}

    class TableVAD:
        resets = 0

        def __call__(self, frame):
            return table[int(frame[0])]

        def reset(self):
            self.resets += 1

    stream = frames_for(probs)
    # Replace frames 25..64 (the end of the first utterance and the start of the second) by gaps.
    items = stream[:25] + [Gap(FRAME)] * 40 + stream[65:]
    vad = TableVAD()
    utterances = list(segment(items, vad, Endpointer()))
    assert vad.resets == 40
    # The first utterance was dropped by the gap; the second began inside it and counts from its end.
    (u,) = utterances
    assert u.speech_start == u.start == 65 * FRAME
    assert len(list(segment(stream, vad, Endpointer()))) == 2  # without the gap: both


def test_settings_are_checked():
    with pytest.raises(ValueError):
        Endpointer(silence_tail=0)
    with pytest.raises(ValueError):
        Endpointer(threshold=0)


def test_from_settings_uses_the_settings():
    from voiceart.config import Settings

    s = Settings()
    s.silence_tail, s.max_utterance, s.pre_roll = 0.7, 9.0, 0.25
    e = Endpointer.from_settings(s)
    assert (e.silence_tail, e.max_length, e.pre_roll) == (round(0.7 * RATE), 9 * RATE, round(0.25 * RATE))


def test_a_pause_offers_the_utterance_exactly_as_it_will_be_if_the_pause_becomes_its_end():
    endpointer = Endpointer(silence_tail=0.6, post_roll=0.2)
    probs = pattern((QUIET, 10), (SPEECH, 20), (UNSURE, 2), (QUIET, 30))
    offered, pausing_from, done = None, None, []
    for i, (frame, p) in enumerate(zip(frames_for(probs), probs)):
        done += endpointer.push(frame, p)
        if endpointer.pausing and offered is None:
            offered, pausing_from = endpointer.so_far(), i
    # Offered once the post-roll after the last speech frame is heard (unsure frames count as heard, not as speech).
    assert pausing_from == 30 + int(np.ceil(0.2 * RATE / FRAME)) - 1
    (u,) = done
    assert (offered.start, offered.end, offered.speech_end) == (u.start, u.end, u.speech_end)
    np.testing.assert_array_equal(offered.audio, u.audio)


def test_speech_after_a_pause_takes_the_offer_back_and_end_stops_the_utterance_at_once():
    endpointer = Endpointer(silence_tail=0.6, post_roll=0.2)
    probs = pattern((QUIET, 10), (SPEECH, 20), (QUIET, 10), (SPEECH, 1))
    for frame, p in zip(frames_for(probs), probs):
        assert endpointer.push(frame, p) == []
    assert not endpointer.pausing  # the person spoke on: what was offered is not the utterance
    for frame in frames_for(pattern((QUIET, 8)))[:8]:
        endpointer.push(frame + 41 * FRAME, QUIET)
    assert endpointer.pausing
    (u,) = endpointer.end()  # a whole command was heard: no need to wait for the rest of the tail
    assert u.speech_end == 41 * FRAME and u.end == 41 * FRAME + round(0.2 * RATE)
    assert not endpointer.pausing and endpointer.flush() == []


def test_a_click_is_never_offered():
    endpointer = Endpointer(min_speech=0.15)
    for frame, p in zip(frames_for(pattern((SPEECH, 2), (QUIET, 15))), pattern((SPEECH, 2), (QUIET, 15))):
        endpointer.push(frame, p)
        assert not endpointer.pausing
