"""Whisper, offline: one utterance of audio in, one transcript out.

The weights come from :func:`voiceart.speech.whisper_weights.whisper_checkpoint` (an explicit file, openai-whisper's
cache, the packaged CTranslate2 weights converted once, or a download where a network allows) and
are run by openai-whisper itself, in English, with an initial prompt that lists the command words and
the style names so that Whisper spells them the way the grammar knows them.

An utterance is at most 30 seconds (one Whisper window). Decoding is greedy without timestamps
(commands are a few words; beam search costs time and buys nothing here), with openai-whisper's
temperature fallback: a result whose text repeats itself (compression ratio above 2.4) or whose
average log-probability is below -1 is decoded again at a higher temperature (0.2, 0.4, 0.6). The encoder runs once
per utterance, whatever the number of fallbacks.

Silence, breathing and noise must give no text. Three gates, cheapest first:

* the loudest 100 ms of the audio is quieter than ``SILENCE_DBFS``: nothing is run at all
  (quiet audio above it is raised to ``SPEECH_DBFS`` first, so that Whisper judges a soft voice as
  it judges a loud one);
* Whisper's own no-speech probability is high and the text is unlikely (openai-whisper's rule, with
  a lower threshold; no fallback is tried then);
* the text is unlikely (average log-probability below ``MIN_AVG_LOGPROB``) even after fallback, or
  is one of the phrases Whisper is known to invent for noise ("Thank you.", "you") said with little
  confidence.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Sequence

import numpy as np

from voiceart import vocabulary, weights
from voiceart.config import Settings
from voiceart.errors import ModelFileError, VoiceartError
from voiceart.speech import grammar, rescore, whisper_weights
from voiceart.speech.audio import RATE, read_speech

MAX_SECONDS = 30.0
# Silence put before the audio: Whisper misses a first syllable that starts at the very first sample
# (espeak-ng's "start over" comes out "Tarteaubert"); a microphone's pre-roll gives the same lead-in.
LEAD_IN_SECONDS = 0.3
SILENCE_DBFS = -50.0  # loudest 100 ms below this: silence, Whisper is not run
# Quieter audio is raised to this loudness (loudest 100 ms) before Whisper hears it; louder is left
# as it is. Whisper's log-Mel features keep the absolute level, and base took quiet speech for no
# speech: espeak-ng commands 20 dB below their own level (loudest 100 ms about -37 dBFS, a soft voice
# or a distant microphone) were dropped 4 times in 30, 30 dB below 10 in 30. Raised, they score as
# at full level, while noise raised to this level still scores a no-speech probability of 0.4 or more.
SPEECH_DBFS = -20.0
# openai-whisper's rule: no speech when the no-speech probability is above this and the text is
# unlikely (average log-probability below LOGPROB_THRESHOLD). Its default is 0.6. Here (tiny.en and
# base, 96 espeak-ng utterances in three voices, seven kinds of noise and hum) speech that Whisper was
# unsure of scored at most 0.15 and noise at least 0.24, so 0.2 stops noise at the first decode
# instead of after every fallback (each fallback is another decode: base spent 20 s on loud noise).
NO_SPEECH_THRESHOLD = 0.2
LOGPROB_THRESHOLD = -1.0  # below it (or above the compression ratio), decode again hotter
COMPRESSION_RATIO_THRESHOLD = 2.4
MIN_AVG_LOGPROB = -1.2  # a final text less likely than this is dropped
# openai-whisper goes on to 0.8 and 1.0; for utterances of a few words those rarely rescue anything
# and each costs a decode, so voiceart stops at 0.6.
TEMPERATURES = (0.0, 0.2, 0.4, 0.6)
# What Whisper writes for breath, hum and hiss. Kept only when Whisper is sure of it.
NOISE_PHRASES = {"you", "thank you", "thanks", "thank you very much", "thanks for watching", "thank you for watching",
                 "bye", "oh", "uh", "um", "hmm", "mm", "ah", "so", "the", "i", "yeah", "okay", "bye bye", "music",
                 "applause", "silence", "click", "beep"}
NOISE_PHRASE_MIN_LOGPROB = -0.35
NOISE_PHRASE_MAX_NO_SPEECH = 0.2


class Cancelled(Exception):
    """A transcription was thrown away before it finished (``Transcriber.transcribe``'s ``cancel``)."""


@dataclass
class Transcript:
    """What Whisper heard. ``text`` is empty for silence and noise; ``seconds`` is the time taken."""

    text: str
    avg_logprob: float
    no_speech_prob: float
    seconds: float
    language: str = "en"
    temperature: float = 0.0
    compression_ratio: float = 0.0
    duration: float = 0.0  # of the audio, in seconds
    gated: str | None = None  # why the text was dropped: "silence", "no speech", "unlikely", "noise phrase"
    # The decoder's state on this audio (see voiceart.speech.rescore): what checking a command needs.
    audio: "rescore.Audio | None" = field(default=None, repr=False, compare=False)

    def __bool__(self) -> bool:
        return bool(self.text)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "audio"}


