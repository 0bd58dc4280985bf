"""Listening with Whisper started on each pause (voiceart.speech.listen): real synthesized speech through
the fake microphone, silero-vad, the end-pointer and Whisper tiny.en. A person who pauses mid-sentence is
not cut off; a transcript started in the final pause is the one kept; a whole style name ends its
utterance before the silence tail has passed, a description never does."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from PIL import Image

from fake_microphone import build_recording, fake_mic, have_audio_tools  # noqa: F401
from voiceart.app.loop import complete_command
from voiceart.config import Settings
from voiceart.paintings.catalogue import Catalogue
from voiceart.session import Drawn, Heard, Run, Session
from voiceart.speech.endpoint import Endpointer
from voiceart.speech.grammar import parse
from voiceart.speech.listen import Listening
from voiceart.speech.microphone import FRAME, RATE, Microphone
from voiceart.speech.transcribe import Cancelled, Transcriber
from voiceart.vocabulary import Command, Expecting

pytestmark = [pytest.mark.skipif(not have_audio_tools(), reason="needs espeak-ng and sox (tools/setup.sh installs them)"),
              pytest.mark.usefixtures("one_torch_thread")]

STYLES = tuple(Catalogue.load().styles())


@pytest.fixture(scope="module")
def vad():
    from voiceart.speech.vad import SileroVAD

    return SileroVAD()


@pytest.fixture(scope="module")
def transcriber(whisper_tiny):
    settings = Settings(whisper_checkpoint=whisper_tiny, device="cpu")
    return Transcriber(settings, STYLES)


def choosing_session() -> Session:
    """A session that has drawn a picture and waits for a style, fed as the app feeds it."""
    session = Session(seed=0)
    session.start()
    (draw,) = [a.job for a in session.handle(Heard(Command("describe", "a castle"), "a castle")) if isinstance(a, Run)]
    session.handle(Drawn(draw.job, Image.new("RGB", (64, 64)), (), "landscape", ("Baroque", "Realism", "Romanticism"),
                         "For a landscape I suggest Baroque, Realism or Romanticism."))
    assert session.expecting is Expecting.STYLE
    return session


def describing_session() -> Session:
    session = Session(seed=0)
    session.start()
    assert session.expecting is Expecting.DESCRIPTION
    return session


def in_real_time(frames, from_sample: int = 0):
    """The microphone's frames from sample ``from_sample`` on no faster than they are spoken (the fake
    microphone has no clock): each comes once its last sample would have been said."""
    began, position = None, 0
    for item in frames:
        position += FRAME
        if position > from_sample:
            if began is None:
                began = time.monotonic() - (position - from_sample) / RATE
            time.sleep(max(0.0, began + (position - from_sample) / RATE - time.monotonic()))
        yield item


def listen(fake_mic, recording, listening: Listening, frames=lambda f: f, handed_on: list | None = None):
    """What ``listening`` hears of ``recording`` played into the fake microphone; ``handed_on`` gets the
    stream position (samples heard) at which each utterance was handed on."""
    fake_mic(recording.samples)
    heard = []
    with Microphone() as mic:
        for spoken in listening.hear(frames(mic.frames(len(recording.samples)))):
            heard.append(spoken)
            if handed_on is not None:
                handed_on.append(listening.endpointer.position)
    return heard


def test_a_pause_of_0_4_s_inside_a_description_does_not_cut_it(fake_mic, vad, transcriber):
    recording = build_recording([("a lighthouse on a cliff", "en-us"), ("at sunset", "en-us")], [0.4], lead=1.0, trail=1.5)
    session = describing_session()
    listening = Listening(vad, Endpointer(), transcriber, complete_command(session, STYLES))
    # In real time from the pause on: Whisper has the time to finish "a lighthouse on a cliff" while it lasts.
    heard = listen(fake_mic, recording, listening, lambda f: in_real_time(f, recording.truth[0][1]))
    (spoken,) = heard
    text = spoken.transcript().text.lower()
    assert "lighthouse" in text and "sunset" in text, text
    assert not spoken.early
    # Whisper was started in the pause and its transcript of the first half was thrown away.
    counts = listening.counts
    assert counts.started >= 2 and counts.thrown_away == counts.started - 1 and counts.kept == 1
    command = parse(spoken.transcript().text, session.expecting, STYLES)
    assert command.name == "describe" and "sunset" in command.argument.lower()


def test_the_transcript_started_in_the_last_pause_is_the_one_kept(fake_mic, vad, transcriber):
    recording = build_recording([("baroque", "en-us"), ("start over", "en-us")], [1.5], lead=1.0, trail=1.5)
    listening = Listening(vad, Endpointer(), transcriber)
    heard = listen(fake_mic, recording, listening)
    texts = [s.transcript().text for s in heard]
    assert [parse(text, Expecting.STYLE, STYLES).name for text in texts] == ["style", "new"], texts
    assert listening.counts.kept == 2
    # The kept transcripts are of the very audio handed on: Whisper on it afresh says the same.
    assert [s.transcript().text for s in heard] == [transcriber.transcribe(s.utterance.audio).text for s in heard]


def test_a_whole_style_name_ends_before_the_silence_tail_and_a_description_does_not(fake_mic, vad, transcriber):
    tail = 4.0  # long enough for Whisper tiny.en to finish inside it on a busy machine
    for expected, session in (("style", choosing_session()), ("describe", describing_session())):
        recording = build_recording([("baroque" if expected == "style" else "a castle", "en-us")], [], lead=1.0,
                                    trail=tail + 1.0)
        listening = Listening(vad, Endpointer(silence_tail=tail), transcriber, complete_command(session, STYLES))
        handed_on = []
        end_of_speech = recording.truth[0][1]
        (spoken,) = listen(fake_mic, recording, listening, lambda f: in_real_time(f, end_of_speech), handed_on)
        waited = handed_on[0] - end_of_speech
        command = parse(spoken.transcript().text, session.expecting, STYLES, session.numbered)
        assert command.name == expected
        if expected == "style":
            assert command.argument == "Baroque" and spoken.early and listening.counts.ended_early == 1
            assert waited < tail * RATE * 0.75  # it did not wait for the silence tail
        else:
            assert not spoken.early and listening.counts.ended_early == 0 and listening.counts.kept == 1
            assert waited > tail * RATE


def test_a_transcription_thrown_away_stops_and_the_next_is_unharmed(transcriber):
    from voiceart.speech.transcribe import synthesize

    audio = synthesize("a red sailboat on the sea at sunset")
    before = transcriber.transcribe(audio).text
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        transcriber.transcribe(audio, cancel=cancel)
    # Thrown away mid-way from another thread, as listening does when speech resumes.
    cancel = threading.Event()
    outcome = []

    def run():
        try:
            outcome.append(transcriber.transcribe(audio, cancel=cancel).text)
        except Cancelled:
            outcome.append("cancelled")

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.05)
    cancel.set()
    thread.join(30)
    assert outcome == ["cancelled"]
    assert transcriber.transcribe(audio).text == before


def test_speech_heard_while_muted_is_never_transcribed(fake_mic, vad, transcriber):
    from voiceart.speech.microphone import Gap

    recording = build_recording([("save this picture", "en-us")], [], lead=1.0, trail=1.5)
    pause_from = recording.truth[0][1] + int(0.4 * RATE)  # inside the final pause, after Whisper was started
    listening = Listening(vad, Endpointer(), transcriber)

    def muted_in_the_pause(frames):
        position = 0
        for item in frames:
            position += FRAME
            yield Gap(FRAME) if position > pause_from and position <= pause_from + 4 * FRAME else item

    assert listen(fake_mic, recording, listening, muted_in_the_pause) == []
    assert listening.counts.started == 1 and listening.counts.thrown_away == 1 and listening.counts.kept == 0
