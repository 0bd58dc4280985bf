"""DM-GAN's pieces behave as the paper and the official code say: tokenising, captions.pickle,
the DAMSM losses, the memory's masking, spectral norm, the KL loss."""
from __future__ import annotations

import pickle
import struct

import pytest
import torch
import torch.nn.functional as F

from voiceart.errors import ModelFileError


# These models are small: one thread is as fast as two, and far faster on a busy machine.
pytestmark = pytest.mark.usefixtures("one_torch_thread")


# --- words ------------------------------------------------------------------------------------

def test_tokenising_is_the_official_one_with_accents_folded():
    from voiceart.text2image.vocab import tokenize

    assert tokenize("A Red-headed BIRD, with café-au-lait wings!") == ["a", "red", "headed", "bird", "with", "cafe", "au", "lait", "wings"]
    assert tokenize("  ¿¡ !  ") == [] and tokenize("é") == ["e"]


def test_unknown_words_are_returned_and_left_out():
    from voiceart.text2image.vocab import Vocabulary

    vocab = Vocabulary.build([["a", "red", "bird"], ["a", "blue", "bird"]])
    encoded = vocab.encode("A purple bird, a RED bird and a purple cow")
    assert encoded.unknown == ["purple", "and", "cow"]
    assert encoded.words == ["a", "bird", "a", "red", "bird", "a"]
    assert encoded.ids == [vocab.wordtoix[w] for w in encoded.words] and 0 not in encoded.ids
    assert vocab.encode("<end>").ids == [] and "end" in vocab.encode("<end>").unknown


def _py2_str(text: bytes) -> bytes:
    return b"U" + struct.pack("<B", len(text)) + text  # SHORT_BINSTRING: a Python 2 str


def _py2_int(n: int) -> bytes:
    return b"K" + struct.pack("<B", n)  # BININT1


def test_a_python2_captions_pickle_with_byte_strings_loads_as_latin1(tmp_path):
    """The released captions.pickle files were written by Python 2 (protocol 2, str objects)."""
    from voiceart.text2image.vocab import load_captions

    words = [b"<end>", b"bird", b"caf\xe9"]
    body = b"\x80\x02]("  # PROTO 2, EMPTY_LIST, MARK
    body += b"](](" + _py2_int(1) + _py2_int(2) + b"ee"  # train: [[1, 2]]
    body += b"](](" + _py2_int(2) + b"ee"  # test: [[2]]
    body += b"}(" + b"".join(_py2_int(i) + _py2_str(w) for i, w in enumerate(words)) + b"u"  # ixtoword
    body += b"}(" + b"".join(_py2_str(w) + _py2_int(i) for i, w in enumerate(words)) + b"u"  # wordtoix
    body += b"e."
    (tmp_path / "captions.pickle").write_bytes(body)
    captions = load_captions(tmp_path / "captions.pickle")
    assert captions.train_captions == [[1, 2]] and captions.test_captions == [[2]]
    assert captions.vocab.ixtoword == {0: "<end>", 1: "bird", 2: "café"}
    assert captions.vocab.encode("bird").ids == [1] and len(captions.vocab) == 3


def test_a_captions_pickle_that_asks_for_code_is_refused(tmp_path):
    from voiceart.text2image.vocab import load_captions

    class Evil:
        def __reduce__(self):
            return (print, ("this must not run",))

    with open(tmp_path / "captions.pickle", "wb") as f:
        pickle.dump([[], [], {0: "<end>"}, {"<end>": 0}, Evil()], f, protocol=2)
    with pytest.raises(ModelFileError, match="cannot be read"):
        load_captions(tmp_path / "captions.pickle")
    with open(tmp_path / "other.pickle", "wb") as f:
        pickle.dump([[], [], {1: "bird"}, {"bird": 1}], f, protocol=2)
    with pytest.raises(ModelFileError, match="word 0 must be '<end>'"):
        load_captions(tmp_path / "other.pickle")


def test_captions_round_trip_in_the_official_layout(tmp_path):
    from voiceart.text2image.vocab import CaptionsFile, Vocabulary, load_captions, save_captions

    vocab = Vocabulary.build([["a", "red", "bird"]])
    save_captions(CaptionsFile([[1, 2, 3]], [], vocab), tmp_path / "c.pickle")
    raw = pickle.load(open(tmp_path / "c.pickle", "rb"))
    assert isinstance(raw, list) and len(raw) == 4 and raw[3] == {"<end>": 0, "a": 1, "red": 2, "bird": 3}
    assert load_captions(tmp_path / "c.pickle").vocab.wordtoix == raw[3]


# --- losses -------------------------------------------------------------------------------------

