"""Text-to-image speed: milliseconds per picture at each DM-GAN stage, for the bird and coco presets.

For each preset it builds the generator (random weights unless --netg gives a file: speed does
not depend on the values) and times, per picture, the generator up to the 64, 128 and 256 px
stage, and the whole sentence-to-256-px path (text encoder, generator, conversion to a picture).

With --official PATH (the DM-GAN repository or its code/ folder) it also runs the official
G_NET with the same weights, noise and sentence features, and prints its time, the ratio and
the largest difference between the two outputs at every stage. All timings of a preset are
taken in turns (64, 128, 256, whole, official, 64, ...) so a busy machine slows them alike; the
ratio is official / voiceart (above 1: voiceart is faster).

    .venv/bin/python benchmarks/text2image.py [--presets bird coco] [--threads 2] [--repeats 5]
        [--batch 1] [--device cpu|cuda] [--official ~/DM-GAN] [--netg bird_DMGAN.pth]
"""
from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
import types
from pathlib import Path

import torch

from voiceart.text2image.config import PRESETS
from voiceart.text2image.generator import G_NET, weights_init
from voiceart.text2image.sample import to_pil
from voiceart.text2image.text_encoder import RNN_ENCODER

VOCAB = {"bird": 5450, "coco": 27297}


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def interleaved_ms(fns: dict, repeats: int, device: torch.device) -> dict[str, float]:
    """Median milliseconds of each function, run in turns so that a busy machine slows all alike."""
    times = {name: [] for name in fns}
    for fn in fns.values():  # warm up: allocations, kernel choice
        fn()
    for _ in range(repeats):
        for name, fn in fns.items():
            sync(device)
            start = time.perf_counter()
            fn()
            sync(device)
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(t) for name, t in times.items()}


def official_module(path: Path):
    """The official code's model.py, importable without CUDA or easydict."""
    code = path / "code" if (path / "code" / "model.py").is_file() else path
    if not (code / "model.py").is_file() or not (code / "miscc" / "config.py").is_file():
        sys.exit(f"{path} is not the DM-GAN code: it has no model.py and miscc/config.py")
    import importlib.util

    if importlib.util.find_spec("easydict") is None:  # the config needs only attribute access on dicts
        class EasyDict(dict):
            def __getattr__(self, key):
                try:
                    return self[key]
                except KeyError:
                    raise AttributeError(key) from None

            def __setattr__(self, key, value):
                self[key] = value

        sys.modules["easydict"] = types.SimpleNamespace(EasyDict=EasyDict)
    sys.path.insert(0, str(code))
    from miscc.config import cfg  # noqa: E402  (the official module)
    import model  # noqa: E402

    return cfg, model


def build(preset: str, netg: Path | None, seed: int) -> G_NET:
    config = PRESETS[preset]
    if netg is not None:
        from voiceart.text2image.checkpoints import load_generator

        return load_generator(netg, config)
    torch.manual_seed(seed)
    g = G_NET(config)
    g.apply(weights_init)
    with torch.no_grad():  # batch-norm statistics of a trained network's scale
        for name, buf in g.named_buffers():
            if name.endswith("running_mean"):
                buf.normal_(0, 0.1)
            elif name.endswith("running_var"):
                buf.uniform_(0.5, 2.0)
    return g.eval()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=["bird", "coco"], choices=["bird", "coco"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1, help="pictures drawn at once")
    parser.add_argument("--words", type=int, default=12, help="words in the sentence")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--official", type=Path, help="the official DM-GAN code, to time it side by side")
    parser.add_argument("--netg", type=Path, help="a generator file to time instead of random weights (one preset)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    official = official_module(args.official) if args.official else None
    b, n_words = args.batch, args.words
    print(f"torch {torch.__version__}, {device}{'' if device.type == 'cuda' else f', {args.threads} threads'}, "
          f"batch {b}, {n_words} words, median of {args.repeats}; ms per picture")
    header = f"{'preset':>6} | {'64 px':>8} | {'128 px':>8} | {'256 px':>8} | {'text->PNG 256':>13}"
    if official:
        header += f" | {'official 256':>12} | {'ratio':>5} | max |diff| 64/128/256"
    print(header)
    print("-" * len(header))
    for preset in args.presets:
        config = PRESETS[preset]
        g = build(preset, args.netg, seed=0).to(device)
        reference = copy.deepcopy(g) if official else None
        if device.type == "cpu":
            g = g.to(memory_format=torch.channels_last)  # as TextToImage runs it
        encoder = RNN_ENCODER(VOCAB[preset], nhidden=config.EMBEDDING_DIM).eval().to(device)
        gen = torch.Generator().manual_seed(1)
        captions = torch.randint(1, VOCAB[preset], (b, n_words), generator=gen).to(device)
        lengths = torch.full((b,), n_words)
        z = torch.randn(b, config.Z_DIM, generator=gen).to(device)
        eps = torch.randn(b, config.CONDITION_DIM, generator=gen).to(device)
        with torch.inference_mode():
            words, sent = encoder(captions, lengths)
        mask = captions == 0

        def stage(k):
            def run():
                with torch.inference_mode():
                    return g(z, sent, words, mask, eps=eps, stages=k)[0]
            return run

        def whole():
            with torch.inference_mode():
                w, s = encoder(captions, lengths)
                return to_pil(g(z, s, w, mask, eps=eps)[0][-1])

        fns = {"64": stage(1), "128": stage(2), "256": stage(3), "whole": whole}
        if official:
            cfg, model = official
            cfg.CUDA = device.type == "cuda"
            cfg.GAN.GF_DIM, cfg.GAN.Z_DIM, cfg.GAN.CONDITION_DIM, cfg.GAN.R_NUM = config.GF_DIM, config.Z_DIM, config.CONDITION_DIM, config.R_NUM
            cfg.TEXT.EMBEDDING_DIM, cfg.TREE.BRANCH_NUM = config.EMBEDDING_DIM, config.BRANCH_NUM
            theirs = model.G_NET()
            theirs.load_state_dict(reference.state_dict())
            theirs.to(device).eval()

            def run_official():
                torch.manual_seed(7)  # its conditioning noise comes from the global generator
                with torch.no_grad():
                    return theirs(z, sent, words, mask, lengths)[0]

            fns["official"] = run_official
        ms = {k: v / b for k, v in interleaved_ms(fns, args.repeats, device).items()}
        line = f"{preset:>6} | {ms['64']:8.1f} | {ms['128']:8.1f} | {ms['256']:8.1f} | {ms['whole']:13.1f}"
        if official:
            # the same conditioning noise for both: what the official code draws after seed 7
            torch.manual_seed(7)
            eps_official = torch.randn(b, config.CONDITION_DIM, device=device)
            with torch.inference_mode():
                ours = g(z, sent, words, mask, eps=eps_official)[0]
            diffs = [(a.float() - t.float()).abs().max().item() for a, t in zip(ours, run_official())]
            line += f" | {ms['official']:12.1f} | {ms['official'] / ms['256']:5.2f} | " + " / ".join(f"{d:.1e}" for d in diffs)
        print(line, flush=True)


if __name__ == "__main__":
    main()
