"""Draw the example pictures of docs/scenes-dataset.md: the first held-out (test) scene of each
terrain, exactly as `voiceart data scenes` draws it with the same seed, saved as
docs/images/scenes-<terrain>.png; prints the Markdown table of pictures and captions.

    .venv/bin/python tools/make_scene_examples.py [--seed 0] [--size 128] [--no-emoji]
"""
from __future__ import annotations

import argparse
from pathlib import Path

from voiceart.config import PROJECT_ROOT, Settings
from voiceart.text2image.scenes.build import load_kinds, make_example
from voiceart.text2image.scenes.land import TERRAINS
from voiceart.text2image.scenes.render import render


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--no-emoji", action="store_true")
    parser.add_argument("-o", "--output", type=Path, default=PROJECT_ROOT / "docs" / "images")
    args = parser.parse_args()
    kinds = load_kinds(Settings().cache_dir, not args.no_emoji, print)
    found = {}
    i = 0
    while len(found) < len(TERRAINS):
        scene, texts, _ = make_example(args.seed, "test", i, kinds)
        if scene.land.terrain not in found:
            found[scene.land.terrain] = (i, scene, texts)
        i += 1
    args.output.mkdir(parents=True, exist_ok=True)
    print("| picture | captions |\n|---|---|")
    for terrain in TERRAINS:
        i, scene, texts = found[terrain]
        name = f"scenes-{terrain.replace(' ', '-')}.png"
        render(scene, args.size).save(args.output / name)
        print(f"| ![test scene {i}](images/{name}) <br> test/scene{i:05d}.png | " + " <br> ".join(texts) + " |")


if __name__ == "__main__":
    main()
