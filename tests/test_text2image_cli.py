"""`voiceart generate` as a person runs it: files, printed words, exit codes, one-sentence errors."""
from __future__ import annotations

import shutil

import pytest
from PIL import Image

from test_text2image_files import official_files  # noqa: F401  (a fixture)


def voiceart(argv: list[str]) -> int:
    from voiceart import cli

    return cli.main(argv)


def test_generate_writes_every_stage_and_variant_and_says_how_words_were_bridged(official_files, tmp_path, capsys):  # noqa: F811
    from voiceart.images import png_metadata

    f = official_files["bird"]
    out = tmp_path / "bird.png"
    code = voiceart(["--device", "cpu", "generate", "This bird has a red head and zorblax wing", "--netg", str(f["netg"]),
                     "--text-encoder", str(f["text_encoder"]), "--captions", str(f["captions"]), "--seed", "5",
                     "--variants", "2", "--all-stages", "-o", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "model's words: wing -> wings; left out: zorblax" in printed
    for v in (1, 2):
        assert Image.open(tmp_path / f"bird-{v}.png").size == (256, 256)
        assert Image.open(tmp_path / f"bird-{v}-128.png").size == (128, 128)
        assert Image.open(tmp_path / f"bird-{v}-64.png").size == (64, 64)
    meta = png_metadata(tmp_path / "bird-2.png")
    assert meta["seed"] == "5" and meta["unknown_words"] == "zorblax" and meta["variant"] == "2"
    assert meta["word_changes"] == "wing -> wings; left out: zorblax"
    assert meta["words_used"] == "this bird has a red head and wings"


def test_generate_finds_installed_files_by_preset(official_files, tmp_path, monkeypatch, capsys):  # noqa: F811
    cache = tmp_path / "cache"
    monkeypatch.setenv("VOICEART_CACHE", str(cache))
    folder = cache / "models" / "dmgan" / "coco"
    folder.mkdir(parents=True)
    for path in official_files["coco"].values():
        shutil.copy(path, folder / path.name)
    out = tmp_path / "coco.png"
    assert voiceart(["--device", "cpu", "generate", "a small bird", "--preset", "coco", "--seed", "1", "-o", str(out)]) == 0
    assert Image.open(out).size == (256, 256) and not (tmp_path / "coco-64.png").exists()
    assert "Words the model does not know" not in capsys.readouterr().out


def test_generate_without_a_model_says_how_to_get_one(tmp_path, capsys):
    out = tmp_path / "none.png"
    assert voiceart(["generate", "a red bird", "--preset", "bird", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("voiceart: No text-to-image model is installed")
    assert "bird_DMGAN.pth" in err and "voiceart train dmgan" in err and "\n" not in err
    assert not out.exists()


def test_generate_with_a_mismatched_or_missing_file_is_one_sentence(official_files, tmp_path, capsys):  # noqa: F811
    f = official_files["bird"]
    args = ["--device", "cpu", "generate", "a red bird", "--text-encoder", str(f["text_encoder"]), "--captions", str(f["captions"])]
    assert voiceart([*args, "--preset", "coco", "--netg", str(f["netg"]), "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "a bird generator, not a coco generator (use --preset bird)" in err and err.count("\n") == 1
    assert voiceart([*args, "--netg", str(tmp_path / "missing.pth"), "-o", str(tmp_path / "x.png")]) == 2
    assert "missing.pth does not exist" in capsys.readouterr().err
    coco = official_files["coco"]
    assert voiceart(["generate", "a red bird", "--netg", str(f["netg"]), "--text-encoder", str(coco["text_encoder"]),
                     "--captions", str(f["captions"]), "-o", str(tmp_path / "x.png")]) == 2
    assert "different data sets" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_a_sentence_of_only_unknown_words_is_refused(official_files, tmp_path, capsys):  # noqa: F811
    f = official_files["bird"]
    assert voiceart(["--device", "cpu", "generate", "zorblax quux", "--netg", str(f["netg"]), "--text-encoder",
                     str(f["text_encoder"]), "--captions", str(f["captions"]), "-o", str(tmp_path / "x.png")]) == 2
    assert "None of the words" in capsys.readouterr().err


@pytest.mark.parametrize("variants,all_stages,expected", [
    (1, False, ["out.png"]),
    (1, True, ["out-64.png", "out-128.png", "out.png"]),
    (2, False, ["out-1.png", "out-2.png"]),
])
def test_output_names(tmp_path, variants, all_stages, expected):
    from voiceart.text2image.cli import output_names

    names = output_names(tmp_path / "out.png", [64, 128, 256], variants, all_stages)
    assert sorted(p.name for p in names.values()) == sorted(expected)
