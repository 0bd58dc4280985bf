"""DM-GAN files in the official format load strictly and draw pictures at every stage.

The key names and shapes below are written out from the official code (MinfengZhu/DM-GAN,
code/model.py) by hand, independently of voiceart's modules, so a renamed or reshaped
parameter in voiceart fails here. Values are random: no released weights exist offline.
Other text-to-image tests import the writers from this module.
"""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import torch

from voiceart.errors import ModelFileError


def _bn(prefix: str, n: int, tracked: bool) -> dict[str, tuple]:
    out = {f"{prefix}.weight": (n,), f"{prefix}.bias": (n,), f"{prefix}.running_mean": (n,), f"{prefix}.running_var": (n,)}
    if tracked:
        out[f"{prefix}.num_batches_tracked"] = ()
    return out


def official_generator_shapes(r_num: int, ngf: int = 64, nef: int = 256, ncf: int = 100, nz: int = 100,
                              branch: int = 3, tracked: bool = True) -> dict[str, tuple]:
    """G_NET's state dict as the official code defines it: name -> shape."""
    s: dict[str, tuple] = {"ca_net.fc.weight": (ncf * 4, nef), "ca_net.fc.bias": (ncf * 4,)}
    gf = ngf * 16
    s["h_net1.fc.0.weight"] = (gf * 4 * 4 * 2, nz + ncf)
    s.update(_bn("h_net1.fc.1", gf * 4 * 4 * 2, tracked))
    cin = gf
    for k in range(1, 5):
        cout = cin // 2
        s[f"h_net1.upsample{k}.1.weight"] = (cout * 2, cin, 3, 3)
        s.update(_bn(f"h_net1.upsample{k}.2", cout * 2, tracked))
        cin = cout
    s["img_net1.img.0.weight"] = (3, ngf, 3, 3)
    for stage in range(2, branch + 1):
        h = f"h_net{stage}"
        s[f"{h}.A.weight"] = (1, nef)
        s[f"{h}.B.weight"] = (1, ngf)
        s[f"{h}.M_r.0.weight"], s[f"{h}.M_r.0.bias"] = (ngf * 2, ngf, 1), (ngf * 2,)
        s[f"{h}.M_w.0.weight"], s[f"{h}.M_w.0.bias"] = (ngf * 2, nef, 1), (ngf * 2,)
        s[f"{h}.key.0.weight"], s[f"{h}.key.0.bias"] = (ngf, ngf * 2, 1), (ngf,)
        s[f"{h}.value.0.weight"], s[f"{h}.value.0.bias"] = (ngf, ngf * 2, 1), (ngf,)
        s[f"{h}.response_gate.0.weight"], s[f"{h}.response_gate.0.bias"] = (1, ngf * 2, 1, 1), (1,)
        for r in range(r_num):
            b = f"{h}.residual.{r}.block"
            s[f"{b}.0.weight"] = (ngf * 4, ngf * 2, 3, 3)
            s.update(_bn(f"{b}.1", ngf * 4, tracked))
            s[f"{b}.3.weight"] = (ngf * 2, ngf * 2, 3, 3)
            s.update(_bn(f"{b}.4", ngf * 2, tracked))
        s[f"{h}.upsample.1.weight"] = (ngf * 2, ngf * 2, 3, 3)
        s.update(_bn(f"{h}.upsample.2", ngf * 2, tracked))
        s[f"img_net{stage}.img.0.weight"] = (3, ngf, 3, 3)
    return s


def official_text_encoder_shapes(n_words: int, ninput: int = 300, nhidden: int = 128) -> dict[str, tuple]:
    s = {"encoder.weight": (n_words, ninput)}
    for suffix in ("", "_reverse"):
        s[f"rnn.weight_ih_l0{suffix}"] = (4 * nhidden, ninput)
        s[f"rnn.weight_hh_l0{suffix}"] = (4 * nhidden, nhidden)
        s[f"rnn.bias_ih_l0{suffix}"] = (4 * nhidden,)
        s[f"rnn.bias_hh_l0{suffix}"] = (4 * nhidden,)
    return s


def random_state(shapes: dict[str, tuple], seed: int = 0) -> dict[str, torch.Tensor]:
    """Random values of plausible scale: unit BN scales, small weights, positive variances."""
    g = torch.Generator().manual_seed(seed)
    state = {}
    for name, shape in shapes.items():
        if name.endswith("num_batches_tracked"):
            state[name] = torch.tensor(1000, dtype=torch.int64)
        elif name.endswith("running_var"):
            state[name] = torch.rand(shape, generator=g) + 0.5
        elif name.endswith("running_mean"):
            state[name] = torch.randn(shape, generator=g) * 0.1
        elif name.endswith(".weight") and len(shape) == 1:  # batch-norm scales
            state[name] = 1 + 0.05 * torch.randn(shape, generator=g)
        else:
            fan_in = max(1, int(torch.tensor(shape[1:]).prod().item()) if len(shape) > 1 else 1)
            state[name] = torch.randn(shape, generator=g) / fan_in**0.5
    return state


