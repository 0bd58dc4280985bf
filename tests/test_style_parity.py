"""The PyTorch port computes what the shipped Magenta lite model computes."""
import numpy as np
import pytest
import torch

from voiceart.style.convert import convert, load_float_onnx, source_model_dir
from voiceart.style.stylize import style_crop, to_tensor
from voiceart.weights import STYLE_LITE

ort = pytest.importorskip("onnxruntime")


@pytest.fixture(scope="module")
def sessions():
    folder = source_model_dir()
    return {name: ort.InferenceSession(load_float_onnx(folder / f"arbitrary_{name}.onnx").SerializeToString(),
                                       providers=["CPUExecutionProvider"])
            for name in ("predict", "transform")}


def nhwc(image):
    return np.asarray(image, dtype=np.float32)[None] / 255.0


def test_ported_networks_match_onnxruntime_on_real_photos(stylizer, sessions, photos):
    for style_name, content_name in (("coffee", "astronaut"), ("astronaut", "chelsea"), ("chelsea", "coffee")):
        style_image = style_crop(photos[style_name])
        expected_vec = sessions["predict"].run(None, {"style_image": nhwc(style_image)})[0].reshape(1, 100)
        got_vec = stylizer.style_vector(photos[style_name]).cpu().numpy().reshape(1, 100)
        assert np.abs(got_vec - expected_vec).max() <= 1e-3

        content = photos[content_name].resize((384, 384))
        inputs = sessions["transform"].get_inputs()
        expected = sessions["transform"].run(None, {inputs[0].name: nhwc(content), inputs[1].name: expected_vec.reshape(1, 1, 1, 100)})[0]
        with torch.inference_mode():
            got = stylizer.transformer(to_tensor(content), torch.from_numpy(expected_vec)).permute(0, 2, 3, 1).numpy()
        assert got.shape == expected.shape
        assert np.abs(got - expected).max() <= 1e-3


def test_conversion_reproduces_the_shipped_weights(tmp_path):
    digest = convert(tmp_path / STYLE_LITE.filename)
    assert digest == STYLE_LITE.sha256
