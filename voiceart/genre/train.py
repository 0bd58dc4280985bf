"""Training the image genre classifier.

Two recipes:

- ``finetune``: the paper's. A backbone pretrained on ImageNet (ResNet-18 in the paper) and a
  new genre head, trained end to end on paintings laid out by genre (WikiArt style:
  ``DIR/landscape/*.jpg``, ``DIR/portrait/*.jpg``...; or ``DIR/train/<genre>/`` and
  ``DIR/val/<genre>/``): random 224 px crops and flips, SGD with learning rate 0.001 and
  momentum 0.9, the learning rate divided by 10 every 7 epochs, 25 epochs; the weights of the
  epoch with the best validation accuracy are kept.
- ``train_head`` over cached features (voiceart's shipped default): the backbone stays frozen
  (EfficientNet-Lite0, whose ImageNet weights a package ships), the features of several
  augmented crops of every painting are computed once and cached, and only the linear head
  is trained, with the same optimiser shape (SGD, momentum 0.9, step decay by 0.1 every 7
  epochs). On two CPU cores the whole catalogue takes about a minute instead of hours.
  ``cross_validate`` gives its k-fold accuracy beside the majority-class baseline.

Everything is seeded: the same data, seed and machine give the same file.
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from voiceart import torch_files, weights
from voiceart.errors import VoiceartError
from voiceart.genre import model as genre_model
from voiceart.genre.classify import FORMAT, RESIZE, eval_tensor
from voiceart.genre.fuse import fit_image_weight
from voiceart.genre.text import GENRE_SENTENCES, TextGenre, leave_one_out_similarities
from voiceart.images import load_image
from voiceart.paintings.catalogue import GENRES, IMAGE_SUFFIXES, genre_name

FEATURES_VERSION = 1  # bump when the augmentation changes, so cached features are remade
MAX_SIDE = 640  # paintings are read at most this large (the crops are 224 px)


@dataclass(frozen=True)
class Example:
    path: Path
    genre: str


@dataclass
class HeadRecipe:
    """The shipped head's recipe (frozen backbone, cached features of augmented crops)."""

    views: int = 10  # augmented crops per painting
    crop_scale: tuple[float, float] = (0.35, 1.0)  # RandomResizedCrop's share of the picture
    epochs: int = 25
    batch_size: int = 32
    lr: float = 0.01
    momentum: float = 0.9
    step_epochs: int = 7
    gamma: float = 0.1
    weight_decay: float = 1e-4
    dropout: float = 0.2
    seed: int = 0


@dataclass
class FinetuneRecipe:
    """The paper's fine-tuning recipe (the PyTorch transfer-learning recipe it follows)."""

    epochs: int = 25
    batch_size: int = 32
    lr: float = 0.001
    momentum: float = 0.9
    step_epochs: int = 7
    gamma: float = 0.1
    crop_scale: tuple[float, float] = (0.08, 1.0)  # torchvision's RandomResizedCrop default
    val_fraction: float = 0.1  # held out when the folder has no train/ and val/
    seed: int = 0
    max_steps: int | None = None  # stop early (for quick checks)


# ---------------------------------------------------------------------------------------------- data

def catalogue_examples(catalogue) -> list[Example]:
    """The catalogue's paintings (built-in and the person's own) that have a genre."""
    return [Example(p.path, p.genre) for p in catalogue if p.genre and p.genre != "unknown"]


def folder_examples(root: Path) -> list[Example]:
    """Pictures laid out ``root/<genre>/picture.jpg`` (WikiArt's genre names: portrait, genre_painting, ...)."""
    root = Path(root)
    if not root.is_dir():
        raise VoiceartError(f"The training folder {root} does not exist.")
    examples = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        genre = genre_name(folder.name)
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
                examples.append(Example(path, genre))
    if not examples:
        raise VoiceartError(f"The folder {root} holds no pictures in genre folders; lay them out as {root}/landscape/picture.jpg.")
    return examples


def genre_list(examples: Sequence[Example]) -> list[str]:
    """The classes to learn: voiceart's genres that occur, in their usual order, then any others by name."""
    present = {e.genre for e in examples}
    return [g for g in GENRES if g in present] + sorted(present - set(GENRES))