BIRD_WORDS, COCO_WORDS = 5450, 27297
REAL_WORDS = ["this", "bird", "has", "a", "red", "head", "and", "black", "wings", "small", "yellow", "belly", "with",
              "white", "beak", "long", "tail", "blue", "green", "brown", "is", "the", "of"]


def captions_data(n_words: int) -> list:
    """[train_captions, test_captions, ixtoword, wordtoix] as the official build_dictionary makes them."""
    words = ["<end>"] + REAL_WORDS + [f"word{i}" for i in range(n_words - 1 - len(REAL_WORDS))]
    ixtoword = dict(enumerate(words))
    wordtoix = {w: i for i, w in ixtoword.items()}
    train = [[wordtoix[w] for w in "this bird has a red head".split()], [wordtoix["small"], wordtoix["bird"]]]
    test = [[wordtoix[w] for w in "a yellow bird with black wings".split()]]
    return [train, test, ixtoword, wordtoix]


def write_captions_pickle(path: Path, n_words: int) -> Path:
    with open(path, "wb") as f:
        pickle.dump(captions_data(n_words), f, protocol=2)
    return path


def write_official_files(folder: Path, preset: str, tracked: bool = True, seed: int = 0) -> dict[str, Path]:
    """netG, text encoder and captions.pickle of ``preset`` in the released format, random values."""
    folder.mkdir(parents=True, exist_ok=True)
    r_num, n_words, netg, enc = {"bird": (2, BIRD_WORDS, "bird_DMGAN.pth", "text_encoder200.pth"),
                                 "coco": (3, COCO_WORDS, "coco_DMGAN.pth", "text_encoder100.pth")}[preset]
    torch.save(random_state(official_generator_shapes(r_num, tracked=tracked), seed), folder / netg)
    torch.save(random_state(official_text_encoder_shapes(n_words), seed + 1), folder / enc)
    return {"netg": folder / netg, "text_encoder": folder / enc,
            "captions": write_captions_pickle(folder / "captions.pickle", n_words)}


@pytest.fixture(scope="session")
def official_files(tmp_path_factory) -> dict[str, dict[str, Path]]:
    root = tmp_path_factory.mktemp("dmgan-official")
    return {p: write_official_files(root / p, p, seed=i) for i, p in enumerate(("bird", "coco"))}


# --- tests -------------------------------------------------------------------------------------

def test_the_official_key_list_has_the_released_parameter_counts():
    for r_num, expected in ((2, 21_449_042), (3, 22_335_314)):
        shapes = official_generator_shapes(r_num)
        learned = [s for k, s in shapes.items() if not k.endswith(("running_mean", "running_var", "num_batches_tracked"))]
        assert sum(int(torch.tensor(s).prod().item()) if s else 1 for s in learned) == expected


@pytest.mark.parametrize("preset,expected", [("bird", 21_449_042), ("coco", 22_335_314)])
def test_generator_parameter_counts_and_names_match_the_official_code(preset, expected):
    from voiceart.text2image.config import PRESETS
    from voiceart.text2image.generator import G_NET, count_parameters

    net = G_NET(PRESETS[preset])
    assert count_parameters(net) == expected
    ours = {k: tuple(v.shape) for k, v in net.state_dict().items()}
    assert ours == official_generator_shapes(PRESETS[preset].R_NUM)


@pytest.mark.parametrize("preset", ["bird", "coco"])
def test_released_format_files_load_strictly_and_draw_every_stage(official_files, preset):
    from voiceart.config import Settings
    from voiceart.text2image.sample import TextToImage

    files = official_files[preset]
    t2i = TextToImage.load(Settings(device="cpu"), preset, files["netg"], files["text_encoder"], files["captions"])
    result = t2i.generate("This bird has a red head and zorblax wings!", variants=2, seed=3)
    assert sorted(result.images) == [64, 128, 256]
    for size, images in result.images.items():
        assert len(images) == 2 and all(im.size == (size, size) and im.mode == "RGB" for im in images)
    assert result.unknown == ["zorblax"]
    assert result.words == ["this", "bird", "has", "a", "red", "head", "and", "wings"]
    again = t2i.generate("this bird has a red head and wings", variants=2, seed=3)
    assert list(again.largest[1].get_flattened_data()) == list(result.largest[1].get_flattened_data())  # same seed, same pictures
    other = t2i.generate("this bird has a red head and wings", variants=1, seed=4)
    assert list(other.largest[0].get_flattened_data()) != list(result.largest[0].get_flattened_data())


def test_a_model_that_draws_numbers_that_are_not_a_picture_is_named_damaged(official_files):
    """Weights that load but overflow would give a black picture; the person hears the model is damaged."""
    from voiceart.config import Settings
    from voiceart.errors import ModelFileError
    from voiceart.text2image.sample import TextToImage

    files = official_files["bird"]
    t2i = TextToImage.load(Settings(device="cpu"), "bird", files["netg"], files["text_encoder"], files["captions"])
    t2i.generate("a red bird", seed=1)  # draws
    with torch.no_grad():
        next(t2i.generator.parameters()).fill_(float("inf"))
    with pytest.raises(ModelFileError, match="bird model drew numbers that are not a picture"):
        t2i.generate("a red bird", seed=1)