def _official_words_loss(img_features, words_emb, labels, cap_lens, class_ids, g1, g2, g3):
    """AttnGAN's words_loss written as its loop over captions (eqs. 7-11), for comparison."""
    b = img_features.size(0)
    sims = []
    for i in range(b):
        n = int(cap_lens[i])
        word = words_emb[i, :, :n].unsqueeze(0).repeat(b, 1, 1)  # b x D x n
        context = img_features.view(b, img_features.size(1), -1)  # b x D x R
        attn = torch.bmm(context.transpose(1, 2), word)  # b x R x n
        attn = F.softmax(attn, dim=2)  # over words
        attn = F.softmax(attn.transpose(1, 2) * g1, dim=2)  # b x n x R, over regions
        weighted = torch.bmm(context, attn.transpose(1, 2))  # b x D x n
        row = F.cosine_similarity(word, weighted, dim=1)  # b x n
        sims.append(torch.log(torch.exp(row * g2).sum(dim=1, keepdim=True)))
    sims = torch.cat(sims, 1) * g3
    if class_ids is not None:
        mask = (class_ids[:, None] == class_ids[None, :]) & ~torch.eye(b, dtype=torch.bool)
        sims = sims.masked_fill(mask, float("-inf"))
    return F.cross_entropy(sims, labels), F.cross_entropy(sims.t(), labels)


@pytest.mark.parametrize("with_classes", [False, True])
def test_batched_word_loss_equals_the_official_loop(with_classes):
    from voiceart.text2image.losses import words_loss

    torch.manual_seed(0)
    b, d, L = 6, 16, 7
    img = torch.randn(b, d, 5, 5)
    words = torch.randn(b, d, L)
    lens = torch.tensor([7, 3, 5, 1, 7, 2])
    for i, n in enumerate(lens):
        words[i, :, n:] = 0  # as the LSTM pads
    labels = torch.arange(b)
    classes = torch.tensor([0, 1, 0, 2, 3, 1]) if with_classes else None
    ours = words_loss(img, words, labels, lens, classes, 4.0, 5.0, 10.0)
    theirs = _official_words_loss(img, words, labels, lens, classes, 4.0, 5.0, 10.0)
    for a, t in zip(ours, theirs):
        assert torch.allclose(a, t, rtol=1e-5, atol=1e-5)


def test_sentence_loss_is_small_for_matching_pairs_and_large_for_others():
    from voiceart.text2image.losses import sent_loss

    torch.manual_seed(0)
    codes = torch.randn(8, 32)
    labels = torch.arange(8)
    good = sum(sent_loss(codes, codes + 0.01 * torch.randn(8, 32), labels, None, 10.0))
    bad = sum(sent_loss(codes, codes.roll(1, 0), labels, None, 10.0))
    assert good < 0.01 < 5 < bad


def test_kl_loss_is_zero_for_the_standard_normal_and_grows_away_from_it():
    from voiceart.text2image.losses import KL_loss

    assert KL_loss(torch.zeros(4, 10), torch.zeros(4, 10)).item() == 0
    assert KL_loss(torch.ones(4, 10), torch.zeros(4, 10)).item() == pytest.approx(0.5)


def test_the_discriminator_loss_rewards_telling_real_from_fake():
    from voiceart.text2image.config import PRESETS
    from voiceart.text2image.discriminator import build_discriminators
    from voiceart.text2image.losses import discriminator_loss

    torch.manual_seed(0)
    d = build_discriminators(PRESETS["tiny"])[0]
    real, fake, cond = torch.rand(4, 3, 64, 64), -torch.rand(4, 3, 64, 64), torch.randn(4, 32)
    opt = torch.optim.Adam(d.parameters(), lr=1e-3)
    first = None
    for _ in range(15):
        loss, stats = discriminator_loss(d, real, fake, cond)
        first = first if first is not None else loss.item()
        opt.zero_grad(), loss.backward(), opt.step()
    assert loss.item() < first and stats["real_acc"] > stats["fake_acc"]


def test_spectral_norm_divides_by_the_largest_singular_value():
    from voiceart.text2image.discriminator import SpectralNorm

    torch.manual_seed(0)
    sn = SpectralNorm(torch.nn.Conv2d(8, 16, 3, padding=1))
    for _ in range(30):
        sn(torch.randn(1, 8, 6, 6))
    w = sn.module.normalized_weight().detach().reshape(16, -1)
    assert torch.linalg.matrix_norm(w, ord=2).item() == pytest.approx(1.0, abs=1e-3)


# --- the generator's memory -------------------------------------------------------------------------

