"""Captioned images for DAMSM and DM-GAN training, in three layouts.

1. **A folder** of images with a ``captions.txt`` beside them: one line per caption,
   ``image-file<TAB>caption`` (an image may have several lines), optionally followed by
   ``<TAB>class``: images of one class (a bird species, say) are not counted as wrong answers
   for each other in the matching losses and R-precision, as CUB's classes are not. Or, instead
   of ``captions.txt``, a ``name.txt`` beside each ``name.jpg`` with one caption per line.
2. **CUB-200 (birds)** as the official code lays it out: ``train/filenames.pickle``,
   ``test/filenames.pickle``, ``text/<name>.txt``, ``CUB_200_2011/images/<name>.jpg``,
   ``CUB_200_2011/bounding_boxes.txt`` and ``images.txt`` (birds are cropped to 1.5 times their
   box), ``train/class_info.pickle``, and ``captions.pickle``.
3. **COCO** as the official code lays it out: the same without ``CUB_200_2011``, images in
   ``images/<name>.jpg``.

Augmentation as the official code: scale to 76/64 of the largest stage, random crop, random
flip; each smaller stage is the crop scaled down. Captions longer than WORDS_NUM keep a random
ordered subset of their words. Every random choice comes from (seed, epoch, index), so an
interrupted run that resumes at a step sees exactly the batches it would have seen.
"""
from __future__ import annotations

import math
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from voiceart.errors import VoiceartError
from voiceart.text2image.config import DMGANConfig
from voiceart.text2image.vocab import CaptionsFile, Vocabulary, load_captions, save_captions, tokenize

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


@dataclass
class Example:
    key: str
    image_path: Path
    captions: list[list[int]]  # word ids, one list per caption
    class_id: int
    bbox: tuple[float, float, float, float] | None = None  # x, y, width, height


class _ListUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed here")


def _read_pickle(path: Path):
    try:
        with open(path, "rb") as f:
            return _ListUnpickler(f, encoding="latin1").load()
    except (OSError, pickle.UnpicklingError, EOFError, ValueError) as exc:
        raise VoiceartError(f"{path} cannot be read ({exc}).") from None


def detect_layout(root: Path) -> str:
    root = Path(root)
    if not root.is_dir():
        raise VoiceartError(f"There is no data folder {root}.")
    if (root / "train" / "filenames.pickle").is_file() or (root / "test" / "filenames.pickle").is_file():
        return "cub" if (root / "CUB_200_2011").is_dir() else "coco"
    return "folder"


