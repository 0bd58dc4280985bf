"""Text to image on the scene data: a tiny model trained on a tiny built scene set is measured on
its held-out split as the shipped model is (R-precision, the distance beside its floor and ceiling,
unknown words, a grid), and the shipped model draws held-out captions."""
from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from test_text2image_cli import voiceart
from voiceart.errors import VoiceartError

# These models are small: one thread is as fast as two, and far faster on a busy machine.
pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def scene_run(tmp_path_factory) -> Path:
    """A scene set of 24 training and 16 held-out pictures (no emoji: offline and fast) and a tiny
    DAMSM and DM-GAN trained a few steps on its training split (about 10 s on one thread)."""
    from voiceart.text2image.scenes.build import build
    from voiceart.text2image.train_damsm import DAMSMOptions, train_damsm
    from voiceart.text2image.train_dmgan import DMGANOptions, train_dmgan

    root = tmp_path_factory.mktemp("scene-run")
    build(root / "data", count=24, test_count=16, size=128, seed=3, use_emoji=False, report=lambda m: None,
          val_count=8, probe_count=48)
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        cpu = torch.device("cpu")
        train_damsm(DAMSMOptions(data=root / "data" / "train", out=root / "damsm", preset="tiny", steps=20, save_every=1000),
                    cpu, stream=io.StringIO())
        train_dmgan(DMGANOptions(data=root / "data" / "train", out=root / "gan", damsm=root / "damsm", steps=8,
                                 save_every=1000, sample_every=10**6), cpu, stream=io.StringIO())
    finally:
        torch.set_num_threads(before)
    return root


def test_eval_on_the_held_out_split_reports_baselines_unknown_words_and_a_grid(scene_run, tmp_path, capsys):
    from voiceart.text2image.vocab import load_captions, tokenize

    test = scene_run / "data" / "test"
    report, grid = tmp_path / "report.json", tmp_path / "grid.png"
    assert voiceart(["--device", "cpu", "--threads", "1", "eval", "dmgan", str(test), "--model", str(scene_run / "gan"),
                     "--image-encoder", str(scene_run / "damsm" / "image_encoder.pth"), "--grid", str(grid),
                     "-o", str(report)]) == 0
    printed = capsys.readouterr().out
    assert "real against real" in printed and "untrained generator" in printed and "does not know" in printed
    assert "real pictures:" in printed  # how well the DAMSM itself tells the held-out captions apart
    figures = json.loads(report.read_text())
    assert figures["images"] == 16 and figures["real_pictures"] == 16
    assert 0 <= figures["r_precision"] <= 1 and 0 <= figures["r_precision_untrained"] <= 1
    assert 0 <= figures["r_precision_real"] <= 1
    # the floor is below the ceiling: real pictures are nearer each other than an untrained generator's
    assert 0 < figures["fd_lite0_real"] < figures["fd_lite0_untrained"]
    assert figures["fd_lite0"] > 0

    # the model's vocabulary comes from 24 training pictures: held-out captions have words it lacks
    vocab = load_captions(scene_run / "gan" / "captions.pickle").vocab
    lines = [line.split("\t") for line in (test / "captions.txt").read_text().splitlines()]
    held_out_words = {w for _, text, _ in lines for w in tokenize(text)}
    unknown = figures["unknown_words"]
    assert unknown["captions"] == len(lines) == 16 * 6
    assert unknown["distinct"] == len(held_out_words - set(vocab.wordtoix)) > 0
    assert unknown["most_frequent"] and all(w in held_out_words and w not in vocab for w, _ in unknown["most_frequent"])
    counts = [n for _, n in unknown["most_frequent"]]
    assert counts == sorted(counts, reverse=True) and 0 < counts[0] <= unknown["captions_with_unknown"]

    # the grid: 16 different held-out pictures, each with one of its own captions (the words the model read)
    sheet = Image.open(grid)
    assert sheet.format == "PNG" and sheet.width > 4 * 2 * 128 and sheet.height > 4 * 128
    entries = figures["grid"]["captions"]
    assert [e["number"] for e in entries] == list(range(1, 17))
    assert len({e["picture"] for e in entries}) == 16
    words_num = json.loads((scene_run / "gan" / "config.json").read_text())["WORDS_NUM"]
    own = {}
    for name, text, _ in lines:
        own.setdefault(name, []).append(" ".join([w for w in tokenize(text) if w in vocab][:words_num]))
    assert all(e["caption"] in own[e["picture"]] for e in entries)
    assert "16." in printed and entries[0]["caption"] in printed