def test_each_caption_in_a_batch_is_masked_by_its_own_length():
    """The official mask lines up only when all captions of a batch have one length; here each
    picture in a batch is the picture drawn alone."""
    from voiceart.text2image.config import PRESETS
    from voiceart.text2image.generator import G_NET, weights_init

    torch.manual_seed(0)
    cfg = PRESETS["tiny"]
    g = G_NET(cfg).eval()
    g.apply(weights_init)
    words = torch.randn(2, cfg.EMBEDDING_DIM, 5)
    words[1, :, 2:] = 0
    mask = torch.tensor([[False] * 5, [False, False, True, True, True]])
    z, sent, eps = torch.randn(2, cfg.Z_DIM), torch.randn(2, cfg.EMBEDDING_DIM), torch.randn(2, cfg.CONDITION_DIM)
    with torch.no_grad():
        both = g(z, sent, words, mask, eps=eps)[0]
        second = g(z[1:], sent[1:], words[1:, :, :2], mask[1:, :2], eps=eps[1:])[0]
    for a, b in zip(both, second):
        assert torch.allclose(a[1:], b, atol=1e-5)
    assert [im.shape[-1] for im in both] == [64, 128]


def test_stages_can_stop_early_and_each_stage_doubles_the_size():
    from voiceart.text2image.config import PRESETS
    from voiceart.text2image.generator import G_NET

    g = G_NET(PRESETS["tiny"]).eval()
    args = (torch.randn(1, 16), torch.randn(1, 32), torch.randn(1, 32, 3), None)
    with torch.no_grad():
        assert [i.shape[-1] for i in g(*args, stages=1)[0]] == [64]
        imgs, atts, mu, logvar = g(*args)
    assert [i.shape[-1] for i in imgs] == [64, 128] and atts[0].shape == (1, 3, 64, 64)
    assert imgs[-1].min() >= -1 and imgs[-1].max() <= 1 and mu.shape == logvar.shape == (1, 16)


# --- measuring ----------------------------------------------------------------------------------

def test_frechet_distance_and_inception_score_on_known_cases():
    import numpy as np

    from voiceart.text2image.evaluate import frechet_distance, inception_score

    rng = np.random.default_rng(0)
    a = rng.normal(size=(500, 8))
    assert frechet_distance(a, a) == pytest.approx(0, abs=1e-8)
    assert frechet_distance(a, a + 1.0) == pytest.approx(8.0, rel=1e-6)  # only the means differ
    b = rng.normal(size=(4000, 8)) * 2.0  # variance 4 against 1: (1 + 4 - 2 * 2) per dimension
    assert frechet_distance(rng.normal(size=(4000, 8)), b) == pytest.approx(8.0, rel=0.1)
    assert inception_score(np.full((10, 5), 0.2), splits=1)[0] == pytest.approx(1.0)
    assert inception_score(np.eye(5), splits=1)[0] == pytest.approx(5.0, rel=1e-6)


def test_r_precision_is_one_for_aligned_codes_and_near_chance_for_random_ones():
    from voiceart.text2image.evaluate import r_precision

    torch.manual_seed(0)
    pool = torch.randn(300, 16)
    classes = list(range(300))
    r, std, used = r_precision(pool[:50], pool[:50], pool, classes[:50], classes)
    assert r == 1.0 and used == 100
    r_random, _, _ = r_precision(torch.randn(200, 16), pool[:200], pool, classes[:200], classes)
    assert r_random < 0.1


@pytest.mark.parametrize("classes", [1000, 1008])
def test_inception_weights_from_torchvision_or_pytorch_fid_give_features_and_probabilities(tmp_path, classes):
    """No Inception weights can be had offline, so files of the two layouts are made here (random values)."""
    from torchvision.models.inception import Inception3

    from voiceart.text2image.evaluate import InceptionFeatures

    net = Inception3(num_classes=classes, aux_logits=True, init_weights=False)
    torch.save(net.state_dict(), tmp_path / "inception.pth")
    features = InceptionFeatures(tmp_path / "inception.pth")
    assert features.fid_variant == (classes == 1008)
    pool, probs = features(torch.rand(2, 3, 64, 64) * 2 - 1)
    assert pool.shape == (2, 2048) and probs.shape == (2, 1000)
    assert torch.allclose(probs.sum(1), torch.ones(2), atol=1e-4) or classes == 1008  # 1008: ImageNet part of 1008