def test_files_without_num_batches_tracked_or_saved_from_data_parallel_load(tmp_path):
    from voiceart.text2image.checkpoints import load_generator
    from voiceart.text2image.config import PRESETS

    shapes = official_generator_shapes(2, tracked=False)
    assert not any(k.endswith("num_batches_tracked") for k in shapes)
    torch.save(random_state(shapes), tmp_path / "old.pth")
    net = load_generator(tmp_path / "old.pth", PRESETS["bird"])
    assert net.h_net2.residual[1].block[1].running_var.shape == (256,)
    torch.save({f"module.{k}": v for k, v in random_state(official_generator_shapes(3)).items()}, tmp_path / "dp.pth")
    assert load_generator(tmp_path / "dp.pth").config.R_NUM == 3  # sizes read from the file


def test_a_coco_generator_with_the_bird_preset_is_one_clear_sentence(official_files):
    from voiceart.text2image.checkpoints import load_generator
    from voiceart.text2image.config import PRESETS

    with pytest.raises(ModelFileError) as err:
        load_generator(official_files["coco"]["netg"], PRESETS["bird"])
    message = str(err.value)
    assert "a coco generator, not a bird generator" in message and "--preset coco" in message
    assert message.endswith("(use --preset coco).") and "\n" not in message


def test_a_text_encoder_of_another_vocabulary_is_refused(official_files):
    from voiceart.text2image.checkpoints import load_text_encoder

    with pytest.raises(ModelFileError, match="knows 27297 words but the captions file has 5450"):
        load_text_encoder(official_files["coco"]["text_encoder"], BIRD_WORDS)


def test_damaged_and_foreign_files_are_named(tmp_path):
    from voiceart.text2image.checkpoints import load_generator, load_text_encoder

    (tmp_path / "bad.pth").write_bytes(b"not a zip file at all")
    with pytest.raises(ModelFileError, match="cannot be read as PyTorch weights"):
        load_generator(tmp_path / "bad.pth")
    torch.save({"encoder.weight": torch.zeros(3, 4)}, tmp_path / "half.pth")
    with pytest.raises(ModelFileError, match="not a DAMSM text encoder"):
        load_text_encoder(tmp_path / "half.pth")
    torch.save({"ca_net.fc.weight": torch.zeros(400, 256)}, tmp_path / "g.pth")
    with pytest.raises(ModelFileError, match="not a DM-GAN generator"):
        load_generator(tmp_path / "g.pth")


def test_text_encoder_names_match_the_official_rnn_encoder():
    from voiceart.text2image.text_encoder import RNN_ENCODER

    net = RNN_ENCODER(BIRD_WORDS, nhidden=256)
    assert {k: tuple(v.shape) for k, v in net.state_dict().items()} == official_text_encoder_shapes(BIRD_WORDS)
    words, sent = net.eval()(torch.tensor([[5, 6, 7, 0], [8, 9, 0, 0]]), torch.tensor([3, 2]))
    assert words.shape == (2, 256, 3) and sent.shape == (2, 256)
    # padding does not change a caption's features, and batch order does not matter
    alone = net(torch.tensor([[8, 9]]), torch.tensor([2]))
    assert torch.allclose(alone[1], sent[1:], atol=1e-6)


def test_image_encoder_and_discriminator_names_match_the_official_code():
    from voiceart.text2image.config import PRESETS
    from voiceart.text2image.discriminator import build_discriminators
    from voiceart.text2image.image_encoder import CNN_ENCODER

    enc = CNN_ENCODER(256, init=False).state_dict()
    assert tuple(enc["emb_features.weight"].shape) == (256, 768, 1, 1)
    assert tuple(enc["emb_cnn_code.weight"].shape) == (256, 2048)
    assert "Mixed_7c.branch_pool.bn.running_var" in enc and "Conv2d_1a_3x3.conv.weight" in enc
    assert not any(k.startswith(("AuxLogits", "fc.")) for k in enc)
    d64, d128, d256 = (d.state_dict() for d in build_discriminators(PRESETS["bird"]))
    ndf, nef = 32, 256
    assert tuple(d64["img_code_s16.0.module.weight_bar"].shape) == (ndf, 3, 4, 4)
    assert tuple(d64["img_code_s16.6.module.weight_v"].shape) == (ndf * 4 * 16,)
    assert tuple(d64["COND_DNET.jointConv.0.module.weight_bar"].shape) == (ndf * 8, ndf * 8 + nef, 3, 3)
    assert tuple(d64["UNCOND_DNET.outlogits.0.weight"].shape) == (1, ndf * 8, 4, 4)
    assert tuple(d128["img_code_s32_1.0.module.weight_u"].shape) == (ndf * 8,)
    assert tuple(d256["img_code_s64_2.0.module.bias"].shape) == (ndf * 8,)
    assert {k.split(".")[0] for k in d256} == {"img_code_s16", "img_code_s32", "img_code_s64", "img_code_s64_1",
                                               "img_code_s64_2", "UNCOND_DNET", "COND_DNET"}
