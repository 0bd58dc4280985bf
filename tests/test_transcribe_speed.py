"""Whisper's encoder in bfloat16 where the CPU computes it natively: the same words heard, and a
precision the settings cannot name refused in one sentence."""
from __future__ import annotations

import pytest

from voiceart.config import Settings
from voiceart.errors import VoiceartError
from voiceart.paintings.catalogue import Catalogue
from voiceart.speech.transcribe import Transcriber, synthesize
from fake_microphone import have_audio_tools

pytestmark = [pytest.mark.skipif(not have_audio_tools(), reason="needs espeak-ng and sox (tools/setup.sh installs them)"),
              pytest.mark.usefixtures("one_torch_thread")]

SAID = ("baroque", "stop listening", "undo", "a lighthouse on a cliff at sunset", "impressionism")


def test_the_encoder_in_bfloat16_hears_what_float32_hears(whisper_tiny):
    styles = Catalogue.load().styles()
    fast = Transcriber(Settings(whisper_checkpoint=whisper_tiny, device="cpu", whisper_precision="auto"), styles)
    if not fast.bf16:
        pytest.skip("this CPU has no native bfloat16 arithmetic: the encoder stays in float32")
    exact = Transcriber(Settings(whisper_checkpoint=whisper_tiny, device="cpu", whisper_precision="float32"), styles)
    assert not exact.bf16
    for text in SAID:
        audio = synthesize(text)
        a, b = fast.transcribe(audio), exact.transcribe(audio)
        assert a.text == b.text and a.avg_logprob == pytest.approx(b.avg_logprob, abs=0.1), text


def test_an_unknown_whisper_precision_is_one_sentence(whisper_tiny):
    with pytest.raises(VoiceartError, match="must be auto or float32, not 'half'"):
        Transcriber(Settings(whisper_checkpoint=whisper_tiny, device="cpu", whisper_precision="half"))
