"""How well the word bridge maps words a model lacks: the figures behind its thresholds.

Each row of tests/data/word_bridge.csv is a word a person may say and the known words it may
become ("-" where leaving it out is right). The word is taken out of the model's vocabulary (the
shipped scene model's unless --captions names another), and the bridge maps it. A row is right
when the word becomes one of its words, or is left out where that is allowed; wrong when it
becomes another word (the worst: something else is drawn); missed when it is left out though a
word was expected. The table sweeps the meaning threshold; the line marked * is the shipped one.

    .venv/bin/python benchmarks/word_bridge.py [--captions FILE] [--threads 1]
"""
from __future__ import annotations

import argparse
import csv
import time
from collections import Counter
from pathlib import Path

import torch

from voiceart.config import Settings
from voiceart.text2image import bridge
from voiceart.text2image.vocab import load_captions

ROWS = Path(__file__).resolve().parents[1] / "tests" / "data" / "word_bridge.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--captions", type=Path, help="captions.pickle of the model (default: the shipped scene model's)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    settings = Settings()
    if args.captions is None:
        from voiceart import weights

        args.captions = weights.find_dmgan(settings, "scenes")[2]
    captions = load_captions(args.captions)
    counts = Counter(i for caption in captions.train_captions for i in caption)
    full = bridge.WordBridge.of(captions.vocab, counts, settings)
    full.embeddings()
    with open(ROWS, newline="") as f:
        rows = list(csv.DictReader(f))
    started = time.perf_counter()
    bridges = [bridge.WordBridge(full.known - {row["said"]}, full.counts, settings) for row in rows]
    shipped = [b.match(row["said"]) for b, row in zip(bridges, rows)]
    per_word = (time.perf_counter() - started) / len(rows) * 1000
    print(f"{len(rows)} words, vocabulary of {len(full.known)} ({args.captions}); {per_word:.0f} ms a word\n")
    print("meaning >=  right  wrong  missed")
    for threshold in [round(0.60 + 0.02 * i, 2) for i in range(11)]:
        tally = Counter(_judge(row, b.match(row["said"], threshold)) for b, row in zip(bridges, rows))
        mark = "*" if abs(threshold - bridge.MEANING) < 1e-9 else " "
        print(f"{mark}   {threshold:.2f}   {tally['right']:5d}  {tally['wrong']:5d}  {tally['missed']:6d}")
    print("\nat the shipped thresholds:")
    for b, row, change in zip(bridges, rows, shipped):
        nearest = b.nearest(row["said"])
        print(f"  {_judge(row, change):6s} {row['kind']:9s} {row['said']:16s} -> {change.used if change else '(left out)':14s} "
              f"{change.why if change else '':9s} (nearest in meaning: {nearest[0]} {nearest[1]:.3f})")


def _judge(row, change) -> str:
    allowed = row["may_become"].split("|")
    if change is None:
        return "right" if "-" in allowed else "missed"
    return "right" if change.used in allowed else "wrong"

if __name__ == "__main__":
    main()
