"""The scene data set: reproducible, captioned as drawn, held-out captions unseen in training,
a large subject in every picture with every kind about as often, labels for the probe, emoji when
npm can fetch them and a clean fallback when it cannot."""
import json
import re
import shutil
from collections import Counter

import numpy as np
import pytest
from PIL import Image

from voiceart import cli
from voiceart.text2image.scenes import emoji
from voiceart.text2image.scenes.build import build
from voiceart.text2image.scenes.captions import captions
from voiceart.text2image.scenes.land import Land
from voiceart.text2image.scenes.render import render
from voiceart.text2image.scenes.spec import Group, Scene, sample_scene
from voiceart.text2image.scenes.things import KINDS


def read_captions(folder):
    table = {}
    for line in (folder / "captions.txt").read_text().splitlines():
        name, text, label = line.split("\t")
        table.setdefault(name, []).append(text)
    return table


def files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def scene(time="noon", weather="clear", terrain="lake", groups=(), celestial="sun"):
    land = Land(terrain, "green", None, "grey", False, "middle", None, None, None)
    return Scene(time, weather, 0, 0.5, land, celestial, "left", tuple(groups), seed=3)


SMALL = {"val_count": 6, "probe_count": 10, "report": lambda m: None}


def test_same_seed_same_bytes_and_every_picture_captioned(tmp_path):
    a = build(tmp_path / "a", count=32, test_count=8, size=64, seed=5, use_emoji=False, **SMALL)
    build(tmp_path / "b", count=32, test_count=8, size=64, seed=5, use_emoji=False, workers=2, **SMALL)
    assert files(tmp_path / "a") == files(tmp_path / "b")
    build(tmp_path / "c", count=32, test_count=8, size=64, seed=6, use_emoji=False, **SMALL)
    assert files(tmp_path / "a") != files(tmp_path / "c")
    assert a["train"]["images"] == 32 and a["test"]["images"] == 8
    assert a["val"]["images"] == 6 and a["probe"]["images"] == 10
    for split, n in (("train", 32), ("test", 8), ("val", 6), ("probe", 10)):
        table = read_captions(tmp_path / "a" / split)
        assert len(table) == n
        for name, texts in table.items():
            assert len(set(texts)) >= 5
            with Image.open(tmp_path / "a" / split / name) as im:
                assert im.size == (64, 64) and im.mode == "RGB"
    train = {t for texts in read_captions(tmp_path / "a" / "train").values() for t in texts}
    for held_out in ("test", "val"):
        assert not train & {t for texts in read_captions(tmp_path / "a" / held_out).values() for t in texts}
    assert json.loads((tmp_path / "a" / "stats.json").read_text())["vocabulary"] == a["vocabulary"]


def test_labels_say_what_each_picture_shows(tmp_path):
    build(tmp_path, count=20, test_count=8, size=64, seed=2, use_emoji=False, **SMALL)
    kinds = json.loads((tmp_path / "kinds.json").read_text())
    assert kinds["lighthouse"]["nouns"][0] == "lighthouse" and "boats" in kinds["boat"]["plurals"]
    for split in ("train", "test", "val", "probe"):
        labels = json.loads((tmp_path / split / "labels.json").read_text())
        assert sorted(labels) == sorted(read_captions(tmp_path / split))
        for name, label in labels.items():
            assert label["subject"] == label["things"][0] and set(label["things"]) <= set(kinds)
            plain = read_captions(tmp_path / split)[name][0]
            if split == "test":  # the plain caption comes first and names the subject
                nouns = kinds[label["subject"]]["nouns"] + kinds[label["subject"]]["plurals"]
                assert any(re.search(rf"\b{re.escape(n)}\b", plain) for n in nouns), plain


def test_the_training_reader_takes_the_folder(tmp_path):
    from voiceart.text2image.data import load_folder

    build(tmp_path, count=12, test_count=4, size=64, use_emoji=False, **SMALL)
    examples, captions_file = load_folder(tmp_path / "train")
    assert len(examples) == 12 and all(len(e.captions) >= 5 for e in examples)
    first = read_captions(tmp_path / "train")["scene00000.png"][0]
    assert set(first.split()) <= set(captions_file.vocab.wordtoix)


def test_a_red_boat_is_captioned_red_and_boat():
    boat = Group(KINDS["boat"], "red", 1, "medium", "middle", "back")
    texts = captions(scene("sunset", groups=[boat]), np.random.default_rng(0))
    assert "red" in texts[0].split() and "boat" in texts[0].split() and "lake" in texts[0].split()
    assert "sunset" in texts[0]
    names = set(KINDS["boat"].nouns)
    assert sum(any(n in t for n in names) for t in texts) >= 3


def test_two_horses_are_counted_in_the_plural(emoji_cache):
    horse = next(k for k in emoji.catalogue(emoji.fetch(emoji_cache)) if k.nouns[0] == "horse")
    texts = captions(scene(terrain="field", groups=[Group(horse, horse.colours[0], 2, "medium", "left", "front")]),
                     np.random.default_rng(1))
    assert texts[0].startswith(f"two {horse.colours[0]} horses")


def mean_rgb(image, rows):
    return np.asarray(image, dtype=np.float32)[rows].reshape(-1, 3).mean(axis=0)


