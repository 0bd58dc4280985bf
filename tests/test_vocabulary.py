"""The vocabulary: what voiceart hears and says, and how it compares text. Pure data and functions, fast."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

import voiceart
from voiceart.vocabulary import SENTENCES, Command, Expecting, phonetic, ratio, say, similarity, words

ANY, DESCRIPTION, STYLE, YES_NO = Expecting.ANYTHING, Expecting.DESCRIPTION, Expecting.STYLE, Expecting.YES_NO
SOURCE = Path(voiceart.__file__).parent


def test_expecting_from_strings():
    assert Expecting.parse("description") is DESCRIPTION
    assert Expecting.parse("any") is ANY and Expecting.parse("anything") is ANY
    assert Expecting.parse("yes-no") is YES_NO and Expecting.parse("style") is STYLE
    with pytest.raises(ValueError):
        Expecting.parse("dance")


def test_command_as_dict():
    assert Command("style", "Baroque", 0.7, "Did you mean Baroque?").as_dict() == {
        "command": "style", "argument": "Baroque", "confidence": 0.7, "question": "Did you mean Baroque?", "hint": None}


def test_words():
    assert words("Re-do!") == ["re", "do"]
    assert words("That's it.") == ["thats", "it"]
    assert words("That\u2019s it.") == ["thats", "it"]
    assert words("Café NOIR & co") == ["cafe", "noir", "and", "co"]
    assert words("Van Gogh's", contractions=False) == ["van", "gogh", "s"]


@pytest.mark.parametrize("a, b, score", [("agen", "again", 6 / 9), ("same", "save", 0.75), ("", "", 1.0), ("a", "", 0.0)])
def test_ratio_is_twice_the_common_letters_over_all_letters(a, b, score):
    assert ratio(a, b) == pytest.approx(score) and ratio(b, a) == pytest.approx(score)


def test_similarity_hears_spellings_alike():
    assert phonetic("barock") == phonetic("baroque") == "barok"
    assert similarity("barack", "baroque") > ratio("barack", "baroque")
    assert similarity("impresionism", "impressionism") > similarity("expressionism", "impressionism") > 0.8


def _sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in SOURCE.rglob("*.py"))


def test_every_sentence_in_the_table_is_said_somewhere_and_every_one_said_is_in_it():
    code = _sources()
    unused = [name for name in SENTENCES if f'"{name}"' not in code]
    assert not unused, f"sentences nobody says: {unused}"
    missing = set(re.findall(r'\bsay\(\s*"(\w+)"', code)) - set(SENTENCES)
    assert not missing, f"sentences said but not in voiceart/vocabulary/said.toml: {missing}"


def test_a_sentence_needs_its_fields():
    assert say("painting", style="Baroque") == "Painting it in Baroque."
    with pytest.raises(KeyError):
        say("painting")


def test_the_vocabulary_imports_nothing_of_voiceart():
    for path in (SOURCE / "vocabulary").glob("*.py"):
        imported = re.findall(r"^\s*(?:from|import) (voiceart\S*)", path.read_text(encoding="utf-8"), re.M)
        assert all(name.startswith("voiceart.vocabulary") for name in imported), (path.name, imported)


def test_the_session_keys_and_window_do_not_load_the_speech_package():
    """They name commands with the vocabulary, so the keyboard-only window starts without Whisper's side."""
    code = "import sys, voiceart.session, voiceart.ui.window; print(sorted(m for m in sys.modules if m.startswith('voiceart.speech')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
