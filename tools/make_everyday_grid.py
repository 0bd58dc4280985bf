"""Draw docs/images/text2image-everyday-grid.jpg: everyday descriptions, none of them a caption of the
scene data, as a person would say them, each drawn twice by the shipped scene model (seeds 0 and 1),
with what the scene probe finds of the things the description names under each pair. Prints the
Markdown table of docs/text2image.md.

    .venv/bin/python tools/make_everyday_grid.py [-o docs/images/text2image-everyday-grid.jpg]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from voiceart import weights
from voiceart.config import PROJECT_ROOT, Settings
from voiceart.images import save_picture
from voiceart.text2image.evaluate import Lite0Features
from voiceart.text2image.grid import draw_grid
from voiceart.text2image.kinds import named_kinds
from voiceart.text2image.probe import THRESHOLD, Probe
from voiceart.text2image.sample import TextToImage
from voiceart.text2image.scenes.build import kind_names, load_kinds

DESCRIPTIONS = (  # the five, then three more of the kind people say
    "a lighthouse by the sea at sunset",
    "a red sailboat on a calm lake",
    "a windmill in a green field at night",
    "a church in a meadow with flowers",
    "a red car on a road beside trees",
    "a dog running on a beach in the morning",
    "a hot air balloon over snowy mountains",
    "two horses in a field under a cloudy sky",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=PROJECT_ROOT / "docs" / "images" / "text2image-everyday-grid.jpg")
    args = parser.parse_args()
    settings = Settings()
    model = TextToImage.load(settings)
    probe = Probe.load(weights.find(weights.SCENE_PROBE, settings))
    lite = Lite0Features(settings)
    names = kind_names(load_kinds(settings.cache_dir, True, print))
    pairs, captions = [], []
    print("| description | the model read | probe finds (seed 0, seed 1) |\n|---|---|---|")
    for k, text in enumerate(DESCRIPTIONS, 1):
        drawn = [model.generate(text, seed=seed).largest[0] for seed in (0, 1)]
        batch = torch.stack([torch.from_numpy(np.array(im)).permute(2, 0, 1) for im in drawn])
        things = probe.predict(lite(batch.float() / 127.5 - 1))["things"]
        named = [key for key in named_kinds(text, names) if key in probe.kinds]
        found = ", ".join(f"{names[key]['nouns'][0]} {'/'.join('yes' if things[i, probe.kinds.index(key)] > THRESHOLD else 'no' for i in range(2))}"
                          for key in named) or "names no kind the probe knows"
        read = " ".join(model.bridge(text).words)
        pairs.append(tuple(drawn))
        captions.append(f"{k}. {text} (probe: {found})")
        print(f"| {text} | {read} | {found} |")
    sheet = draw_grid(pairs, captions, title="The shipped scene model on everyday descriptions (seeds 0 and 1).")
    save_picture(sheet, args.output, {"Software": "voiceart", "model": "dmgan/scenes"})
    print(f"Wrote {args.output}")


if __name__ == "__main__":
    main()