def train_transform(mean, std, scale: tuple[float, float], size: int = genre_model.IMAGE_SIZE):
    from torchvision import transforms as T

    return T.Compose([
        T.RandomResizedCrop(size, scale=scale),
        T.RandomHorizontalFlip(),
        T.ColorJitter(brightness=0.1, contrast=0.1, saturation=0.1),
        T.ToTensor(),
        T.Normalize(mean, std),
    ])


def _open(path: Path):
    return load_image(path, MAX_SIDE)[0]


def normalisation(backbone_name: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    return genre_model.NORMALISATION[backbone_name]


# ---------------------------------------------------------------------------------------------- features

@torch.inference_mode()
def extract_features(backbone: torch.nn.Module, paths: Sequence[Path], views: int, seed: int, mean, std,
                     scale: tuple[float, float], device: torch.device, batch_size: int = 32,
                     progress: Callable[[str], None] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Pooled features of every picture: its evaluation view (N, D) and ``views`` augmented crops (N, V, D)."""
    torch.manual_seed(seed)
    augment = train_transform(mean, std, scale)
    backbone.eval().to(device)
    inputs: list[torch.Tensor] = []
    outputs: list[torch.Tensor] = []

    def flush():
        if inputs:
            outputs.append(backbone(torch.stack(inputs).to(device)).float().cpu())
            inputs.clear()

    started = time.perf_counter()
    for i, path in enumerate(paths):
        image = _open(path)
        inputs.append(eval_tensor(image, mean, std))
        inputs.extend(augment(image) for _ in range(views))
        if len(inputs) >= batch_size:
            flush()
        if progress and (i + 1) % 25 == 0:
            progress(f"features of {i + 1} of {len(paths)} pictures ({time.perf_counter() - started:.0f} s)")
    flush()
    features = torch.cat(outputs).view(len(paths), views + 1, -1)
    return features[:, 0].contiguous(), features[:, 1:].contiguous()


def cached_features(settings, backbone_name: str, examples: Sequence[Example], recipe: HeadRecipe,
                    device: torch.device, progress: Callable[[str], None] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """``extract_features`` for a frozen ImageNet backbone, kept in the cache (same pictures, seed, views -> same file)."""
    backbone = genre_model.backbone(backbone_name, settings)
    model_file = weights.EFFICIENTNET_LITE0 if backbone_name == "efficientnet_lite0" else weights.RESNET18_IMAGENET
    weights_sha = weights.sha256(weights.find(model_file, settings))
    key = hashlib.sha256(json.dumps({
        "version": FEATURES_VERSION, "backbone": backbone_name, "weights": weights_sha, "views": recipe.views,
        "seed": recipe.seed, "scale": list(recipe.crop_scale),
        "pictures": [(str(e.path), e.path.stat().st_size, e.path.stat().st_mtime_ns) for e in examples],
    }, sort_keys=True).encode()).hexdigest()[:20]
    cache = Path(settings.cache_dir) / "genre" / f"features-{key}.pt"
    if cache.is_file():
        try:
            data = torch_files.load(cache, "genre feature cache", "it is made again")
            return data["eval"], data["views"]
        except Exception:  # noqa: BLE001 - a damaged cache file is remade
            pass
    mean, std = normalisation(backbone_name)
    evals, views = extract_features(backbone, [e.path for e in examples], recipe.views, recipe.seed, mean, std,
                                    recipe.crop_scale, device, progress=progress)
    try:
        torch_files.save({"eval": evals, "views": views}, cache)
    except VoiceartError:
        pass  # a read-only or full cache only costs the extraction next time
    return evals, views


# ---------------------------------------------------------------------------------------------- the head

def _step_schedule(optimizer, recipe, steps_per_epoch: int):
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=recipe.step_epochs * steps_per_epoch, gamma=recipe.gamma)


def train_head(features: torch.Tensor, labels: torch.Tensor, num_genres: int, recipe: HeadRecipe) -> genre_model.GenreHead:
    """A genre head trained on features (M, D) with labels (M,): SGD with momentum, step decay every 7 epochs."""
    torch.manual_seed(recipe.seed)
    head = genre_model.GenreHead(features.shape[1], num_genres, recipe.dropout)
    optimizer = torch.optim.SGD(head.parameters(), lr=recipe.lr, momentum=recipe.momentum, weight_decay=recipe.weight_decay)
    steps = math.ceil(len(features) / recipe.batch_size)
    schedule = _step_schedule(optimizer, recipe, steps)
    generator = torch.Generator().manual_seed(recipe.seed)
    head.train()
    for _ in range(recipe.epochs):
        order = torch.randperm(len(features), generator=generator)
        for start in range(0, len(features), recipe.batch_size):
            batch = order[start:start + recipe.batch_size]
            loss = F.cross_entropy(head(features[batch]), labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    return head.eval()


def stratified_folds(labels: Sequence[int], k: int, seed: int) -> list[int]:
    """A fold number for each example: every genre spread over the folds as evenly as it can be."""
    rng = random.Random(seed)
    folds = [0] * len(labels)
    turn = 0
    for label in sorted(set(labels)):
        members = [i for i, y in enumerate(labels) if y == label]
        rng.shuffle(members)
        for i in members:
            folds[i] = turn % k
            turn += 1
    return folds


def accuracy_report(probabilities: torch.Tensor, labels: torch.Tensor, genres: Sequence[str]) -> dict:
    """Accuracy, balanced accuracy (mean recall over genres), top-3, and the majority-class baseline."""
    pred = probabilities.argmax(1)
    counts = Counter(labels.tolist())
    majority = max(counts.values()) / len(labels)
    recalls = {genres[c]: float((pred[labels == c] == c).float().mean()) for c in sorted(counts)}
    top3 = probabilities.topk(min(3, probabilities.shape[1]), dim=1).indices
    return {
        "n": len(labels),
        "accuracy": float((pred == labels).float().mean()),
        "balanced_accuracy": sum(recalls.values()) / len(recalls),
        "top3_accuracy": float((top3 == labels[:, None]).any(1).float().mean()),
        "majority_baseline": majority,
        "majority_genre": genres[max(counts, key=counts.get)],
        "recall": recalls,
    }


def cross_validate(evals: torch.Tensor, views: torch.Tensor, labels: torch.Tensor, genres: Sequence[str],
                   recipe: HeadRecipe, k: int = 5) -> tuple[dict, torch.Tensor]:
    """k-fold accuracy of the head: trained on the augmented crops of k-1 folds, tested on the evaluation view
    of the held-out paintings. Returns the report and every painting's out-of-fold probabilities."""
    folds = torch.tensor(stratified_folds(labels.tolist(), k, recipe.seed))
    out = torch.zeros(len(labels), len(genres))
    v = views.shape[1]
    for fold in range(k):
        train, test = folds != fold, folds == fold
        head = train_head(views[train].reshape(-1, views.shape[2]), labels[train].repeat_interleave(v), len(genres), recipe)
        with torch.no_grad():
            out[test] = head(evals[test]).softmax(-1)
    report = accuracy_report(out, labels, genres)
    report["folds"] = k
    return report, out


def pair_up(wanted: Sequence[str], available: Sequence[str], seed: int) -> list[tuple[int, int]]:
    """(i, j) pairs: each ``wanted[i]`` genre with a picture ``j`` of that genre from ``available``, seeded,
    cycling through the genre's pictures; genres without pictures are left out."""
    rng = random.Random(seed)
    by_genre: dict[str, list[int]] = {}
    for j, genre in enumerate(available):
        by_genre.setdefault(genre, []).append(j)
    for members in by_genre.values():
        rng.shuffle(members)
    used: Counter[str] = Counter()
    pairs = []
    for i, genre in enumerate(wanted):
        if genre in by_genre:
            pairs.append((i, by_genre[genre][used[genre] % len(by_genre[genre])]))
            used[genre] += 1
    return pairs


def image_log_probs(probabilities: torch.Tensor, genres: Sequence[str], target: Sequence[str]) -> torch.Tensor:
    """Log-probabilities (N, len(target)) in ``target``'s genre order; a genre the head lacks gets 1/len(genres)."""
    fill = torch.full((len(probabilities), 1), 1.0 / len(genres))
    cols = [probabilities[:, genres.index(g)][:, None] if g in genres else fill for g in target]
    return torch.cat(cols, 1).clamp_min(1e-6).log()


def fit_fusion_weight(settings, examples: Sequence[Example], genres: Sequence[str], out_of_fold: torch.Tensor,
                      seed: int = 0, text=None) -> float:
    """The image weight for fusion (see voiceart.genre.fuse.fit_image_weight), fitted on the example scenes of
    voiceart.genre.text (each left out of its own prototype) paired with out-of-fold paintings of their genre."""
    text = text or TextGenre(settings)
    sentences = [(s, g) for g in text.genres for s in GENRE_SENTENCES.get(g, ())]
    if not sentences:
        return 1.0
    sentence_labels = torch.tensor([text.genres.index(g) for _, g in sentences])
    embeddings = text.encoder.encode([s for s, _ in sentences])
    text_lp = (leave_one_out_similarities(embeddings, sentence_labels, len(text.genres)) / text.temperature).log_softmax(-1)
    pairs = pair_up([g for _, g in sentences], [e.genre for e in examples], seed)
    if not pairs:
        return 1.0
    image_lp = image_log_probs(out_of_fold, list(genres), text.genres)
    rows_t, rows_i = torch.tensor([i for i, _ in pairs]), torch.tensor([j for _, j in pairs])
    return fit_image_weight(image_lp[rows_i], text_lp[rows_t], sentence_labels[rows_t])


def save_checkpoint(path: Path, backbone_name: str, genres: Sequence[str], head: genre_model.GenreHead, recipe,
                    trained_on: str, cv: dict | None = None, backbone_state: dict | None = None,
                    image_weight: float | None = None) -> str:
    """Write a genre classifier file voiceart's ImageGenre loads; returns its sha256."""
    mean, std = normalisation(backbone_name)
    checkpoint = {
        "format": FORMAT, "backbone": backbone_name, "genres": list(genres),
        "head": {k: v.detach().cpu().contiguous() for k, v in head.state_dict().items()},
        "mean": list(mean), "std": list(std), "image_size": genre_model.IMAGE_SIZE, "resize": RESIZE,
        "recipe": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(recipe).items()},
        "trained_on": trained_on,
    }
    if image_weight is not None:
        checkpoint["image_weight"] = float(image_weight)
    if cv is not None:
        checkpoint["cv"] = {k: v for k, v in cv.items() if k != "recall"}
    if backbone_state is not None:
        checkpoint["backbone_state"] = {k: v.detach().cpu().contiguous() for k, v in backbone_state.items()}
    return weights.sha256(torch_files.save(checkpoint, path))


def train_catalogue_head(settings, examples: Sequence[Example], output: Path, recipe: HeadRecipe | None = None,
                         backbone_name: str = "efficientnet_lite0", folds: int = 5, trained_on: str = "",
                         progress: Callable[[str], None] | None = None, fusion_weight: bool = True) -> dict:
    """The shipped default: cached features, k-fold report and fusion weight, then a head on all examples
    written to ``output``."""
    recipe = recipe or HeadRecipe()
    if len(examples) < 2:
        raise VoiceartError("Training the genre classifier needs at least two pictures with a genre.")
    device = settings.torch_device()
    genres = genre_list(examples)
    labels = torch.tensor([genres.index(e.genre) for e in examples])
    evals, views = cached_features(settings, backbone_name, examples, recipe, device, progress)
    cv, image_weight = None, None
    if folds and folds > 1:
        folds = min(folds, len(examples))
        cv, out_of_fold = cross_validate(evals, views, labels, genres, recipe, folds)
        if fusion_weight:
            image_weight = fit_fusion_weight(settings, examples, genres, out_of_fold, recipe.seed)
    v = views.shape[1]
    head = train_head(views.reshape(-1, views.shape[2]), labels.repeat_interleave(v), len(genres), recipe)
    digest = save_checkpoint(output, backbone_name, genres, head, recipe, trained_on or f"{len(examples)} pictures", cv,
                             image_weight=image_weight)
    return {"genres": genres, "counts": dict(Counter(e.genre for e in examples)), "cv": cv, "image_weight": image_weight,
            "sha256": digest, "output": str(output)}


# ---------------------------------------------------------------------------------------------- the paper's fine-tuning

class _Pictures(torch.utils.data.Dataset):
    def __init__(self, examples: Sequence[Example], genres: Sequence[str], transform):
        self.examples, self.genres, self.transform = list(examples), list(genres), transform

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, i):
        e = self.examples[i]
        return self.transform(_open(e.path)), self.genres.index(e.genre)