def test_the_probe_learns_from_its_own_split_and_eval_says_what_it_finds(scene_run, tmp_path, capsys):
    data, probe, report = scene_run / "data", tmp_path / "probe.pt", tmp_path / "report.json"
    assert voiceart(["--device", "cpu", "--threads", "1", "train", "probe", str(data), "-o", str(probe)]) == 0
    printed = capsys.readouterr().out
    assert f"learned from {data / 'probe'}" in printed and "On the real validation pictures: things found" in printed
    assert voiceart(["--device", "cpu", "--threads", "1", "eval", "dmgan", str(data / "test"), "--model",
                     str(scene_run / "gan"), "--probe", str(probe), "--no-lite0", "-o", str(report)]) == 0
    printed = capsys.readouterr().out
    assert "named things found:" in printed and "ground:" in printed
    found = json.loads(report.read_text())["probe"]
    assert set(found) == {"generated", "untrained", "real"}
    assert all(found[m]["things_named"] == 16 for m in found)  # each plain caption names its subject
    assert all(0 <= found[m][k] <= 1 for m in found for k in ("thing_recall", "time", "weather", "terrain"))
    # 48 pictures are too few to generalise (the shipped probe's test below is about that), but the probe has
    # learned the pictures it was given
    from voiceart.text2image.evaluate import Lite0Features
    from voiceart.text2image.probe import Probe, probe_accuracy

    own = probe_accuracy(Probe.load(probe), data / "probe", Lite0Features())
    assert own.thing_recall > 0.9 and min(own.accuracy.values()) > 0.9


def test_a_probe_that_learns_its_own_reader_keeps_it_and_eval_reads_with_it(scene_run, tmp_path, capsys):
    """The independent check of a generator trained against a Lite0 DAMSM: a reader learned from the probe
    split alone, saved with its heads, used by eval dmgan --probe without being told which reader it has."""
    from voiceart.text2image.probe import Probe, features, probe_accuracy, train_probe

    data, path, report = scene_run / "data", tmp_path / "scratch.pt", tmp_path / "report.json"
    probe = train_probe(data / "probe", "scratch", steps=300)
    probe.save(path)
    again = Probe.load(path)
    assert again.backbone == "scratch" and again.scratch is not None
    # it has learned the pictures it was given, and the file gives back the very same reader and heads
    own = probe_accuracy(again, data / "probe", again.reader())
    assert own.thing_recall > 0.8 and min(own.accuracy.values()) > 0.8
    pictures = torch.rand(4, 3, 128, 128) * 2 - 1
    assert torch.equal(features(probe.reader(), pictures), features(again.reader(), pictures))
    assert voiceart(["--device", "cpu", "--threads", "1", "eval", "dmgan", str(data / "test"), "--model",
                     str(scene_run / "gan"), "--probe", str(path), "--no-lite0", "-o", str(report)]) == 0
    found = json.loads(report.read_text())["probe"]
    assert set(found) == {"generated", "untrained", "real"} and all(found[m]["things_named"] == 16 for m in found)
    with pytest.raises(VoiceartError, match="not 'vgg'"):
        train_probe(data / "probe", "vgg")


def test_a_generator_trained_against_kind_aware_discriminators_draws_and_its_run_goes_on(scene_run, tmp_path, capsys):
    """train dmgan --kinds: the discriminators are told what each caption names; the run keeps that when it
    goes on, the discriminator files say so, and the generator is an ordinary one that generate draws with."""
    data, out = scene_run / "data", tmp_path / "gan"
    args = ["--device", "cpu", "--threads", "1", "train", "dmgan", str(data / "train"), "--damsm", str(scene_run / "damsm"),
            "-o", str(out), "--save-every", "1000", "--sample-every", "1000"]
    assert voiceart(args + ["--steps", "2", "--kinds", str(data / "kinds.json")]) == 0
    from voiceart.text2image.scenes.captions import condition_words

    kinds = {**json.loads((data / "kinds.json").read_text()), **condition_words()}  # things, and time, weather, ground
    assert {"time:night", "weather:rainy", "ground:beach"} <= set(kinds)
    assert json.loads((out / "config.json").read_text())["KIND_DIM"] == len(kinds)
    assert voiceart(args + ["--steps", "4"]) == 0  # the same command without --kinds goes on as it began
    assert "step 4 of 4" in capsys.readouterr().out
    state = torch.load(out / "dmgan_state.pt", weights_only=False)
    assert state["kinds"] == kinds and state["config"]["KIND_DIM"] == len(kinds)
    netd = torch.load(out / "netD1.pth", weights_only=True)
    assert netd["KIND_DNET.embed.module.weight_bar"].shape[1] == len(kinds)
    picture = tmp_path / "lighthouse.png"
    assert voiceart(["--device", "cpu", "--threads", "1", "generate", "a lighthouse on a beach", "--model", str(out),
                     "-o", str(picture)]) == 0
    assert Image.open(picture).size == (128, 128)
    assert voiceart(args + ["--steps", "2", "--fresh", "--kinds", str(tmp_path / "none.json")]) != 0
    assert "There is no kinds file" in capsys.readouterr().err


