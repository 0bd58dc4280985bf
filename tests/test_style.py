"""The style stage as a person meets it: repainting, strength, blending, any size."""
import numpy as np
import pytest
import torch
from PIL import Image

from voiceart.config import Settings
from voiceart.errors import ModelFileError, VoiceartError
from voiceart.style.stylize import Stylizer, mix_styles
from voiceart.weights import STYLE_LITE, find


def mean_abs(a: Image.Image, b: Image.Image) -> float:
    return float(np.abs(np.asarray(a, np.float32) - np.asarray(b, np.float32)).mean())


def test_strength_zero_keeps_the_photos_look(stylizer, photos):
    photo, painting = photos["astronaut"].resize((256, 256)), photos["coffee"]
    none = stylizer.stylize(photo, [painting], strength=0.0)
    half = stylizer.stylize(photo, [painting], strength=0.5)
    full = stylizer.stylize(photo, [painting], strength=1.0)
    assert mean_abs(none, photo) < mean_abs(half, photo) < mean_abs(full, photo)
    # At 0 the colours stay the photo's own: its average colour moves by only a few levels.
    assert np.abs(np.asarray(none, np.float32).mean((0, 1)) - np.asarray(photo, np.float32).mean((0, 1))).max() < 12


def test_full_strength_takes_the_paintings_colours(stylizer, photos):
    photo = photos["chelsea"].resize((256, 192))
    warm = Image.new("RGB", (64, 64), (200, 120, 40))
    stripes = Image.fromarray(np.kron(np.indices((16, 16)).sum(0) % 2, np.ones((16, 16))).astype(np.uint8) * 255).convert("RGB")
    a, b = stylizer.stylize(photo, [warm]), stylizer.stylize(photo, [stripes])
    assert mean_abs(a, b) > 20  # different paintings give visibly different pictures


@pytest.mark.parametrize("size", [(37, 53), (130, 97), (256, 256), (601, 403)])
def test_any_size_comes_back_the_same_size(stylizer, photos, size):
    out = stylizer.stylize(photos["coffee"].resize(size), [photos["astronaut"]])
    assert out.size == size and out.mode == "RGB"


def test_blending_paintings(stylizer, photos):
    photo, a, b = photos["coffee"].resize((128, 96)), photos["astronaut"], photos["chelsea"]
    only_a = stylizer.stylize(photo, [a])
    assert mean_abs(stylizer.stylize(photo, [a, b], blend=[1, 0]), only_a) < 0.5
    mixed = stylizer.stylize(photo, [a, b])
    assert mean_abs(mixed, only_a) > 1 and mean_abs(mixed, stylizer.stylize(photo, [b])) > 1
    with pytest.raises(VoiceartError):
        mix_styles(torch.zeros(2, 100), [0, 0])


def test_a_stylized_picture_can_be_stylized_again(stylizer, photos):
    photo = photos["astronaut"].resize((160, 160))
    once = stylizer.stylize(photo, [photos["coffee"]])
    twice = stylizer.stylize(once, [photos["chelsea"]])
    assert twice.size == photo.size and mean_abs(twice, once) > 1


def test_strength_out_of_range_is_refused(stylizer, photos):
    with pytest.raises(VoiceartError, match="between 0 and 1"):
        stylizer.stylize(photos["coffee"], [photos["chelsea"]], strength=1.5)


def test_missing_weights_name_the_command_that_makes_them(tmp_path, monkeypatch):
    monkeypatch.setattr("voiceart.weights.PROJECT_ROOT", tmp_path)
    with pytest.raises(ModelFileError, match="voiceart convert-style"):
        find(STYLE_LITE, Settings())


def test_damaged_weights_are_reported_not_loaded(tmp_path, monkeypatch):
    monkeypatch.setattr("voiceart.weights.PROJECT_ROOT", tmp_path)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / STYLE_LITE.filename).write_bytes(b"not a checkpoint")
    with pytest.raises(ModelFileError, match="damaged.*voiceart convert-style"):
        find(STYLE_LITE, Settings())


def test_an_explicit_corrupt_file_is_one_sentence(tmp_path):
    bad = tmp_path / "style.pt"
    bad.write_bytes(b"\x00" * 100)
    with pytest.raises(ModelFileError, match="cannot be read"):
        Stylizer(Settings(), weights_path=bad)


def test_a_network_that_paints_numbers_that_are_not_a_picture_is_named_damaged(photos):
    """Weights that load but overflow would give a black picture; the person hears the file is damaged."""
    stylizer = Stylizer(Settings())  # its own copy: the shared one stays whole
    with torch.no_grad():
        next(stylizer.transformer.parameters()).fill_(float("inf"))
    with pytest.raises(ModelFileError, match="not a picture.*convert-style"):
        stylizer.stylize(photos["chelsea"].resize((128, 96)), [photos["coffee"]])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_gives_the_cpu_result(stylizer, photos):
    gpu = Stylizer(Settings(device="cuda"))
    photo = photos["coffee"].resize((256, 192))
    assert mean_abs(gpu.stylize(photo, [photos["chelsea"]]), stylizer.stylize(photo, [photos["chelsea"]])) < 1
