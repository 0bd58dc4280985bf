"""`voiceart stylize` and friends, run as a person runs them: exit codes, messages, files."""
import subprocess
import sys

import pytest
from PIL import Image

from voiceart.cli import main
from voiceart.images import png_metadata


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "voiceart", *args], capture_output=True, text=True, timeout=300)


def test_help_lists_every_subcommand():
    out = run("--help").stdout
    for command in ("start", "styles", "stylize", "convert-style"):
        assert command in out


def test_stylize_writes_a_png_that_says_what_it_is(tmp_path, photo_file, capsys):
    out = tmp_path / "out.png"
    assert main(["stylize", str(photo_file), "--style", "impressionist", "--strength", "0.8", "--seed", "7", "-o", str(out)]) == 0
    meta = png_metadata(out)
    assert meta["style"] == "Impressionism"
    assert meta["strength"] == "0.8" and meta["seed"] == "7" and meta["source_photo"] == str(photo_file)
    assert meta["painting_id"].startswith("met-") and meta["painting_title"] and meta["painting_artist"]
    assert "CC0" in meta["painting_licence"]
    assert Image.open(out).size == Image.open(photo_file).size
    assert "Impressionism" in capsys.readouterr().out


def test_the_same_seed_picks_the_same_painting(tmp_path, photo_file):
    picks = []
    for i in range(2):
        out = tmp_path / f"{i}.png"
        main(["stylize", str(photo_file), "--style", "Baroque", "--seed", "3", "-o", str(out)])
        picks.append(png_metadata(out)["painting_id"])
    assert picks[0] == picks[1]


def test_a_chosen_painting_and_a_blend(tmp_path, photo_file):
    from voiceart.paintings.catalogue import Catalogue

    a, b = list(Catalogue.load())[:2]
    out = tmp_path / "blend.png"
    assert main(["stylize", str(photo_file), "--painting", a.id, "--painting", b.id, "--blend", "0.7", "0.3", "-o", str(out)]) == 0
    meta = png_metadata(out)
    assert meta["painting_id"] == f"{a.id}, {b.id}" and meta["blend"] == "0.7 0.3"


def test_unknown_style_names_the_closest_and_fails_cleanly(tmp_path, photo_file):
    result = run("stylize", str(photo_file), "--style", "cubism", "-o", str(tmp_path / "x.png"))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "cubism" in result.stderr and "closest" in result.stderr.lower()
    assert not (tmp_path / "x.png").exists()


def cut_short(path, photo):
    photo.save(path, format="PNG")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


@pytest.mark.parametrize("make, words", [
    (cut_short, "damaged"),
    (lambda path, photo: path.write_text("just some words"), "not a picture"),
    (lambda path, photo: None, "no file"),
])
def test_bad_photos_give_one_sentence(tmp_path, photos, make, words):
    photo = tmp_path / "photo.png"
    make(photo, photos["coffee"])
    result = run("stylize", str(photo), "--style", "Impressionism", "-o", str(tmp_path / "out.png"))
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_huge_photo_is_scaled_down_with_a_note(tmp_path, photos, capsys):
    big = tmp_path / "big.jpg"
    photos["coffee"].resize((4000, 2666)).save(big, quality=85)
    out = tmp_path / "out.png"
    assert main(["stylize", str(big), "--style", "Realism", "--seed", "1", "-o", str(out)]) == 0
    assert max(Image.open(out).size) == 1024
    assert "scaled" in capsys.readouterr().out


def test_an_unwritable_output_is_said_plainly(tmp_path, photo_file, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["stylize", str(photo_file), "--style", "Realism", "-o", str(blocker / "out.png")]) == 2
    assert "Could not save" in capsys.readouterr().err


def test_a_full_disk_is_said_plainly_and_leaves_no_half_file(tmp_path, photo_file, monkeypatch, capsys):
    import errno

    def disk_full(self, fp, *args, **kwargs):
        fp.write(b"\x89PNG partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", disk_full)
    out = tmp_path / "out.png"
    assert main(["stylize", str(photo_file), "--style", "Realism", "-o", str(out)]) == 2
    assert "the disk is full" in capsys.readouterr().err
    assert list(tmp_path.glob("*.png")) == [] and list(tmp_path.glob(".*.tmp")) == []


def test_asking_for_a_gpu_that_is_not_there_is_one_sentence(photo_file, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    result = run("--device", "cuda", "stylize", str(photo_file), "--style", "Realism", "-o", str(tmp_path / "o.png"))
    assert result.returncode == 2 and "no usable GPU" in result.stderr and "Traceback" not in result.stderr