def test_the_grid_and_its_captions_come_from_the_seed(scene_run):
    from voiceart.text2image.checkpoints import load_generator, load_text_encoder
    from voiceart.text2image.data import load_dataset
    from voiceart.text2image.grid import caption_grid
    from voiceart.text2image.vocab import load_captions

    gan = scene_run / "gan"
    vocab = load_captions(gan / "captions.pickle").vocab
    generator = load_generator(gan / "netG.pth")
    text_encoder = load_text_encoder(gan / "text_encoder.pth", len(vocab), generator.config)
    examples, _ = load_dataset(scene_run / "data" / "test", generator.config, "test", vocab)
    first, first_entries = caption_grid(generator, text_encoder, examples, vocab, "cpu", seed=0)
    again, again_entries = caption_grid(generator, text_encoder, examples, vocab, "cpu", seed=0)
    other, other_entries = caption_grid(generator, text_encoder, examples, vocab, "cpu", seed=1)
    assert first_entries == again_entries and np.array_equal(np.asarray(first), np.asarray(again))
    assert other_entries != first_entries


def test_a_grid_that_is_not_a_picture_is_refused_before_any_work(scene_run, tmp_path, capsys):
    assert voiceart(["eval", "dmgan", str(scene_run / "data" / "test"), "--model", str(scene_run / "gan"),
                     "--grid", str(tmp_path / "grid.gif")]) == 2
    assert "name it .png or .jpg" in capsys.readouterr().err
    assert not (tmp_path / "grid.gif").exists()


# Two held-out captions of the seed-0 scene set (test/scene00018.png and test/scene00011.png in
# docs/scenes-dataset.md): sea under an evening sky, and a desert in fog.
FERRY = "a large blue ferry on the sea on a cloudy evening"
DESERT = "a yellow rice plant in a desert on a foggy day"


def _difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of two pictures, 0-255."""
    return float(np.abs(np.asarray(a, dtype=np.float32) - np.asarray(b, dtype=np.float32)).mean())


def test_the_shipped_scene_model_draws_held_out_captions_and_their_variants():
    """Needs models/dmgan/scenes (netG.pth, text_encoder.pth, captions.pickle, config.json), shipped
    by tools/train_scene_model.sh."""
    from voiceart.config import Settings
    from voiceart.text2image.sample import TextToImage

    t2i = TextToImage.load(Settings(), preset="scenes")
    ferry, desert = t2i.generate(FERRY, seed=1), t2i.generate(DESERT, seed=1)
    ferry2 = t2i.generate(FERRY, seed=2)
    assert ferry.unknown == [] and desert.unknown == []
    assert ferry.size >= 128 and ferry.largest[0].size == (ferry.size, ferry.size)
    # different descriptions give visibly different pictures; different seeds, different variants
    assert _difference(ferry.largest[0], desert.largest[0]) > 20
    assert _difference(ferry.largest[0], ferry2.largest[0]) > 3


@pytest.fixture(scope="module")
def held_out_scenes(emoji_cache, tmp_path_factory) -> Path:
    """The first 120 held-out (test) pictures of the seed-0 scene set, the very pictures
    tools/train_scene_model.sh holds out (each picture depends only on the seed, split and number)."""
    from voiceart.text2image.scenes.build import build

    root = tmp_path_factory.mktemp("held-out-scenes")
    build(root, count=1, test_count=120, val_count=1, probe_count=1, seed=0, cache_dir=emoji_cache, report=lambda m: None)
    return root


@pytest.mark.slow
def test_the_shipped_probe_reads_real_scenes_and_the_shipped_model_draws_more_than_an_untrained_one(
        held_out_scenes, tmp_path, capsys):
    """The shipped probe (a bare --probe) on held-out captions: it finds in the real pictures most of what
    their captions name (on all 1,000: things 76 %, time 71 %, weather 97 %, ground 78 %), and the shipped
    model's pictures agree with their captions' weather, ground and time of day more often than an
    untrained generator's (49.7 / 39.0 / 31.2 % against 9.8 / 11.7 / 17.7 % on all 1,000)."""
    report = tmp_path / "report.json"
    assert voiceart(["--device", "cpu", "--threads", "1", "eval", "dmgan", str(held_out_scenes / "test"),
                     "--preset", "scenes", "--probe", "--no-lite0", "-o", str(report)]) == 0
    printed = capsys.readouterr().out
    assert "R-precision: not measured" in printed and "named things found:" in printed
    found = json.loads(report.read_text())["probe"]
    real, drawn, untrained = found["real"], found["generated"], found["untrained"]
    assert real["thing_recall"] > 0.6 and real["time"] > 0.55 and real["weather"] > 0.85 and real["terrain"] > 0.6
    assert drawn["weather"] > untrained["weather"] + 0.2 and drawn["terrain"] > untrained["terrain"] + 0.1
    assert drawn["time"] > untrained["time"]
    # the things named: the shipped model is not there yet (3.7 % on all 1,000); it must never be above real
    assert drawn["thing_recall"] < real["thing_recall"]


def test_the_shipped_probe_is_the_one_the_model_card_describes():
    from voiceart import weights
    from voiceart.config import PROJECT_ROOT, Settings

    path = weights.find(weights.SCENE_PROBE, Settings())  # refuses a file whose checksum is wrong
    assert path == PROJECT_ROOT / "models" / "dmgan" / "scenes" / "probe.pt"
    assert weights.SCENE_PROBE.sha256 in (PROJECT_ROOT / "models" / "MODELS.md").read_text(encoding="utf-8")