def test_image_encoder_takes_user_inception_weights(tmp_path):
    from torchvision.models.inception import Inception3

    from voiceart.text2image.image_encoder import CNN_ENCODER

    net = Inception3(aux_logits=True, init_weights=False)
    torch.save(net.state_dict(), tmp_path / "inception_v3_google.pth")
    enc = CNN_ENCODER(256, inception_weights=tmp_path / "inception_v3_google.pth").eval()
    assert torch.equal(enc.Mixed_6e.branch1x1.conv.weight, net.Mixed_6e.branch1x1.conv.weight)
    regions, code = enc(torch.zeros(1, 3, 64, 64))
    assert regions.shape == (1, 256, 17, 17) and code.shape == (1, 256)
    enc.freeze_backbone()
    assert not enc.Mixed_5b.training or not enc.training
    assert all(not p.requires_grad for p in enc.backbone_parameters()) and enc.emb_cnn_code.weight.requires_grad
    (tmp_path / "x.pth").write_bytes(b"junk")
    with pytest.raises(ModelFileError):
        CNN_ENCODER(256, inception_weights=tmp_path / "x.pth")


def test_a_kind_projection_makes_a_real_picture_of_the_wrong_named_thing_look_fake():
    """With KIND_DIM the discriminator's caption score depends on the things named: the same real
    picture scores higher with the kind it shows than with another, even under one sentence feature."""
    from voiceart.text2image.config import PRESETS
    from voiceart.text2image.discriminator import build_discriminators
    from voiceart.text2image.losses import discriminator_loss

    torch.manual_seed(0)
    d = build_discriminators(PRESETS["tiny"].with_(KIND_DIM=2))[0]
    assert d.KIND_DNET is not None and build_discriminators(PRESETS["tiny"])[0].KIND_DNET is None
    red, blue = torch.full((3, 64, 64), -1.0), torch.full((3, 64, 64), -1.0)
    red[0, 16:48, 16:48], blue[2, 16:48, 16:48] = 1.0, 1.0
    real = torch.stack([red, blue] * 4)
    kinds = torch.tensor([[1.0, 0.0], [0.0, 1.0]] * 4)  # what each caption names: alternating, so the mismatched pairs differ
    sent = torch.zeros(8, 32)  # one sentence for all: only the kinds tell the pictures apart
    fake = torch.rand(8, 3, 64, 64) * 2 - 1
    opt = torch.optim.Adam(d.parameters(), lr=1e-3)
    for _ in range(40):
        loss, _ = discriminator_loss(d, real, fake, sent, kinds)
        opt.zero_grad(), loss.backward(), opt.step()
    d.eval()
    with torch.no_grad():
        features = d(torch.stack([red, blue]))
        right = d.cond_logits(features, sent[:2], torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
        wrong = d.cond_logits(features, sent[:2], torch.tensor([[0.0, 1.0], [1.0, 0.0]]))
    assert (right > wrong + 1.0).all()


def test_a_caption_names_the_kinds_whose_nouns_it_holds_longest_name_first():
    from voiceart.text2image.kinds import KindReader, named_kinds

    table = {"pine": {"nouns": ["pine", "pine tree"], "plurals": ["pines", "pine trees"]},
             "tree": {"nouns": ["tree"], "plurals": ["trees"]},
             "lighthouse": {"nouns": ["lighthouse", "light tower"], "plurals": ["lighthouses"]}}
    assert named_kinds("Two pine trees by a light tower", table) == ["lighthouse", "pine"]
    assert named_kinds("a tree and some pines", table) == ["pine", "tree"]
    assert named_kinds("a quiet sea", table) == []
    words = {0: "<end>", 1: "a", 2: "pine", 3: "tree", 4: "by", 5: "lighthouse", 6: "sea"}
    caps = torch.tensor([[1, 2, 3, 4, 1, 5], [1, 3, 0, 0, 0, 0], [1, 6, 5, 0, 0, 0]])
    named = KindReader(table, words)(caps, [6, 2, 2])   # the third caption's lighthouse lies past its length
    assert KindReader(table, words).kinds == ["lighthouse", "pine", "tree"]
    assert named.tolist() == [[1.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]


def test_the_words_for_time_weather_and_ground_name_the_scene_the_caption_was_written_for():
    """--kinds also tells the discriminators the sky and the land a caption asks for; the words come from
    the captions' own phrase tables, so a caption of the scene data names its own time, weather and ground."""
    from voiceart.text2image.kinds import named_kinds
    from voiceart.text2image.scenes.captions import condition_words

    table = condition_words()
    assert named_kinds("a lighthouse on a sandy shore at twilight in the pouring rain", table) == [
        "ground:beach", "time:dusk", "weather:rainy"]
    assert named_kinds("a windmill in a pasture under a starry sky", table) == ["ground:field", "time:night"]
    assert named_kinds("a grey elephant on a fine day", table) == ["time:afternoon", "time:noon"]  # no weather in 'grey', 'fine'
