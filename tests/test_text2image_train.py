"""Training on the CPU with the test-sized preset: DAMSM and DM-GAN run, stop, go on exactly
where they stopped, produce a model `generate` draws with, and measure it."""
from __future__ import annotations

import csv
import io
import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch
from PIL import Image

from test_text2image_cli import voiceart


# These models are small: one thread is as fast as two, and far faster on a busy machine.
pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="session")
def shapes(tmp_path_factory) -> Path:
    from voiceart.text2image.shapes import make_shapes

    return make_shapes(tmp_path_factory.mktemp("shapes"), n=72, size=76, seed=0)


@pytest.fixture(scope="session")
def damsm_folder(shapes, tmp_path_factory) -> Path:
    """A DAMSM pair trained a little on the shapes (shared by the DM-GAN tests)."""
    from voiceart.text2image.train_damsm import DAMSMOptions, train_damsm

    out = tmp_path_factory.mktemp("damsm")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    train_damsm(DAMSMOptions(data=shapes, out=out, preset="tiny", steps=40, save_every=1000), torch.device("cpu"), stream=io.StringIO())
    torch.set_num_threads(before)
    return out


def rows(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def states_equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_damsm_resumes_exactly_where_it_stopped(shapes, tmp_path):
    from voiceart.text2image.train_damsm import DAMSMOptions, train_damsm

    def run(out, steps):
        return train_damsm(DAMSMOptions(data=shapes, out=out, preset="tiny", steps=steps, save_every=1000),
                           torch.device("cpu"), stream=io.StringIO())

    run(tmp_path / "straight", 5)
    first = run(tmp_path / "resumed", 3)
    assert first["step"] == 3
    run(tmp_path / "resumed", 5)
    a = torch.load(tmp_path / "straight" / "damsm_state.pt", weights_only=True)
    b = torch.load(tmp_path / "resumed" / "damsm_state.pt", weights_only=True)
    assert a["step"] == b["step"] == 5
    assert states_equal(a["text_encoder"], b["text_encoder"]) and states_equal(a["image_encoder"], b["image_encoder"])
    assert rows(tmp_path / "straight" / "damsm_log.csv") == [
        {**r, "seconds": s["seconds"]} for r, s in zip(rows(tmp_path / "resumed" / "damsm_log.csv"), rows(tmp_path / "straight" / "damsm_log.csv"))]
    for name in ("text_encoder.pth", "image_encoder.pth", "captions.pickle", "config.json"):
        assert (tmp_path / "resumed" / name).is_file()


def test_dmgan_resumes_exactly_where_it_stopped(shapes, damsm_folder, tmp_path):
    from voiceart.text2image.train_dmgan import DMGANOptions, train_dmgan

    def run(out, steps):
        return train_dmgan(DMGANOptions(data=shapes, out=out, damsm=damsm_folder, steps=steps, save_every=1000, sample_every=2),
                           torch.device("cpu"), stream=io.StringIO())

    run(tmp_path / "straight", 3)
    run(tmp_path / "resumed", 2)
    result = run(tmp_path / "resumed", 3)
    assert result["step"] == 3 and not result["stopped"]
    a = torch.load(tmp_path / "straight" / "dmgan_state.pt", weights_only=True)
    b = torch.load(tmp_path / "resumed" / "dmgan_state.pt", weights_only=True)
    for key in ("netG", "netG_ema"):
        assert states_equal(a[key], b[key]), key
    assert all(states_equal(x, y) for x, y in zip(a["netsD"], b["netsD"]))
    assert torch.equal(a["rng"]["noise"], b["rng"]["noise"])
    # the EMA generator moved away from the trained one only a little (decay 0.999)
    assert not states_equal(a["netG"], a["netG_ema"])
    assert [r["step"] for r in rows(tmp_path / "resumed" / "dmgan_log.csv")] == ["1", "2", "3"]
    grid = Image.open(tmp_path / "resumed" / "samples" / "step0000002.png")
    assert grid.width > grid.height  # 8 captions across, 2 stages down


def test_a_resumed_run_can_weigh_the_damsm_loss_anew(shapes, damsm_folder, tmp_path):
    from voiceart.text2image.train_dmgan import DMGANOptions, train_dmgan

    def run(steps, weight=None):
        return train_dmgan(DMGANOptions(data=shapes, out=tmp_path, damsm=damsm_folder, steps=steps, save_every=1000,
                                        sample_every=1000, damsm_weight=weight), torch.device("cpu"), stream=io.StringIO())

    assert run(2)["config"].LAMBDA == 1.0  # the tiny preset's
    assert run(4, weight=30.0)["step"] == 4
    assert json.loads((tmp_path / "config.json").read_text())["LAMBDA"] == 30.0
    assert torch.load(tmp_path / "dmgan_state.pt", weights_only=True)["config"]["LAMBDA"] == 30.0
    # the logged DAMSM word loss is LAMBDA times the raw one: it jumps when the weight does
    w = [float(r["w"]) for r in rows(tmp_path / "dmgan_log.csv")]
    assert min(w[2:]) > 5 * max(w[:2])
    assert run(4)["config"].LAMBDA == 30.0  # and stays with the run


def test_the_damsm_can_judge_softened_shifted_pictures_and_a_run_keeps_that(shapes, damsm_folder, tmp_path):
    """--damsm-augment: the generator is judged on a view where texture is gone but things remain."""
    from voiceart.text2image.losses import damsm_view
    from voiceart.text2image.train_dmgan import DMGANOptions, train_dmgan

    torch.manual_seed(0)
    picture = torch.zeros(2, 3, 64, 64, requires_grad=True)
    texture = torch.zeros(1, 3, 64, 64)
    texture[..., ::2, ::2] = 1.0  # a one-pixel checkerboard: what a frozen encoder could be fooled by
    views = [damsm_view(texture) for _ in range(20)]
    assert all(v.shape == texture.shape for v in views)
    assert any(float((v - v.mean()).abs().mean()) < 0.5 * float((texture - texture.mean()).abs().mean()) for v in views)
    assert all(abs(float(v.mean()) - float(texture.mean())) < 0.02 for v in views)  # the colour stays
    damsm_view(picture).sum().backward()
    assert picture.grad is not None and float(picture.grad.abs().sum()) > 0  # the generator learns through it

    def run(steps, augment=False):
        return train_dmgan(DMGANOptions(data=shapes, out=tmp_path, damsm=damsm_folder, steps=steps, save_every=1000,
                                        sample_every=1000, damsm_augment=augment), torch.device("cpu"), stream=io.StringIO())

    assert run(2, augment=True)["config"].DAMSM_AUGMENT
    assert json.loads((tmp_path / "config.json").read_text())["DAMSM_AUGMENT"] is True
    assert run(3)["config"].DAMSM_AUGMENT  # a resumed run keeps its own


def test_the_paired_loss_sees_layout_and_colour_not_texture():
    from voiceart.text2image.losses import paired_loss

    sky = torch.full((1, 3, 64, 64), -1.0)
    thing_left, thing_right = sky.clone(), sky.clone()
    thing_left[..., 24:56, 4:24] = 1.0
    thing_right[..., 24:56, 40:60] = 1.0
    textured = thing_left.clone()
    textured[..., ::2, ::2] += 0.4  # a one-pixel checkerboard over the same picture
    textured[..., 1::2, 1::2] -= 0.4
    assert float(paired_loss(thing_left, thing_left, 32)) == 0.0
    assert float(paired_loss(textured, thing_left, 32)) < 0.01  # noise may vary the texture freely
    assert float(paired_loss(thing_right, thing_left, 32)) > 0.2  # a thing in the wrong place costs
    assert float(paired_loss(sky, thing_left, 32)) > 0.1  # a missing thing costs


def test_training_with_the_paired_loss_draws_closer_to_the_captions_own_pictures(shapes, damsm_folder, tmp_path):
    """--paired-weight: the generator is pulled toward the picture each caption was written for. Two runs alike in
    all but the weight (the same seed, data order and noise): the weighted one ends nearer its captions' pictures.
    The weight is kept with the run and a resumed run can change it."""
    from voiceart.text2image.train_dmgan import DMGANOptions, train_dmgan

    def run(out, steps, weight=None):
        return train_dmgan(DMGANOptions(data=shapes, out=out, damsm=damsm_folder, steps=steps, save_every=1000,
                                        sample_every=1000, paired_weight=weight), torch.device("cpu"), stream=io.StringIO())

    def distance_at_the_end(out, weight):  # the logged term is the weight times the mean L1 at 32 px
        return sum(float(r["paired"]) / weight for r in rows(out / "dmgan_log.csv")[-10:])

    assert run(tmp_path / "a", 40, weight=1e-6)["config"].PAIRED_WEIGHT == 1e-6
    assert run(tmp_path / "b", 40, weight=100.0)["config"].PAIRED_WEIGHT == 100.0
    assert distance_at_the_end(tmp_path / "b", 100.0) < 0.97 * distance_at_the_end(tmp_path / "a", 1e-6)
    assert json.loads((tmp_path / "b" / "config.json").read_text())["PAIRED_WEIGHT"] == 100.0
    assert run(tmp_path / "b", 42)["config"].PAIRED_WEIGHT == 100.0  # a resumed run keeps its own
    assert run(tmp_path / "b", 44, weight=0.0)["config"].PAIRED_WEIGHT == 0.0


def test_train_generate_and_eval_from_the_command_line(shapes, damsm_folder, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VOICEART_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "gan"
    assert voiceart(["--device", "cpu", "--threads", "1", "train", "dmgan", str(shapes), "--damsm", str(damsm_folder), "-o", str(out),
                     "--steps", "2", "--sample-every", "2", "--install-as", "shapes"]) == 0
    printed = capsys.readouterr().out
    assert "DM-GAN: 72 images" in printed and "Done: step 2 of 2" in printed and "--preset shapes" in printed
    for name in ("netG.pth", "netD0.pth", "netD1.pth", "text_encoder.pth", "captions.pickle", "dmgan_log.csv",
                 "samples/step0000002.png"):
        assert (out / name).is_file(), name
    # netG.pth is a bare state dict, as the released files
    state = torch.load(out / "netG.pth", weights_only=True)
    assert "h_net2.residual.0.block.0.weight" in state and "netG" not in state

    assert voiceart(["--device", "cpu", "--threads", "1", "generate", "a red circle on a nowhere background", "--model", str(out),
                     "--seed", "1", "--all-stages", "-o", str(tmp_path / "c.png")]) == 0
    assert "left out: nowhere" in capsys.readouterr().out
    assert Image.open(tmp_path / "c.png").size == (128, 128) and Image.open(tmp_path / "c-64.png").size == (64, 64)
    assert voiceart(["--device", "cpu", "--threads", "1", "generate", "a blue square", "--preset", "shapes", "-o", str(tmp_path / "s.png")]) == 0
    assert Image.open(tmp_path / "s.png").size == (128, 128)

    report = tmp_path / "report.json"
    assert voiceart(["--device", "cpu", "--threads", "1", "eval", "dmgan", str(shapes), "--model", str(out), "--image-encoder",
                     str(damsm_folder / "image_encoder.pth"), "--count", "20", "-o", str(report)]) == 0
    printed = capsys.readouterr().out
    assert "R-precision:" in printed and "FD-Lite0:" in printed and "not comparable" in printed
    assert "--inception FILE" in printed  # IS and FID say what they need
    import json

    figures = json.loads(report.read_text())
    assert 0 <= figures["r_precision"] <= 1 and figures["fd_lite0"] > 0 and figures["fid"] is None


def test_training_needs_encoders_and_enough_pictures(shapes, tmp_path, capsys):
    assert voiceart(["train", "dmgan", str(shapes), "-o", str(tmp_path / "g")]) == 2
    assert "needs DAMSM encoders" in capsys.readouterr().err
    assert voiceart(["train", "damsm", str(shapes), "-o", str(tmp_path / "d"), "--batch-size", "100", "--steps", "1"]) == 2
    assert "a batch needs 100" in capsys.readouterr().err
    assert voiceart(["train", "dmgan", str(shapes), "-o", str(tmp_path / "g"), "--install-as", "bird"]) == 2
    assert "cannot name an installed model" in capsys.readouterr().err


def test_the_official_cub_and_coco_layouts_load(shapes, tmp_path):
    """The layouts of the official code: filenames.pickle per split, text/, images, bounding boxes, classes."""
    from voiceart.text2image.config import PRESETS
    from voiceart.text2image.data import CaptionDataset, detect_layout, load_dataset

    cfg = PRESETS["tiny"].with_(CAPTIONS_PER_IMAGE=4)
    names = sorted(p.stem for p in shapes.glob("*.png"))[:12]
    texts = {}
    for line in (shapes / "captions.txt").read_text().splitlines():
        name, caption, _ = line.split("\t")
        texts.setdefault(Path(name).stem, []).append(caption)
    for layout in ("cub", "coco"):
        root = tmp_path / layout
        images = root / ("CUB_200_2011/images" if layout == "cub" else "images")
        for split, keys in (("train", [f"001.Shape/{n}" for n in names[:8]]), ("test", [f"002.Shape/{n}" for n in names[8:]])):
            (root / split).mkdir(parents=True)
            with open(root / split / "filenames.pickle", "wb") as f:
                pickle.dump(keys, f, protocol=2)
            with open(root / split / "class_info.pickle", "wb") as f:
                pickle.dump([int(k[:3]) for k in keys], f, protocol=2)
            for key in keys:
                (images / key).parent.mkdir(parents=True, exist_ok=True)
                Image.open(shapes / f"{key.split('/')[1]}.png").convert("RGB").save(images / f"{key}.jpg")
                (root / "text" / key).parent.mkdir(parents=True, exist_ok=True)
                (root / "text" / f"{key}.txt").write_text("\n".join(texts[key.split("/")[1]]) + "\n")
        if layout == "cub":
            keys = [f"001.Shape/{n}" for n in names[:8]] + [f"002.Shape/{n}" for n in names[8:]]
            (root / "CUB_200_2011" / "images.txt").write_text("".join(f"{i + 1} {k}.jpg\n" for i, k in enumerate(keys)))
            (root / "CUB_200_2011" / "bounding_boxes.txt").write_text("".join(f"{i + 1} 10.0 12.0 40.0 30.0\n" for i in range(len(keys))))
        assert detect_layout(root) == layout
        train, captions = load_dataset(root, cfg, "train")
        assert (root / "captions.pickle").is_file()  # built as the official code does, and kept
        test, _ = load_dataset(root, cfg, "test")
        assert len(train) == 8 and len(test) == 4 and len(captions.train_captions) == 32
        assert {e.class_id for e in train} == {1} and {e.class_id for e in test} == {2}
        assert (train[0].bbox is not None) == (layout == "cub")
        imgs, caption, length, class_id, key = CaptionDataset(train, cfg, seed=1)[(0, 3)]
        assert [tuple(i.shape) for i in imgs] == [(3, 64, 64), (3, 128, 128)] and -1 <= imgs[0].min() <= imgs[0].max() <= 1
        assert caption.shape == (cfg.WORDS_NUM,) and 0 < length <= cfg.WORDS_NUM and key == train[3].key


@pytest.mark.slow
def test_ctrl_c_stops_after_a_step_and_the_run_goes_on(shapes, damsm_folder, tmp_path):
    out = tmp_path / "gan"
    script = textwrap.dedent(f"""
        import sys, torch
        from pathlib import Path
        from voiceart.text2image.train_dmgan import DMGANOptions, train_dmgan
        torch.set_num_threads(1)
        r = train_dmgan(DMGANOptions(data=Path({str(shapes)!r}), out=Path({str(out)!r}), damsm=Path({str(damsm_folder)!r}),
                                     steps=500, save_every=1000, sample_every=1000, log_every=1), torch.device("cpu"))
        print("RESULT", r["step"], r["stopped"], flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    seen = 0
    deadline = time.time() + 240
    for line in proc.stdout:
        if line.startswith("DM-GAN:") and "/500 [" in line:
            seen += 1
            if seen == 3:
                proc.send_signal(signal.SIGINT)
                break
        assert time.time() < deadline
    rest, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err
    assert "Stopping after this step" in err
    step = int(rest.split("RESULT ")[1].split()[0])
    assert 3 <= step < 500 and "True" in rest
    state = torch.load(out / "dmgan_state.pt", weights_only=True)
    assert state["step"] == step and len(rows(out / "dmgan_log.csv")) == step
    from voiceart.text2image.train_dmgan import DMGANOptions, train_dmgan

    result = train_dmgan(DMGANOptions(data=shapes, out=out, damsm=damsm_folder, steps=step + 1, save_every=1000, sample_every=1000),
                         torch.device("cpu"), stream=io.StringIO())
    assert result["step"] == step + 1 and len(rows(out / "dmgan_log.csv")) == step + 1


@pytest.mark.slow
def test_after_a_little_damsm_training_matched_captions_outrank_shuffled_ones(shapes, tmp_path):
    from voiceart.text2image.checkpoints import load_image_encoder, load_text_encoder
    from voiceart.text2image.data import load_dataset
    from voiceart.text2image.evaluate import damsm_r_precision
    from voiceart.text2image.train_damsm import DAMSMOptions, train_damsm
    from voiceart.text2image.vocab import load_captions

    out = tmp_path / "damsm"
    result = train_damsm(DAMSMOptions(data=shapes, out=out, preset="tiny", steps=200, save_every=1000),
                         torch.device("cpu"), stream=io.StringIO())
    config = result["config"]
    vocab = load_captions(out / "captions.pickle").vocab
    text = load_text_encoder(out / "text_encoder.pth", len(vocab))
    image = load_image_encoder(out / "image_encoder.pth", config)
    examples, _ = load_dataset(shapes, config, vocab=vocab)
    # every picture asked with each of its 4 captions, among 100 (chance: 1 %)
    matched, _, candidates = damsm_r_precision(text, image, examples, config, "cpu", count=72, every_caption=True)
    shuffled, _, _ = damsm_r_precision(text, image, examples, config, "cpu", count=72, every_caption=True, shuffle_captions=True)
    assert candidates == 100
    assert matched >= max(2.5 * shuffled, shuffled + 0.05), (matched, shuffled)
    losses = rows(out / "damsm_log.csv")
    first = sum(float(r["s_loss"]) for r in losses[:20]) / 20
    last = sum(float(r["s_loss"]) for r in losses[-20:]) / 20
    assert last < first - 1.0, (first, last)


def test_a_damsm_over_frozen_imagenet_lite0_learns_only_its_projections_and_loads_back(shapes, tmp_path, capsys):
    """Pretrained features where the paper used them: --backbone lite0 keeps EfficientNet-Lite0's ImageNet
    weights as they are, trains the two projections, and the saved encoder loads for DM-GAN training."""
    from voiceart.genre.model import efficientnet_lite0
    from voiceart.text2image.checkpoints import load_image_encoder

    out = tmp_path / "damsm"
    assert voiceart(["--device", "cpu", "--threads", "1", "train", "damsm", str(shapes), "-o", str(out), "--steps", "3",
                     "--batch-size", "8", "--backbone", "lite0"]) == 0
    config = json.loads((out / "config.json").read_text())
    assert config["IMAGE_ENCODER"] == "lite0"
    from voiceart.text2image.config import get_preset

    encoder = load_image_encoder(out / "image_encoder.pth", get_preset(out / "config.json"))
    imagenet = efficientnet_lite0().state_dict()
    assert all(torch.equal(v, imagenet[k]) for k, v in encoder.lite0.net.state_dict().items())
    regions, code = encoder(torch.rand(2, 3, 64, 64) * 2 - 1)
    assert regions.shape[1] == code.shape[1] == config["EMBEDDING_DIM"] and torch.isfinite(code).all()
    # how well it tells the pictures' captions apart, measured on its own
    capsys.readouterr()
    assert voiceart(["--threads", "1", "eval", "damsm", str(shapes), "--damsm", str(out), "--count", "20"]) == 0
    printed = capsys.readouterr().out
    assert "DAMSM R-precision on 20 real pictures" in printed and "image encoder lite0" in printed
    assert voiceart(["eval", "damsm", str(shapes), "--damsm", str(tmp_path)]) == 2
    assert "is not a DAMSM folder: config.json is missing" in capsys.readouterr().err
    # and DM-GAN trains against it (its DAMSM loss goes back through the frozen Lite0 to the generator)
    assert voiceart(["--device", "cpu", "--threads", "1", "train", "dmgan", str(shapes), "--damsm", str(out),
                     "-o", str(tmp_path / "gan"), "--steps", "2", "--batch-size", "4"]) == 0
    assert [int(r["step"]) for r in rows(tmp_path / "gan" / "dmgan_log.csv")] == [1, 2]
    assert all(float(r["w"]) > 0 for r in rows(tmp_path / "gan" / "dmgan_log.csv"))


def test_progress_is_a_bar_on_a_terminal_and_a_line_every_n_steps_in_a_log():
    from voiceart.text2image.training import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    bar = Progress(0, 30, every=10, stream=screen, label="DM-GAN ")
    print("DM-GAN: 32 images, batch 4", file=screen)  # what the trainer says before its first step
    for step in range(1, 31):
        bar.update(step, {"g": 1.5})
    bar.close()
    shown = screen.getvalue()
    assert shown.startswith("DM-GAN: 32 images, batch 4\n") and "\r" in shown and shown.endswith("\n")
    assert "30/30" in shown and "g 1.500" in shown

    log = io.StringIO()
    lines = Progress(0, 30, every=10, stream=log, label="DM-GAN ")
    for step in range(1, 31):
        lines.update(step, {"g": 1.5})
    printed = log.getvalue().splitlines()
    assert [line.split("|")[2].split()[0] for line in printed] == ["10/30", "20/30", "30/30"] and "\r" not in log.getvalue()
