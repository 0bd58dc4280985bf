"""Does a DAMSM's sentence feature say which thing a caption names?

DM-GAN's first stage, which lays out the whole picture, sees a caption only through its sentence
feature (conditioning augmentation of the DAMSM text encoder's last hidden states); the words reach
the later stages only. If that feature does not tell a lighthouse from a windmill, no amount of
generator training can put the right thing in the layout. This tool fits a linear classifier from the
sentence feature to the first thing the caption names (scene data: kinds.json, as the probe reads
them) on training captions and reports its accuracy on validation captions, beside always guessing
the commonest kind.

    .venv/bin/python tools/sentence_probe.py DAMSM_FOLDER SCENE_DATA [--train 20000 --val 3000]
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voiceart.text2image.checkpoints import load_text_encoder  # noqa: E402
from voiceart.text2image.config import get_preset  # noqa: E402
from voiceart.text2image.kinds import named_kinds, read_kinds  # noqa: E402
from voiceart.text2image.vocab import load_captions  # noqa: E402


def named_captions(split: Path, kinds: dict, count: int) -> list[tuple[str, str]]:
    """(caption, first kind it names) for up to ``count`` captions of a split, shuffled with a fixed seed."""
    rows = []
    with open(split / "captions.txt", encoding="utf-8") as f:
        for line in f:
            caption = line.rstrip("\n").split("\t")[1]
            named = named_kinds(caption, kinds)
            if named:
                rows.append((caption, named[0]))
    random.Random(0).shuffle(rows)
    return rows[:count]


@torch.no_grad()
def sentence_features(encoder, vocab, captions: list[str], words_num: int) -> torch.Tensor:
    out = []
    for i in range(0, len(captions), 256):
        ids = [vocab.encode(c).ids[:words_num] or [0] for c in captions[i:i + 256]]
        lengths = torch.tensor([len(x) for x in ids])
        batch = torch.zeros(len(ids), int(lengths.max()), dtype=torch.long)
        for j, x in enumerate(ids):
            batch[j, :len(x)] = torch.tensor(x)
        out.append(encoder(batch, lengths)[1])
    return torch.cat(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("damsm", type=Path, help="a folder of `voiceart train damsm`")
    parser.add_argument("data", type=Path, help="a scene data set of `voiceart data scenes` (train/, val/, kinds.json)")
    parser.add_argument("--train", type=int, default=20000)
    parser.add_argument("--val", type=int, default=3000)
    args = parser.parse_args()
    torch.manual_seed(0)
    config = get_preset(args.damsm / "config.json")
    vocab = load_captions(args.damsm / "captions.pickle").vocab
    encoder = load_text_encoder(args.damsm / "text_encoder.pth", len(vocab), config).eval()
    kinds = read_kinds(args.data / "kinds.json")
    names = sorted(kinds)
    fitted, held = (named_captions(args.data / split, kinds, n) for split, n in (("train", args.train), ("val", args.val)))
    x_fit, x_held = (sentence_features(encoder, vocab, [c for c, _ in rows], config.WORDS_NUM) for rows in (fitted, held))
    y_fit, y_held = (torch.tensor([names.index(k) for _, k in rows]) for rows in (fitted, held))
    mean, std = x_fit.mean(0), x_fit.std(0) + 1e-6
    x_fit, x_held = (x_fit - mean) / std, (x_held - mean) / std
    head = torch.nn.Linear(x_fit.shape[1], len(names))
    optimizer = torch.optim.Adam(head.parameters(), lr=1e-2)
    for _ in range(300):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(head(x_fit), y_fit).backward()
        optimizer.step()
    with torch.no_grad():
        accuracy = float((head(x_held).argmax(1) == y_held).float().mean())
    commonest = int(torch.bincount(y_held).max()) / len(y_held)
    print(f"sentence feature -> first named thing, {len(held)} validation captions: {accuracy:.1%} "
          f"(commonest kind: {commonest:.1%}; {len(names)} kinds; fitted on {len(fitted)} training captions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