def loudest_dbfs(audio: np.ndarray, window: int = RATE // 10) -> float:
    """The RMS level, in dB below full scale, of the loudest 100 ms."""
    if audio.size == 0:
        return -120.0
    n = max(1, audio.size // window)
    frames = audio[: n * window].reshape(n, -1) if audio.size >= window else audio.reshape(1, -1)
    rms = float(np.sqrt(np.max(np.mean(frames.astype(np.float64) ** 2, axis=1))))
    return 20.0 * np.log10(max(rms, 1e-6))


# Tensors copied from one memory map of the checkpoint at a time, at most this many bytes of them (or
# one tensor, if larger): see load_whisper.
LOAD_SLICE_BYTES = 32 << 20


def load_whisper(path: Path, description: weights.ModelFile):
    """An openai-whisper model from a checkpoint file, loaded strictly, in float32 (the model's own dtype).

    Memory: the float32 model is built first; the file's tensors (half precision in OpenAI's files and
    voiceart's) are then copied into it slice by slice, each slice read through a memory map of its
    own that is closed before the next. The pages read stay counted in the process's memory until
    their map closes, so at most one slice (for base, 51 MB: the token embedding) is held beside the
    model instead of the whole file (145 MB), and nothing of the file is left on the heap afterwards.
    (Building the model on torch's meta device is not possible: Whisper's constructor makes a sparse
    tensor, which the meta device lacks.)
    """
    from whisper.model import ModelDimensions, Whisper

    checkpoint = weights.load_checkpoint(path, description, mmap=True)
    net = Whisper(ModelDimensions(**checkpoint["dims"]))
    state = checkpoint["model_state_dict"]
    expected = net.state_dict().keys()
    if state.keys() != expected:
        missing, unexpected = sorted(expected - state.keys()), sorted(state.keys() - expected)
        raise KeyError(f"missing {missing[:3]}, unexpected {unexpected[:3]}")
    slices, size = [[]], 0
    for name, tensor in state.items():
        nbytes = tensor.numel() * tensor.element_size()
        if slices[-1] and size + nbytes > LOAD_SLICE_BYTES:
            slices.append([])
            size = 0
        slices[-1].append(name)
        size += nbytes
    del checkpoint, state
    for names in slices:
        state = weights.load_checkpoint(path, description, mmap=True)["model_state_dict"]
        net.load_state_dict({name: state[name] for name in names}, strict=False)
        del state
    return net


def _few_logits_inference():
    """openai-whisper's PyTorchInference, computing vocabulary logits only where decoding reads them.

    openai-whisper's decoder turns every position of its first pass (the prompt, about 115 tokens
    here, and the start tokens) into 51,865 logits, and DecodingTask then reads two of them: the
    start-of-transcript position (for the no-speech probability) and the last. For base that
    projection is about 6 GFLOP, 0.05 s on two cores. This subclass runs the same decoder blocks
    (the same kv-cache hooks) and projects only those two positions; the other rows are zeros,
    never read. Tokens, log-probabilities and the no-speech probability are unchanged
    (tests/test_transcribe.py checks them against whisper.decode).
    """
    from whisper.decoding import PyTorchInference

    class FewLogits(PyTorchInference):
        def __init__(self, model, initial_token_length: int, sot_index: int):
            super().__init__(model, initial_token_length)
            self.sot_index = sot_index

        def logits(self, tokens, audio_features):
            import torch

            if not self.kv_cache:
                self.kv_cache, self.hooks = self.model.install_kv_cache_hooks()
            first = tokens.shape[-1] <= self.initial_token_length
            if not first:
                tokens = tokens[:, -1:]
            decoder = self.model.decoder
            offset = next(iter(self.kv_cache.values())).shape[1] if self.kv_cache else 0
            x = decoder.token_embedding(tokens) + decoder.positional_embedding[offset: offset + tokens.shape[-1]]
            x = x.to(audio_features.dtype)
            for block in decoder.blocks:
                x = block(x, audio_features, mask=decoder.mask, kv_cache=self.kv_cache)
            length = x.shape[1]
            keep = sorted({min(self.sot_index, length - 1), length - 1}) if first else [length - 1]
            few = decoder.ln(x[:, keep])
            few = (few @ torch.transpose(decoder.token_embedding.weight.to(few.dtype), 0, 1)).float()
            if len(keep) == length:
                return few
            out = few.new_zeros(x.shape[0], length, few.shape[-1])
            out[:, keep] = few
            return out

        def cleanup_caching(self):
            self.kept = dict(self.kv_cache)  # the keys and values of this decode, for rescore.Audio
            super().cleanup_caching()

    return FewLogits


class Transcriber:
    """openai-whisper on one utterance at a time.

    ``styles`` are the style names to put in the initial prompt (from
    ``Catalogue.load(settings).styles()``); ``prompt=False`` leaves the prompt out entirely.
    """

    def __init__(self, settings: Settings, styles: Sequence[str] = (), model: str | None = None, prompt: bool = True):
        import torch
        import whisper

        self.settings = settings
        self.name = model or settings.whisper_model
        self.device = settings.torch_device()  # also sets torch's thread count
        path = whisper_weights.whisper_checkpoint(settings, self.name)
        description = whisper_weights.whisper_file(self.name)
        try:
            net = load_whisper(path, description)
        except (KeyError, TypeError, RuntimeError) as exc:
            raise ModelFileError(f"The Whisper checkpoint {path} is not an openai-whisper checkpoint ({type(exc).__name__}); "
                                 f"remake it with: {description.make_command}") from None
        self.path = path
        if settings.whisper_checkpoint is not None:
            self.name = Path(path).stem  # what was loaded, not the name in the settings
        self.model = net.to(self.device).eval()
        self.fp16 = self.device.type == "cuda"
        if self.fp16:
            self.model.half()
        self.whisper = whisper
        self.torch = torch
        self.bf16 = self._encoder_in_bfloat16(settings.whisper_precision)
        self.tokenizer = whisper.tokenizer.get_tokenizer(net.is_multilingual, num_languages=net.num_languages,
                                                         language="en", task="transcribe")
        self._inference = _few_logits_inference()
        self.prompt_text = grammar.prompt(styles) if prompt else None
        self.prompt_tokens = self.tokenizer.encode(" " + self.prompt_text.strip()) if self.prompt_text else None
        # One decode at a time: a decode hooks the model's key and value layers to fill its cache, and a
        # check against the audio (rescore) on the session's thread must not feed that cache.
        self.busy = threading.Lock()
        # A transcription started before the end of an utterance is thrown away when the person speaks
        # on (voiceart.speech.listen); it stops at the next block of either network, so that it holds
        # the CPU for at most a block's time. The event is per thread: a check on another thread runs on.
        self._cancel = threading.local()
        for block in [*self.model.encoder.blocks, *self.model.decoder.blocks]:
            block.register_forward_pre_hook(self._stop_if_cancelled)

    def _encoder_in_bfloat16(self, precision: str) -> bool:
        """Whether the encoder runs under bfloat16 autocast: on a CPU with native bfloat16 arithmetic,
        unless the settings say float32. The encoder is about 70 % of a command's time on a CPU, and
        bfloat16 halves it there (oneDNN's AMX or AVX512-BF16 kernels); where bfloat16 is emulated it
        would be slower. The decoder stays in float32: its log-probabilities are what the gates and
        the check against the audio (rescore) are calibrated on."""
        precision = precision.strip().lower()
        if precision not in ("auto", "float32"):
            raise VoiceartError(f"The Whisper precision must be auto or float32, not '{precision}'.")
        native = any(getattr(self.torch.cpu, check, lambda: False)()
                     for check in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"))  # torch's own checks
        return precision == "auto" and self.device.type == "cpu" and native

    def use_threads(self) -> None:
        """Set this thread's torch thread count to the settings' (call it first on a new thread that
        transcribes): a new thread takes whatever count was set last, on any thread, and the voice
        activity detector sets 1 around each of its calls on the listener's."""
        self.torch.set_num_threads(self.settings.threads)

    def _stop_if_cancelled(self, module, args) -> None:
        event = getattr(self._cancel, "event", None)
        if event is not None and event.is_set():
            raise Cancelled

    def warm(self) -> None:
        """Run both networks once on a second of soft noise, so that the first utterance heard is not
        also the one that pays for torch's first-call set-up."""
        noise = np.random.default_rng(0).normal(0.0, 0.05, RATE).astype(np.float32)
        self.transcribe(noise)

    # The decode options for one try. Greedy, no timestamps, English.
    def _options(self, temperature: float, duration: float):
        # Speech runs to about four tokens a second; the cap stops a runaway repetition early.
        sample_len = int(min(self.model.dims.n_text_ctx // 2, 24 + 8 * duration))
        return self.whisper.DecodingOptions(
            task="transcribe", language="en", temperature=temperature, sample_len=sample_len,
            prompt=self.prompt_tokens, without_timestamps=True, fp16=self.fp16,
        )

    def decode(self, features, options):
        """whisper.decode on encoder output, with the inference that projects only the logits it reads;
        keeps the decoder's prompt tokens and keys and values for rescore.Audio."""
        from whisper.decoding import DecodingTask

        task = DecodingTask(self.model, options)
        task.inference = self._inference(self.model, len(task.initial_tokens), task.sot_index)
        if hasattr(task.decoder, "inference"):  # beam search keeps its own reference
            task.decoder.inference = task.inference
        result = task.run(features[None])[0]
        self._last = (task.initial_tokens, task.inference.kept)
        return result

    def features(self, audio: np.ndarray):
        """The encoder's output for one utterance, made as openai-whisper's transcribe() makes it: the
        log-Mel spectrogram of the audio (with 30 s of silence after it, as the level reference),
        cut to the frames of the audio itself, then padded with zeros to the 30-second window.
        (Padding the audio instead gives other frames: tiny.en and base then heard 6 of 84 espeak-ng
        commands differently from faster-whisper, mostly worse.)"""
        whisper = self.whisper
        samples = whisper.audio.N_SAMPLES
        mel = whisper.log_mel_spectrogram(self.torch.from_numpy(audio), self.model.dims.n_mels, padding=samples)
        content = min(whisper.audio.N_FRAMES, mel.shape[-1] - whisper.audio.N_FRAMES)
        mel = whisper.pad_or_trim(mel[:, :content], whisper.audio.N_FRAMES).to(self.device)
        with self.torch.inference_mode(), self.torch.autocast("cpu", self.torch.bfloat16, enabled=self.bf16):
            features = self.model.embed_audio((mel.half() if self.fp16 else mel)[None])[0]
        return features.float() if self.bf16 else features

    def transcribe(self, audio: np.ndarray, cancel: threading.Event | None = None) -> Transcript:
        """Transcribe float32 mono 16 kHz audio (at most 30 s are used). Raises Cancelled soon after
        ``cancel`` is set."""
        self._cancel.event = cancel
        try:
            return self._transcribe(audio)
        finally:
            self._cancel.event = None

    def _transcribe(self, audio: np.ndarray) -> Transcript:
        start = time.perf_counter()
        audio = np.asarray(audio, dtype=np.float32)
        if audio.ndim != 1:
            raise ValueError("transcribe() takes mono audio: a one-dimensional array of 16 kHz samples")
        audio = audio[: int(MAX_SECONDS * RATE)]
        duration = audio.size / RATE
        level = loudest_dbfs(audio)
        if level < SILENCE_DBFS:
            return Transcript("", 0.0, 1.0, time.perf_counter() - start, duration=duration, gated="silence")
        if level < SPEECH_DBFS:
            audio = audio * np.float32(10 ** ((SPEECH_DBFS - level) / 20))
        lead_in = np.zeros(int(LEAD_IN_SECONDS * RATE), dtype=np.float32)
        features = self.features(np.concatenate([lead_in, audio[: int((MAX_SECONDS - LEAD_IN_SECONDS) * RATE)]]))
        result = None
        with self.busy, self.torch.inference_mode():
            for temperature in TEMPERATURES:
                result = self.decode(features, self._options(temperature, duration))
                if result.no_speech_prob > NO_SPEECH_THRESHOLD and result.avg_logprob < LOGPROB_THRESHOLD:
                    break  # silence: no fallback (openai-whisper does the same)
                if result.compression_ratio <= COMPRESSION_RATIO_THRESHOLD and result.avg_logprob >= LOGPROB_THRESHOLD:
                    break
            kept = rescore.Audio.kept(self.model, *self._last)
        text = " ".join(result.text.split())
        gated = self._gate(text, result.avg_logprob, result.no_speech_prob, result.compression_ratio)
        return Transcript(
            text="" if gated else text, avg_logprob=float(result.avg_logprob), no_speech_prob=float(result.no_speech_prob),
            seconds=time.perf_counter() - start, language="en", temperature=float(result.temperature),
            compression_ratio=float(result.compression_ratio), duration=duration, gated=gated,
            audio=None if gated else kept,
        )

    @staticmethod
    def _gate(text: str, avg_logprob: float, no_speech_prob: float, ratio: float) -> str | None:
        if not text:
            return "empty"
        if no_speech_prob > NO_SPEECH_THRESHOLD and avg_logprob < LOGPROB_THRESHOLD:
            return "no speech"
        if avg_logprob < MIN_AVG_LOGPROB or ratio > COMPRESSION_RATIO_THRESHOLD:
            return "unlikely"
        said = " ".join(vocabulary.words(text))
        if said in NOISE_PHRASES and (avg_logprob < NOISE_PHRASE_MIN_LOGPROB or no_speech_prob > NOISE_PHRASE_MAX_NO_SPEECH):
            return "noise phrase"
        return None


def synthesize(text: str, voice: str = "en-us", speed: int | None = None) -> np.ndarray:
    """``text`` spoken by espeak-ng, as float32 mono 16 kHz: test utterances without a microphone.

    espeak-ng writes 22.05 kHz WAV; sox resamples it when present (else audio.resample does).
    """
    import os
    import shutil
    import subprocess
    import tempfile

    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise VoiceartError("espeak-ng is not installed; install it with: apt-get install espeak-ng")
    with tempfile.TemporaryDirectory(prefix="voiceart-say-") as tmp:
        raw, out = os.path.join(tmp, "raw.wav"), os.path.join(tmp, "16k.wav")
        cmd = [espeak, "-v", voice, "-w", raw] + (["-s", str(speed)] if speed else []) + [text]
        subprocess.run(cmd, check=True, capture_output=True)
        sox = shutil.which("sox")
        if sox is not None:
            subprocess.run([sox, raw, "-r", str(RATE), "-c", "1", "-b", "16", out], check=True, capture_output=True)
            return read_speech(Path(out))
        return read_speech(Path(raw))


def transcribe_file(path: Path, settings: Settings, styles: Sequence[str] = (), model: str | None = None) -> Transcript:
    """One-shot helper: read a WAV file and transcribe it."""
    return Transcriber(settings, styles, model).transcribe(read_speech(path))
