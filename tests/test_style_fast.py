"""The style transformer's fast inference path computes what the plain network computes.

``StyleTransformer.forward`` (inference) runs voiceart.style.fast; ``reference``
is the network as Magenta writes it. A person sees the fast path's pictures, so
it must agree with the plain network (and so with onnxruntime, see
test_style_parity.py) at every size, in batches, and for every style.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from voiceart.style import fast
from voiceart.style.stylize import to_tensor


def plain(transformer, x, style):
    """The plain network on any size: pad to a multiple of 4, as forward does, then crop."""
    h, w = x.shape[-2:]
    if h % 4 or w % 4:
        x = F.pad(x, (0, -w % 4, 0, -h % 4), mode="reflect")
    return transformer.reference(x, style)[..., :h, :w]


@pytest.mark.parametrize("size", [(16, 16), (37, 53), (20, 64), (130, 97), (256, 256), (601, 403), (1024, 1024)])
def test_fast_path_gives_the_plain_networks_picture_at_every_size(stylizer, photos, size):
    style = stylizer.style_vector(photos["coffee"])[None]
    x = to_tensor(photos["astronaut"].resize(size))
    with torch.inference_mode():
        got, expected = stylizer.transformer(x, style), plain(stylizer.transformer, x, style)
    assert got.shape == expected.shape == (1, 3, size[1], size[0])
    assert (got - expected).abs().max().item() <= 1e-3


def flat_pictures():
    """Pictures where instance norm sees channels almost constant: where sums of squares lose their digits."""
    rng = np.random.default_rng(0)
    sky = np.linspace(60, 200, 256)[:, None, None] * np.ones((256, 256, 3))
    dot = np.full((256, 256, 3), 255, np.uint8)
    dot[100:106, 100:106] = 0
    square = np.full((256, 256, 3), 255, np.uint8)
    square[100:116, 100:116] = 0
    return {"black": np.zeros((128, 128, 3), np.uint8), "grey": np.full((192, 128, 3), 128, np.uint8),
            "sky": sky.astype(np.uint8), "faint noise": (128 + rng.integers(-1, 2, (256, 256, 3))).astype(np.uint8),
            "a dot on white": dot, "a square on white": square}


@pytest.mark.parametrize("name", list(flat_pictures()))
def test_plain_and_nearly_plain_pictures_match_too(stylizer, photos, name):
    from PIL import Image

    x = to_tensor(Image.fromarray(flat_pictures()[name]))
    for painting in ("coffee", "astronaut"):
        style = stylizer.style_vector(photos[painting])[None]
        with torch.inference_mode():
            got, expected = stylizer.transformer(x, style), plain(stylizer.transformer, x, style)
        assert (got - expected).abs().max().item() <= 1e-3


def test_a_batch_of_photos_with_their_own_styles_matches_one_at_a_time(stylizer, photos):
    names = ("astronaut", "coffee", "chelsea")
    x = torch.cat([to_tensor(photos[n].resize((96, 64))) for n in names])
    styles = torch.stack([stylizer.style_vector(photos[n]) for n in reversed(names)])
    with torch.inference_mode():
        together = stylizer.transformer(x, styles)
        alone = torch.cat([plain(stylizer.transformer, x[i:i + 1], styles[i:i + 1]) for i in range(3)])
    assert (together - alone).abs().max().item() <= 1e-3
    assert (together[0] - together[1]).abs().mean() > 0.05  # each photo really got its own style


def test_pictures_too_small_for_the_fast_path_still_come_back_whole(stylizer, photos):
    style = stylizer.style_vector(photos["chelsea"])[None]
    x = to_tensor(photos["coffee"].resize((13, 9)))
    with torch.inference_mode():
        out = stylizer.transformer(x, style)
    assert out.shape == (1, 3, 9, 13) and torch.isfinite(out).all()


def test_training_uses_the_plain_network_with_gradients(stylizer, photos):
    x = to_tensor(photos["coffee"].resize((32, 32))).requires_grad_()
    out = stylizer.transformer(x, torch.zeros(1, 100))
    out.mean().backward()
    stylizer.transformer.zero_grad(set_to_none=True)
    assert x.grad is not None and x.grad.abs().sum() > 0


@pytest.mark.parametrize("size", [(6, 6), (7, 10)])
def test_upsampling_phases_equal_nearest_upsampling_then_a_reflect_padded_convolution(size):
    g = torch.Generator().manual_seed(0)
    x, weight = torch.randn(2, 5, *size, generator=g), torch.randn(4, 5, 3, 3, generator=g)
    expected = F.conv2d(F.pad(F.interpolate(x, scale_factor=2.0, mode="nearest"), (1, 1, 1, 1), mode="reflect"), weight)
    y = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), fast.upsample_conv_kernel(weight))
    h, w = size
    for g_, (py, px) in enumerate(fast.PHASES):
        phase = y[:, 4 * g_:4 * g_ + 4, py:py + h, px:px + w]
        assert torch.allclose(phase, expected[..., py::2, px::2], atol=1e-4)


@pytest.mark.parametrize("kernel", [3, 5, 9])
def test_phase_convolution_equals_the_full_size_convolution_with_reflection_padding(kernel):
    g = torch.Generator().manual_seed(1)
    x, weight = torch.randn(2, 3, 14, 18, generator=g), torch.randn(2, 3, kernel, kernel, generator=g)
    r = kernel // 2
    expected = F.conv2d(F.pad(x, (r, r, r, r), mode="reflect"), weight)
    reach = (r + 1) // 2
    phases = torch.cat([x[..., py::2, px::2] for py, px in fast.PHASES], 1)
    buf = torch.zeros(2, 12, 7 + 2 * reach, 9 + 2 * reach)
    buf[..., reach:reach + 7, reach:reach + 9] = phases
    fast._fill_phases(buf, reach, 3)
    y = F.conv2d(buf, fast.phase_conv_kernel(weight))
    for g_, (py, px) in enumerate(fast.PHASES):
        assert torch.allclose(y[:, 2 * g_:2 * g_ + 2], expected[..., py::2, px::2], atol=1e-4)


def test_stylized_pictures_are_unchanged_by_the_fast_path_to_the_eye(stylizer, photos):
    """Whole pictures as the stage returns them: at most one level of 255 apart from the plain network's."""
    photo, painting = photos["chelsea"].resize((320, 240)), photos["astronaut"]
    style = stylizer.style_vector(painting)
    got = np.asarray(stylizer.apply(photo, style), np.int16)
    with torch.inference_mode():
        ref = plain(stylizer.transformer, to_tensor(photo), style[None])
    expected = (ref[0].clamp(0, 1) * 255 + 0.5).to(torch.uint8).permute(1, 2, 0).numpy().astype(np.int16)
    assert np.abs(got - expected).max() <= 1


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("size,batch", [((512, 512), 1), ((601, 403), 3)])
def test_cuda_fast_path_gives_the_cpu_plain_networks_picture(stylizer, photos, size, batch):
    """On the GPU, in float32 without TF32, the fast path is held to the same 1e-3 as on the CPU."""
    from voiceart.config import Settings
    from voiceart.style.stylize import Stylizer

    gpu = Stylizer(Settings(device="cuda"))
    names = ("astronaut", "coffee", "chelsea")[:batch]
    x = torch.cat([to_tensor(photos[n].resize(size)) for n in names])
    styles = torch.stack([stylizer.style_vector(photos[n]) for n in reversed(names)])
    before = torch.backends.cudnn.allow_tf32
    torch.backends.cudnn.allow_tf32 = False
    try:
        with torch.inference_mode():
            got = gpu.transformer(x.cuda(), styles.cuda()).cpu()
            expected = plain(stylizer.transformer, x, styles)
    finally:
        torch.backends.cudnn.allow_tf32 = before
    assert got.shape == expected.shape
    assert (got - expected).abs().max().item() <= 1e-3
