"""The checker of generated scenes: does the picture show what its caption named?

R-precision asks the DAMSM, the very network the generator was trained to please, so it cannot
see a picture that matches the words only in the DAMSM's eyes. The probe is independent of both
models: four heads (the things in the picture, several at once; the time of day; the weather; the
terrain) trained only on the scene data's ``probe`` split, which neither the DAMSM nor the generator
ever learns from. Each probe picture is also seen softened (shrunk and enlarged again), as generated
pictures are soft, so the checker does not mistake softness for absence.

Two readers under the heads (``BACKBONES``): frozen ImageNet EfficientNet-Lite0 features (the shipped
probe: the strongest reader), or a small network learned from nothing on the probe split alone. A
generator trained against a DAMSM built on Lite0 (``train damsm --backbone lite0``) learns to please
Lite0's features, which the Lite0 probe reads too; the from-nothing reader shares no weights with
any model and is the independent check for such a generator.

Measured on held-out captions: the share of named things the probe finds (recall), and how often
its time, weather and terrain agree with the caption's, for generated pictures, for the real
pictures the captions were written for (the ceiling) and for an untrained generator (the floor).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from voiceart.errors import ModelFileError, VoiceartError
from voiceart.text2image.kinds import named_kinds, read_kinds
from voiceart.torch_files import save as save_atomic

ATTRIBUTES = ("time", "weather", "terrain")
THRESHOLD = 0.5   # a thing is found when the probe's probability is above this
BACKBONES = ("lite0", "scratch")
SCRATCH_SIZE = 64  # the from-nothing reader sees pictures at this size: shapes and colours, not pixel texture


class ScratchReader(nn.Module):
    """Four strided 3x3 convolutions and a mean: 256 features of a picture in [-1, 1], learned with the heads."""

    def __init__(self):
        super().__init__()
        layers, cin = [], 3
        for cout in (32, 64, 128, 256):
            layers += [nn.Conv2d(cin, cout, 3, 2, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
            cin = cout
        self.body = nn.Sequential(*layers)
        self.features = cin

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x.float(), size=(SCRATCH_SIZE, SCRATCH_SIZE), mode="bilinear", align_corners=False,
                          antialias=True)
        return self.body(x).mean(dim=(2, 3))


def _read_labels(split: Path) -> dict[str, dict]:
    path = Path(split) / "labels.json"
    if not path.is_file():
        raise VoiceartError(f"{split} has no labels.json: the probe needs a scene data set of version 2 or later "
                            "(voiceart data scenes).")
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class Probe:
    """Linear heads over a reader's features and the names of their outputs."""

    kinds: list[str]
    classes: dict[str, list[str]]          # attribute -> its values, in the heads' order
    heads: nn.ModuleDict = field(repr=False)
    backbone: str = "lite0"
    scratch: ScratchReader | None = field(default=None, repr=False)   # the learned reader of a "scratch" probe

    @classmethod
    def new(cls, kinds: list[str], classes: dict[str, list[str]], backbone: str = "lite0") -> "Probe":
        scratch = ScratchReader() if backbone == "scratch" else None
        features = scratch.features if scratch is not None else 1280
        heads = nn.ModuleDict({"things": nn.Linear(features, len(kinds)),
                               **{a: nn.Linear(features, len(v)) for a, v in classes.items()}})
        return cls(list(kinds), {a: list(v) for a, v in classes.items()}, heads, backbone, scratch)

    def reader(self, settings=None) -> nn.Module:
        """The network whose features the heads read: pictures in [-1, 1] -> N x features."""
        if self.scratch is not None:
            return self.scratch.eval()
        from voiceart.text2image.evaluate import Lite0Features

        return Lite0Features(settings)

    def to(self, device) -> "Probe":
        self.heads.to(device)
        if self.scratch is not None:
            self.scratch.to(device)
        return self

    @torch.no_grad()
    def predict(self, features: torch.Tensor) -> dict[str, torch.Tensor]:
        """{"things": N x K probabilities, attribute: N predicted class indices}."""
        out = {"things": torch.sigmoid(self.heads["things"](features))}
        out.update({a: self.heads[a](features).argmax(1) for a in self.classes})
        return out

    def save(self, path: Path) -> None:
        data = {"kinds": self.kinds, "classes": self.classes, "state": self.heads.state_dict(), "backbone": self.backbone}
        if self.scratch is not None:
            data["reader"] = self.scratch.state_dict()
        save_atomic(data, Path(path))

    @classmethod
    def load(cls, path: Path) -> "Probe":
        from voiceart.weights import SCENE_PROBE, load_checkpoint

        data = load_checkpoint(Path(path), SCENE_PROBE)
        try:
            probe = cls.new(data["kinds"], data["classes"], data.get("backbone", "lite0"))
            probe.heads.load_state_dict(data["state"])
            if probe.scratch is not None:
                probe.scratch.load_state_dict(data["reader"])
        except (RuntimeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelFileError(f"{path} is not a scene probe ({exc}); make one with voiceart train probe.") from None
        probe.heads.eval()
        return probe


def soften(x: torch.Tensor, size: int) -> torch.Tensor:
    """Pictures shrunk to half and enlarged again: the softness of a generated picture."""
    small = F.interpolate(x, size=(size // 2, size // 2), mode="bilinear", align_corners=False, antialias=True)
    return F.interpolate(small, size=(size, size), mode="bilinear", align_corners=False)


def _pictures(folder: Path, names: list[str], size: int) -> torch.Tensor:
    arrays = []
    for name in names:
        with Image.open(folder / name) as im:
            arrays.append(np.asarray(im.convert("RGB").resize((size, size), Image.BICUBIC), dtype=np.float32))
    return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2) / 127.5 - 1


@torch.no_grad()
def features(reader, pictures: torch.Tensor, batch_size: int = 32) -> torch.Tensor:
    """A probe reader's features of pictures in [-1, 1] (any size: each reader resizes to its own)."""
    return torch.cat([reader(pictures[b:b + batch_size]) for b in range(0, len(pictures), batch_size)])


def targets(labels: list[dict], kinds: list[str], classes: dict[str, list[str]]) -> dict[str, torch.Tensor]:
    things = torch.zeros(len(labels), len(kinds))
    index = {k: i for i, k in enumerate(kinds)}
    for row, label in enumerate(labels):
        for key in label["things"]:
            things[row, index[key]] = 1.0
    out = {"things": things}
    out.update({a: torch.tensor([classes[a].index(label[a]) for label in labels]) for a in classes})
    return out


def train_probe(split: Path, backbone: str = "lite0", settings=None, size: int = 128, steps: int | None = None,
                seed: int = 0, progress=None) -> Probe:
    """A probe trained on a labelled split (each picture as drawn and softened): heads over frozen Lite0
    features, or (``scratch``) a small reader learned together with its heads."""
    if backbone not in BACKBONES:
        raise VoiceartError(f"A probe reads Lite0 features or learns its own ({', '.join(BACKBONES)}), not {backbone!r}.")
    labels = _read_labels(split)
    names = sorted(labels)
    rows = [labels[n] for n in names]
    kinds = sorted({k for r in rows for k in r["things"]})
    classes = {a: sorted({r[a] for r in rows}) for a in ATTRIBUTES}
    torch.manual_seed(seed)
    probe = Probe.new(kinds, classes, backbone)
    reader = probe.reader(settings)
    pictures, label_rows = [], []
    for b in range(0, len(names), 64):
        chunk = names[b:b + 64]
        batch = _pictures(Path(split), chunk, size)
        batch = torch.cat([batch, soften(batch, size)])
        # the scratch reader learns from the pictures themselves, at the size it reads
        pictures.append(features(reader, batch) if probe.scratch is None else
                        F.interpolate(batch, size=(SCRATCH_SIZE, SCRATCH_SIZE), mode="bilinear", antialias=True))
        label_rows += [labels[n] for n in chunk] * 2   # each picture as drawn, then softened
        if progress is not None:
            progress(min(b + 64, len(names)), len(names))
    x = torch.cat(pictures)
    y = targets(label_rows, kinds, classes)
    learned = list(probe.heads.parameters()) + (list(probe.scratch.parameters()) if probe.scratch is not None else [])
    optimiser = torch.optim.Adam(learned, lr=3e-3 if probe.scratch is None else 2e-3, weight_decay=1e-4)
    probe.heads.train()
    if probe.scratch is not None:
        probe.scratch.train()
    batch_size = 256 if probe.scratch is None else 64
    for _ in range(steps or (2000 if probe.scratch is None else 10000)):
        idx = torch.randint(len(x), (batch_size,))
        xb = x[idx]
        if probe.scratch is not None:
            xb = probe.scratch(_jitter(xb))
        loss = F.binary_cross_entropy_with_logits(probe.heads["things"](xb), y["things"][idx])
        loss = loss + sum(F.cross_entropy(probe.heads[a](xb), y[a][idx]) for a in classes)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    probe.heads.eval()
    if probe.scratch is not None:
        probe.scratch.eval()
    return probe


def _jitter(x: torch.Tensor) -> torch.Tensor:
    """Mirrored, brightened or darkened, and grainy at random: what a learned reader must not lean on."""
    flip = torch.rand(len(x), 1, 1, 1) < 0.5
    x = torch.where(flip, x.flip(3), x)
    x = x * (1 + 0.2 * (torch.rand(len(x), 1, 1, 1) - 0.5)) + 0.2 * (torch.rand(len(x), 3, 1, 1) - 0.5)
    return (x + 0.05 * torch.randn_like(x)).clamp(-1, 1)


@dataclass
class ProbeScores:
    """Shares in [0, 1] over the pictures measured."""

    thing_recall: float
    things_named: int
    accuracy: dict[str, float]

    def as_dict(self) -> dict:
        return {"thing_recall": self.thing_recall, "things_named": self.things_named, **self.accuracy}


def score(probe: Probe, feats: torch.Tensor, named: list[list[str]], truth: list[dict],
          said: dict[str, list[bool]] | None = None) -> ProbeScores:
    """How much of what each caption named the probe finds in its picture: named things (recall) and the
    scene's time, weather and terrain (accuracy over the pictures whose caption ``said`` it; all by default)."""
    predicted = probe.predict(feats)
    index = {k: i for i, k in enumerate(probe.kinds)}
    found = total = 0
    for row, keys in enumerate(named):
        for key in keys:
            total += 1
            found += int(key in index and predicted["things"][row, index[key]] > THRESHOLD)
    said = said or {}
    accuracy = {a: float(np.mean([probe.classes[a][int(predicted[a][row])] == truth[row][a]
                                  for row in range(len(truth)) if said.get(a, [True] * len(truth))[row]]))
                for a in probe.classes}
    return ProbeScores(found / total if total else float("nan"), total, accuracy)


def probe_accuracy(probe: Probe, split: Path, reader, size: int = 128) -> ProbeScores:
    """The probe on a labelled split's real pictures, every thing in them counted as named."""
    labels = _read_labels(split)
    names = sorted(labels)
    feats = torch.cat([features(reader, _pictures(Path(split), names[b:b + 64], size)) for b in range(0, len(names), 64)])
    rows = [labels[n] for n in names]
    return score(probe, feats, [r["things"] for r in rows], rows)


def evaluate_probe(generator, text_encoder, vocab, split: Path, probe: Probe, reader, device, count: int | None = None,
                   seed: int = 0, batch_size: int = 16, words_num: int | None = None, untrained=None,
                   progress=None) -> dict[str, dict]:
    """The probe's scores for each held-out picture's plain caption (the first of each picture: it names the
    subject, the time and any weather, and the terrain unless the subject stands on a road) drawn by
    ``generator`` (and ``untrained``: the floor), and for the real pictures (the ceiling).
    {"generated" | "untrained" | "real": ProbeScores.as_dict()}."""
    from voiceart.text2image.data import _folder_captions
    from voiceart.text2image.evaluate import generate_pictures

    split = Path(split)
    labels = _read_labels(split)
    kinds_json = read_kinds(split.parent / "kinds.json")
    texts = _folder_captions(split)
    n_words = words_num or generator.config.WORDS_NUM
    encoded = {n: vocab.encode(texts[n][0]).ids[:n_words] for n in sorted(labels)}
    names = [n for n in sorted(labels) if encoded[n]][:count or None]   # a caption of no known word cannot be drawn
    plain = [texts[n][0] for n in names]
    ids = [encoded[n] for n in names]
    truth = [labels[n] for n in names]
    # only things of the picture count ("a meadow of flowers" is the ground's, not a thing)
    named = [[k for k in named_kinds(t, kinds_json) if k in label["things"]] for t, label in zip(plain, truth)]
    said = {"terrain": [bool(re.search(rf"\b{label['terrain']}\b", t)) for t, label in zip(plain, truth)]}
    size = generator.config.image_size
    models = {"generated": generator, **({"untrained": untrained} if untrained is not None else {})}
    feats: dict[str, list] = {name: [] for name in (*models, "real")}
    with torch.no_grad():
        for b in range(0, len(names), batch_size):
            for name, model in models.items():
                noise = torch.Generator().manual_seed(seed * 100003 + b)
                fake = generate_pictures(model.eval(), text_encoder.eval(), ids[b:b + batch_size], device, noise)
                feats[name].append(reader(fake.float()).cpu())
            feats["real"].append(features(reader, _pictures(split, names[b:b + batch_size], size).to(device)).cpu())
            if progress is not None:
                progress(min(b + batch_size, len(names)), len(names))
    return {name: score(probe, torch.cat(parts), named, truth, said).as_dict() for name, parts in feats.items()}