def split_validation(examples: Sequence[Example], fraction: float, seed: int) -> tuple[list[Example], list[Example]]:
    """A seeded, stratified hold-out: about ``fraction`` of each genre (none from a genre with one picture)."""
    rng = random.Random(seed)
    train, val = [], []
    for genre in sorted({e.genre for e in examples}):
        members = [e for e in examples if e.genre == genre]
        rng.shuffle(members)
        n = int(round(len(members) * fraction)) if len(members) > 1 else 0
        val.extend(members[:n])
        train.extend(members[n:])
    return train, val


def finetune(settings, train_examples: Sequence[Example], val_examples: Sequence[Example], output: Path,
             backbone_name: str = "resnet18", recipe: FinetuneRecipe | None = None,
             progress: Callable[[str], None] | None = None) -> dict:
    """The paper's recipe end to end; writes the best epoch's network (backbone and head) to ``output``."""
    recipe = recipe or FinetuneRecipe()
    device = settings.torch_device()
    genres = genre_list([*train_examples, *val_examples])
    torch.manual_seed(recipe.seed)
    net = genre_model.genre_net(backbone_name, len(genres), settings).to(device)
    mean, std = normalisation(backbone_name)
    generator = torch.Generator().manual_seed(recipe.seed)
    loader = torch.utils.data.DataLoader(_Pictures(train_examples, genres, train_transform(mean, std, recipe.crop_scale)),
                                         batch_size=recipe.batch_size, shuffle=True, generator=generator, num_workers=0)
    optimizer = torch.optim.SGD(net.parameters(), lr=recipe.lr, momentum=recipe.momentum)
    schedule = torch.optim.lr_scheduler.StepLR(optimizer, step_size=recipe.step_epochs, gamma=recipe.gamma)
    best_acc, best_state, history, steps = -1.0, None, [], 0
    for epoch in range(recipe.epochs):
        net.train()
        total, seen = 0.0, 0
        for x, y in loader:
            loss = F.cross_entropy(net(x.to(device)), y.to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total, seen, steps = total + loss.item() * len(y), seen + len(y), steps + 1
            if recipe.max_steps and steps >= recipe.max_steps:
                break
        schedule.step()
        acc = _evaluate(net, val_examples, genres, mean, std, device) if val_examples else float("nan")
        history.append({"epoch": epoch + 1, "loss": total / max(seen, 1), "val_accuracy": acc})
        if progress:
            progress(f"epoch {epoch + 1}: loss {total / max(seen, 1):.3f}, validation accuracy {acc:.3f}")
        if best_state is None or (acc == acc and acc > best_acc):
            best_acc, best_state = acc, copy.deepcopy(net.state_dict())
        if recipe.max_steps and steps >= recipe.max_steps:
            break
    net.load_state_dict(best_state)
    digest = save_checkpoint(output, backbone_name, genres, net.head, recipe,
                             f"{len(train_examples)} pictures (fine-tuned end to end)",
                             cv={"validation_accuracy": best_acc, "n": len(val_examples)},
                             backbone_state=net.backbone.state_dict())
    return {"genres": genres, "history": history, "best_val_accuracy": best_acc, "sha256": digest, "output": str(output)}


@torch.inference_mode()
def _evaluate(net, examples: Sequence[Example], genres: Sequence[str], mean, std, device) -> float:
    net.eval()
    right = 0
    for start in range(0, len(examples), 32):
        batch = examples[start:start + 32]
        x = torch.stack([eval_tensor(_open(e.path), mean, std) for e in batch]).to(device)
        pred = net(x).argmax(1).cpu()
        right += sum(int(p) == genres.index(e.genre) for p, e in zip(pred, batch))
    return right / len(examples)
