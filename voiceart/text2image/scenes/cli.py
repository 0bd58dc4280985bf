"""``voiceart data scenes DIR``: build the captioned scene data set for text-to-image training."""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from voiceart.config import Settings


def register(sub: argparse._SubParsersAction) -> None:
    data = sub.add_parser("data", help="build training data (data scenes)",
                          description="Build data sets for training voiceart's models.")
    dsub = data.add_subparsers(dest="data_command", metavar="DATASET", required=True)
    p = dsub.add_parser("scenes", help="captioned landscape scenes for text-to-image training",
                        description="Draw captioned scenes (sky by time of day and weather, land, buildings, boats, "
                                    "trees, and named emoji animals, food, plants, vehicles, buildings and people) into "
                                    "DIR/train, DIR/val, DIR/test and DIR/probe, each with captions.txt and labels.json; the same seed gives the same files. "
                                    "The emoji come from the npm package emoji-datasource-google, fetched with npm on "
                                    "first use; without npm or a network the scenes are drawn without them.")
    p.add_argument("folder", type=Path, metavar="DIR", help="where to write the data set (a new or empty folder)")
    p.add_argument("--count", type=int, default=32000, metavar="N", help="training pictures (default 32000)")
    p.add_argument("--test-count", type=int, default=1000, metavar="M", help="held-out test pictures (default 1000)")
    p.add_argument("--val-count", type=int, default=1000, metavar="V",
                   help="held-out validation pictures, for choosing models and steps (default 1000)")
    p.add_argument("--probe-count", type=int, default=4000, metavar="P",
                   help="pictures only the checking classifier learns from (default 4000)")
    p.add_argument("--size", type=int, default=128, help="picture size in pixels (default 128)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="the random seed (default 0)")
    p.add_argument("--no-emoji", action="store_true", help="draw only the procedural scenes, without emoji")
    p.add_argument("--workers", type=int, default=1, metavar="K", help="processes drawing at once (default 1)")
    p.add_argument("--overwrite", action="store_true", help="replace a scene data set already in DIR")
    p.set_defaults(run=run_scenes)


def run_scenes(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart.text2image.scenes.build import build

    start = time.perf_counter()
    stats = build(args.folder, args.count, args.test_count, args.size, args.seed, use_emoji=not args.no_emoji,
                  cache_dir=settings.cache_dir, workers=max(1, args.workers), overwrite=args.overwrite,
                  val_count=args.val_count, probe_count=args.probe_count)
    print(f"Wrote {stats['train']['images']} training, {stats['val']['images']} validation, {stats['test']['images']} "
          f"test and {stats['probe']['images']} probe pictures with "
          f"{stats['captions_per_image']} captions each ({stats['vocabulary']} different words) to {args.folder} "
          f"in {time.perf_counter() - start:.0f} seconds.")
    return 0