def test_night_is_dark_noon_is_blue_and_sunset_is_warm():
    night = render(scene("night", celestial="full moon"), 128)
    noon = render(scene("noon"), 128)
    sunset = render(scene("sunset"), 128)
    assert mean_rgb(night, slice(0, 30)).mean() < 50
    r, g, b = mean_rgb(noon, slice(0, 30))
    assert b > 150 and b > r + 60
    r, g, b = mean_rgb(sunset, slice(45, 63))  # just above the horizon
    assert r > 180 and r > b + 60
    assert mean_rgb(night, slice(70, 128)).mean() < mean_rgb(noon, slice(70, 128)).mean() / 2  # the land is dark too


def test_pictures_have_the_size_asked():
    s = sample_scene(np.random.default_rng(4))
    for size in (64, 96, 128):
        assert render(s, size).size == (size, size)


def test_emoji_join_the_scenes(emoji_cache, tmp_path):
    every = {k.nouns[0] for k in emoji.catalogue(emoji.fetch(emoji_cache), keep=None)}
    assert len(every) > 300 and {"hedgehog", "pretzel", "horse", "ambulance"} <= every
    kinds = emoji.catalogue(emoji.fetch(emoji_cache))
    names = {k.nouns[0] for k in kinds}
    assert {"horse", "cow", "dog", "swan", "train", "airplane"} <= names and "pretzel" not in names
    stats = build(tmp_path, count=30, test_count=6, size=64, cache_dir=emoji_cache, **SMALL)
    assert stats["emoji"] and stats["train"]["images_with_emoji"] > 5
    text = (tmp_path / "train" / "captions.txt").read_text()
    assert any(re.search(rf"\b{re.escape(n)}\b", text) for n in names - set(k.nouns[0] for k in KINDS.values()))


def subject_rows(s, size=128):
    """The rows of the picture that change when the subject is taken away."""
    alone = render(s, size)
    without = render(Scene(**{**s.__dict__, "groups": s.groups[1:]}), size)
    changed = np.abs(np.asarray(alone, np.int16) - np.asarray(without, np.int16)).max(axis=(1, 2)) > 40
    return np.flatnonzero(changed)


def test_every_picture_has_a_large_subject_and_each_kind_as_often(emoji_cache):
    kinds = emoji.catalogue(emoji.fetch(emoji_cache))
    subjects = []
    for i in range(3200):
        s = sample_scene(np.random.default_rng([0, i]), kinds)
        assert s.groups[0].height >= 1 / 3
        subjects.append(s.groups[0].kind.key)
        if i < 40:  # drawn: the subject covers a third of the picture's height
            rows = subject_rows(s)
            assert rows.size and rows[-1] - rows[0] >= 128 / 3 * 0.9, (i, s.groups[0].kind.key)
    counts = np.array(list(Counter(subjects).values()))
    assert len(counts) == 32 and counts.min() > 0.6 * counts.mean() and counts.max() < 1.4 * counts.mean()


def test_without_npm_the_scenes_are_drawn_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    said = []
    stats = build(tmp_path / "d", count=6, test_count=2, size=64, cache_dir=tmp_path / "cache", report=said.append,
                  val_count=2, probe_count=2)
    assert not stats["emoji"] and stats["train"]["images"] == 6
    assert len(said[0].split(". ")) == 1 and said[0].endswith(".") and "npm" in said[0] and "without them" in said[0]


def test_command_builds_and_refuses_a_full_folder(tmp_path, capsys):
    out = tmp_path / "scenes"
    small = ["--test-count", "2", "--val-count", "2", "--probe-count", "3", "--size", "64", "--no-emoji"]
    assert cli.main(["data", "scenes", str(out), "--count", "6", *small]) == 0
    assert len(read_captions(out / "train")) == 6 and (out / "stats.json").is_file()
    assert "6 training, 2 validation, 2 test and 3 probe pictures" in capsys.readouterr().out
    assert cli.main(["data", "scenes", str(out), "--count", "6", *small[:-3]]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert cli.main(["data", "scenes", str(out), "--count", "4", *small, "--overwrite"]) == 0
    assert len(read_captions(out / "train")) == 4


def test_captions_name_only_what_is_drawn():
    from voiceart.text2image.scenes import sky

    for i in range(400):
        rng = np.random.default_rng([9, i])
        s = sample_scene(rng)
        words = {w for t in captions(s, rng) for w in t.split()}
        assert "sun" not in words or s.celestial == "sun"
        assert "moon" not in words or s.celestial in ("full moon", "crescent moon")
        assert not words & {"stars", "starry", "starlit"} or sky.has_stars(s.time, s.weather)
        assert "lightning" not in words or s.weather == "stormy"
        assert not words & {"rain", "raindrops", "downpour"} or s.weather == "rainy"
        assert not words & {"bridge", "footbridge"} or s.land.bridge


def test_without_the_registry_the_scenes_are_drawn_alone(tmp_path, monkeypatch):
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")  # nothing listens there
    monkeypatch.setenv("npm_config_fetch_retries", "0")
    said = []
    stats = build(tmp_path / "d", count=4, test_count=2, size=64, cache_dir=tmp_path / "cache", report=said.append,
                  val_count=2, probe_count=2)
    assert not stats["emoji"] and stats["train"]["images"] == 4
    assert said[0].startswith("The emoji pictures could not be fetched with npm (error E") and said[0].endswith("without them.")
