"""The word bridge with the real all-MiniLM-L6-v2 and the shipped scene model's vocabulary.

The words under test are taken out of the vocabulary first, so the tests hold for every version of
the scene model (whatever else it learnt, it knows sea, house, boat and hills).
"""
import csv
from collections import Counter
from pathlib import Path

import pytest

from voiceart.config import Settings
from voiceart.text2image.bridge import Change, WordBridge, bridge
from voiceart.text2image.vocab import Vocabulary, load_captions

ROWS = Path(__file__).parent / "data" / "word_bridge.csv"
SAID = {"ocean", "oceans", "cottage", "cottages", "ship", "ships", "hill", "village", "villages", "windmills", "lighthose",
        "zorblax"}


@pytest.fixture(scope="module")
def scene_captions():
    from voiceart import weights

    return load_captions(weights.find_dmgan(Settings(), "scenes")[2])


@pytest.fixture(scope="module")
def scenes(scene_captions) -> WordBridge:
    """The scene vocabulary without the words said in these tests, with its word counts."""
    counts = Counter(i for caption in scene_captions.train_captions for i in caption)
    full = WordBridge.of(scene_captions.vocab, counts)
    return WordBridge(full.known - SAID, full.counts)


def test_a_word_in_another_form_or_meaning_becomes_the_known_word(scenes, one_torch_thread):
    said = scenes("a ship by the ocean on a hill")
    assert said.things == ("boat", "sea", "hills")
    assert said.changes == (Change("ship", "boat", "meaning"), Change("ocean", "sea", "meaning"),
                            Change("hill", "hills", "form"))
    assert said.left_out == () and said.scene
    assert said.summary() == "ship -> boat; ocean -> sea; hill -> hills"


def test_a_cottage_becomes_a_dwelling_the_model_knows(scenes, one_torch_thread):
    change = scenes.match("cottage")
    assert change is not None and change.why == "meaning"
    assert change.used in {"house", "houses", "bungalow", "farmhouse", "cabin", "hut", "home"}


def test_any_vocabulary_is_bridged(one_torch_thread):
    vocabulary = Vocabulary.build([s.split() for s in ("a house by the sea", "a boat on a lake", "green hills", "a tree")])
    said = bridge("an ocean near a ship and a hill", vocabulary)
    assert [(c.said, c.used) for c in said.changes] == [("ocean", "sea"), ("ship", "boat"), ("hill", "hills")]
    assert said.words == ("sea", "a", "boat", "a", "hills")  # "an", "near" and "and": small words it lacks


def test_nonsense_is_left_out_and_said(scenes, one_torch_thread):
    said = scenes("a zorblax by the sea")
    assert said.things == ("sea",)
    assert said.left_out == ("zorblax",) and said.changes == ()
    assert said.summary() == "left out: zorblax"
    assert scenes("zorblax").scene is False


def test_misspelt_and_plural_words_are_mended(scenes, one_torch_thread):
    said = scenes("the lighthose and the windmills")
    assert said.things == ("lighthouse", "windmill")
    assert [c.why for c in said.changes] == ["spelling", "form"]


@pytest.mark.parametrize("heard", ["Donate down.", "Tony Down.", "Can do that.", "Sleeve it.", "One can do.",
                                   "Same this picture.", "Thank you.", "what can I do", "save this picture",
                                   "It's all over.", "Don't do that.", "We'll see.", "Stay in the smith, jerk.",
                                   "Staying this picture."])
def test_misheard_commands_hold_no_scene(scenes, heard, one_torch_thread):
    assert not scenes(heard).scene, scenes(heard)


@pytest.mark.parametrize("description", ["a red boat on a calm lake at sunset", "a lighthouse by the sea at sunset",
                                         "a windmill in a field at night", "a castle on a hill at night"])
def test_clear_descriptions_are_scenes(scenes, description, one_torch_thread):
    said = scenes(description)
    assert said.scene and said.left_out == ()


def test_a_word_only_guessed_from_its_sound_is_no_scene_alone_but_draws_beside_a_known_one(scenes, one_torch_thread):
    assert not scenes("the lighthose").scene  # one guess alone: asked about, not drawn
    assert scenes("the lighthose by the sea").scene and "lighthouse" in scenes("the lighthose by the sea").things


def test_small_words_the_model_lacks_are_not_complained_about(one_torch_thread):
    vocabulary = Vocabulary.build([["boat", "lake"]])
    said = bridge("a boat on the lake", vocabulary)
    assert said.words == ("boat", "lake") and said.left_out == () and said.changes == ()


def test_the_everyday_words_map_as_measured(scene_captions, one_torch_thread):
    """tests/data/word_bridge.csv, each word taken out of the scene vocabulary: most words become one
    of their words, and no nonsense or misheard command word becomes anything."""
    counts = Counter(i for caption in scene_captions.train_captions for i in caption)
    full = WordBridge.of(scene_captions.vocab, counts)
    with open(ROWS, newline="") as f:
        rows = list(csv.DictReader(f))
    verdicts = {}
    for row in rows:
        change = WordBridge(full.known - {row["said"]}, full.counts).match(row["said"])
        allowed = row["may_become"].split("|")
        verdicts[row["said"]] = ("right" if (change.used if change else "-") in allowed
                                 else "wrong" if change else "missed")
        if row["kind"] == "nonsense" or row["said"] in ("donate", "sleeve", "tony"):
            assert change is None, change
    tally = Counter(verdicts.values())
    assert tally["right"] >= 0.8 * len(rows) and tally["wrong"] <= 0.12 * len(rows), (tally, verdicts)