def _folder_captions(root: Path, classes: dict[str, str] | None = None) -> dict[str, list[str]]:
    """image file name -> its captions (raw text); fills ``classes`` (image -> class) from a third column."""
    table = root / "captions.txt"
    captions: dict[str, list[str]] = {}
    if table.is_file():
        for n, line in enumerate(table.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            if "\t" not in line:
                raise VoiceartError(f"{table} line {n} has no tab between the image file and its caption.")
            name, text, *rest = line.split("\t")
            name = name.strip()
            if not (root / name).is_file():
                raise VoiceartError(f"{table} line {n} names {name}, which is not in {root}.")
            captions.setdefault(name, []).append(text.strip())
            if rest and rest[0].strip() and classes is not None:
                classes[name] = rest[0].strip()
        return captions
    for image in sorted(p for p in root.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):
        text = image.with_suffix(".txt")
        if text.is_file():
            lines = [line.strip() for line in text.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
            if lines:
                captions[image.name] = lines
    if not captions:
        raise VoiceartError(f"{root} has no captions: add captions.txt (image-file, a tab, a caption on each line) "
                            f"or a .txt file of captions beside each image.")
    return captions


def _encode_all(texts: list[str], vocab: Vocabulary) -> list[list[int]]:
    return [vocab.encode(t).ids for t in texts]


def load_folder(root: Path, vocab: Vocabulary | None = None) -> tuple[list[Example], CaptionsFile]:
    """A plain folder: its examples and a captions file (a new vocabulary unless one is given)."""
    root = Path(root)
    classes: dict[str, str] = {}
    table = _folder_captions(root, classes)
    names = sorted(table)
    class_ids: dict[str, int] = {}
    if vocab is None:
        vocab = Vocabulary.build([tokenize(t) for n in names for t in table[n]])
    examples, flat = [], []
    for i, name in enumerate(names):
        caps = [c for c in _encode_all(table[name], vocab) if c]
        if not caps:
            continue
        label = classes.get(name)
        class_id = class_ids.setdefault(label, len(class_ids)) if label is not None else -1 - i  # no class: its own
        examples.append(Example(Path(name).stem, root / name, caps, class_id))
        flat.extend(caps)
    if not examples:
        raise VoiceartError(f"None of the captions in {root} has a word the vocabulary knows.")
    return examples, CaptionsFile(flat, [], vocab)


def _load_bboxes(root: Path) -> dict[str, tuple]:
    cub = root / "CUB_200_2011"
    names = {}
    for line in (cub / "images.txt").read_text().splitlines():
        if line.strip():
            idx, path = line.split()
            names[idx] = path[:-4]
    boxes = {}
    for line in (cub / "bounding_boxes.txt").read_text().splitlines():
        if line.strip():
            idx, *box = line.split()
            boxes[names[idx]] = tuple(int(float(b)) for b in box)
    return boxes


def _read_caption_texts(root: Path, key: str, per_image: int) -> list[list[str]]:
    path = root / "text" / f"{key}.txt"
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        tokens = tokenize(line)
        if tokens:
            out.append(tokens)
        if len(out) == per_image:
            break
    if len(out) < per_image:
        raise VoiceartError(f"{path} has {len(out)} captions; the configuration needs {per_image} for each image.")
    return out


def load_official(root: Path, split: str, config: DMGANConfig) -> tuple[list[Example], CaptionsFile]:
    """The CUB or COCO layout of the official code (``split`` is train or test)."""
    root = Path(root)
    layout = detect_layout(root)
    names = {s: (_read_pickle(root / s / "filenames.pickle") if (root / s / "filenames.pickle").is_file() else [])
             for s in ("train", "test")}
    per = config.CAPTIONS_PER_IMAGE
    captions_path = root / "captions.pickle"
    if captions_path.is_file():
        captions = load_captions(captions_path)
    else:  # build it as the official code does, and keep it beside the data
        texts = {s: [c for key in names[s] for c in _read_caption_texts(root, key, per)] for s in names}
        vocab = Vocabulary.build(texts["train"] + texts["test"])
        captions = CaptionsFile([[vocab.wordtoix[w] for w in c] for c in texts["train"]],
                                [[vocab.wordtoix[w] for w in c] for c in texts["test"]], vocab)
        save_captions(captions, captions_path)
    split_caps = captions.train_captions if split == "train" else captions.test_captions
    keys = names[split]
    if len(split_caps) < len(keys) * per:
        raise VoiceartError(f"{captions_path} has {len(split_caps)} {split} captions; {len(keys)} images need {per} each "
                            f"(set CAPTIONS_PER_IMAGE to the data set's).")
    class_file = root / split / "class_info.pickle"
    class_ids = list(_read_pickle(class_file)) if class_file.is_file() else list(range(len(keys)))
    bboxes = _load_bboxes(root) if layout == "cub" else {}
    image_dir = root / "CUB_200_2011" / "images" if layout == "cub" else root / "images"
    examples = []
    for i, key in enumerate(keys):
        caps = [c for c in split_caps[i * per:(i + 1) * per] if c]
        examples.append(Example(key, image_dir / f"{key}.jpg", caps, int(class_ids[i]), bboxes.get(key)))
    return examples, captions


def load_dataset(root: Path, config: DMGANConfig, split: str = "train", vocab: Vocabulary | None = None):
    """Examples and captions file of any of the three layouts."""
    if detect_layout(root) == "folder":
        return load_folder(root, vocab)
    examples, captions = load_official(root, split, config)
    if vocab is not None and len(vocab) != len(captions.vocab):
        raise VoiceartError(f"The data set's captions.pickle has {len(captions.vocab)} words; the given vocabulary has {len(vocab)}.")
    return examples, captions


def crop_to_bbox(image: Image.Image, bbox) -> Image.Image:
    """The official bird crop: a square of 1.5 times the box's longer side around its centre."""
    width, height = image.size
    r = int(max(bbox[2], bbox[3]) * 0.75)
    cx, cy = int((2 * bbox[0] + bbox[2]) / 2), int((2 * bbox[1] + bbox[3]) / 2)
    return image.crop((max(0, cx - r), max(0, cy - r), min(width, cx + r), min(height, cy + r)))


def _resize_short_side(image: Image.Image, size: int) -> Image.Image:
    w, h = image.size
    if w <= h:
        return image.resize((size, max(1, round(h * size / w))), Image.BILINEAR)
    return image.resize((max(1, round(w * size / h)), size), Image.BILINEAR)


def _to_tensor(image: Image.Image) -> torch.Tensor:
    array = np.asarray(image, dtype=np.float32) / 127.5 - 1.0
    return torch.from_numpy(array).permute(2, 0, 1).contiguous()


class CaptionDataset(torch.utils.data.Dataset):
    """Items are addressed by (epoch, index): images at every stage size, a caption, its length, class and key."""

    def __init__(self, examples: list[Example], config: DMGANConfig, seed: int = 0, augment: bool = True,
                 sizes: list[int] | None = None, cache_images: bool | None = None):
        if not examples:
            raise VoiceartError("The data set has no images with captions.")
        self.examples, self.config, self.seed, self.augment = examples, config, seed, augment
        self.sizes = sizes or config.sizes
        self.load_size = int(self.sizes[-1] * 76 / 64)
        self.cache = {} if (cache_images if cache_images is not None else len(examples) <= 2000) else None

    def __len__(self) -> int:
        return len(self.examples)

    def _image(self, i: int) -> Image.Image:
        if self.cache is not None and i in self.cache:
            return self.cache[i]
        ex = self.examples[i]
        try:
            with Image.open(ex.image_path) as im:
                image = im.convert("RGB")
        except (OSError, ValueError) as exc:
            raise VoiceartError(f"The training image {ex.image_path} cannot be read ({exc}).") from None
        if ex.bbox is not None:
            image = crop_to_bbox(image, ex.bbox)
        image = _resize_short_side(image, self.load_size if self.augment else self.sizes[-1])
        if self.cache is not None:
            self.cache[i] = image
        return image

    def images(self, i: int, rng: np.random.Generator | None) -> list[torch.Tensor]:
        image = self._image(i)
        top = self.sizes[-1]
        w, h = image.size
        if rng is not None and self.augment:
            x, y = int(rng.integers(0, w - top + 1)), int(rng.integers(0, h - top + 1))
            image = image.crop((x, y, x + top, y + top))
            if rng.random() < 0.5:
                image = image.transpose(Image.FLIP_LEFT_RIGHT)
        else:
            x, y = (w - top) // 2, (h - top) // 2
            image = image.crop((x, y, x + top, y + top))
        return [_to_tensor(image if s == top else image.resize((s, s), Image.BILINEAR)) for s in self.sizes]

    def caption(self, ids: list[int], rng: np.random.Generator | None) -> tuple[torch.Tensor, int]:
        n = self.config.WORDS_NUM
        ids = list(ids)
        if len(ids) > n:
            keep = sorted(rng.choice(len(ids), n, replace=False)) if rng is not None else range(n)
            ids = [ids[k] for k in keep]
        out = torch.zeros(n, dtype=torch.int64)
        out[: len(ids)] = torch.tensor(ids, dtype=torch.int64)
        return out, len(ids)

    def __getitem__(self, item):
        epoch, i = item if isinstance(item, tuple) else (0, item)
        rng = np.random.default_rng([self.seed, epoch, i])
        ex = self.examples[i]
        ids = ex.captions[int(rng.integers(0, len(ex.captions)))]
        caption, length = self.caption(ids, rng)
        return self.images(i, rng), caption, length, ex.class_id, ex.key


class EpochBatches(torch.utils.data.Sampler):
    """Batches of (epoch, index), reshuffled each epoch from the seed, starting at any step."""

    def __init__(self, n: int, batch_size: int, seed: int, start_step: int = 0, steps: int | None = None,
                 rank: int = 0, world: int = 1):
        if n < batch_size:
            raise VoiceartError(f"The data set has {n} images; a batch needs {batch_size}. Use a smaller --batch-size.")
        self.n, self.batch_size, self.seed, self.start_step, self.steps = n, batch_size, seed, start_step, steps
        self.rank, self.world = rank, world  # this process takes every world-th picture of each batch
        self.per_epoch = n // batch_size

    def __len__(self) -> int:
        return self.steps if self.steps is not None else 10**12

    def __iter__(self):
        step = self.start_step
        end = None if self.steps is None else self.start_step + self.steps
        while end is None or step < end:
            epoch, offset = divmod(step, self.per_epoch)
            order = torch.randperm(self.n, generator=torch.Generator().manual_seed(self.seed * 1_000_003 + epoch))
            batch = order[offset * self.batch_size:(offset + 1) * self.batch_size].tolist()
            yield [(epoch, i) for i in batch[self.rank::self.world]]
            step += 1


def loader(dataset: CaptionDataset, batch_size: int, seed: int, start_step: int, steps: int, workers: int = 0,
           rank: int = 0, world: int = 1):
    sampler = EpochBatches(len(dataset), batch_size, seed, start_step, steps, rank, world)
    # Its own generator: a DataLoader otherwise draws its workers' seed from the global random
    # state, which the models' dropout and noise use, and a resumed run would drift.
    return torch.utils.data.DataLoader(dataset, batch_sampler=sampler, num_workers=workers, pin_memory=False,
                                       generator=torch.Generator().manual_seed(seed))


def steps_per_epoch(n: int, batch_size: int) -> int:
    return max(1, n // batch_size) if n >= batch_size else 0


def epochs_to_steps(epochs: float, n: int, batch_size: int) -> int:
    return int(math.ceil(epochs * max(1, n // batch_size)))
