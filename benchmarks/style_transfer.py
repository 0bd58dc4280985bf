"""Style transfer speed: voiceart's PyTorch port beside onnxruntime running the same weights.

Prints, for 256, 512 and 1024 px photos, milliseconds per stylized image (the
style vector of a 256 px painting crop plus the transformer at the photo's
size) for voiceart, for voiceart's plain path (``StyleTransformer.reference``,
the network as Magenta writes it: what ``forward`` computed before its
inference path, kept as the check that the fast path pays), and for
onnxruntime on the shipped Magenta lite graphs with their int8 quantization
folded to float32 (the same arithmetic), and the ratio voiceart / onnxruntime.

Rounds are taken in turns (voiceart, plain, onnxruntime, voiceart, ...) so a
busy machine slows all three alike, with a pause before each call (onnxruntime's
threads spin on after a run and would slow whatever comes next); medians are shown.

    .venv/bin/python benchmarks/style_transfer.py [--threads 2] [--repeats 5] [--device cpu|cuda]
        [--sizes 256 512 1024] [--batch 16] [--no-onnx]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from voiceart.config import Settings
from voiceart.style.convert import load_float_onnx, source_model_dir
from voiceart.style.stylize import Stylizer, style_crop, to_image, to_tensor


def median_ms(fns: dict, repeats: int, pause: float = 0.0) -> dict[str, float]:
    """Median milliseconds of each function, called in turns after one warm-up call each.

    ``pause`` seconds before each call: onnxruntime's worker threads spin for a while after a run,
    and without a pause they take the cores from whatever runs next.
    """
    for fn in fns.values():
        fn()  # warm up: allocations, kernel choice
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            time.sleep(pause)
            start = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(t) for name, t in times.items()}


def onnx_sessions(threads: int):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    folder = source_model_dir()
    predict = load_float_onnx(folder / "arbitrary_predict.onnx")
    transform = load_float_onnx(folder / "arbitrary_transform.onnx")
    dims = transform.graph.input[0].type.tensor_type.shape.dim
    dims[1].dim_param, dims[2].dim_param = "height", "width"  # the graph works at any size; only its declared input is fixed
    dims = transform.graph.output[0].type.tensor_type.shape.dim
    dims[1].dim_param, dims[2].dim_param = "height", "width"
    return (ort.InferenceSession(predict.SerializeToString(), opts, providers=["CPUExecutionProvider"]),
            ort.InferenceSession(transform.SerializeToString(), opts, providers=["CPUExecutionProvider"]))


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def batch_images_per_s(stylizer: Stylizer, photo: Image.Image, painting: Image.Image, size: int, batch: int,
                       repeats: int) -> float:
    """Transformer throughput on a batch of ``batch`` photos of ``size`` px with one style (no image conversion)."""
    x = to_tensor(photo.resize((size, size))).repeat(batch, 1, 1, 1).to(stylizer.device, memory_format=torch.channels_last)
    style = stylizer.style_vector(painting).expand(batch, -1)
    with torch.inference_mode():
        ms = median_ms({"batch": lambda: (stylizer.transformer(x, style), sync(stylizer.device))}, repeats)["batch"]
    return batch * 1000 / ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024])
    parser.add_argument("--batch", type=int, default=16, help="on CUDA, also images/s at 512 px in batches of this many")
    parser.add_argument("--no-onnx", action="store_true", help="leave onnxruntime out (its CPU graphs are no GPU peer)")
    args = parser.parse_args()

    from skimage import data

    settings = Settings(device=args.device, threads=args.threads)
    stylizer = Stylizer(settings)
    painting = Image.fromarray(data.coffee())
    photo = Image.fromarray(data.astronaut())
    predict, transform = (None, None) if args.no_onnx else onnx_sessions(args.threads)

    print(f"torch {torch.__version__}, device {stylizer.device}, {args.threads} threads, median of {args.repeats}")
    print(f"{'size':>6} | {'voiceart ms':>12} | {'plain ms':>9} | {'onnxruntime ms':>15} | {'ratio':>6} | {'images/s':>8}")
    print("-" * 73)
    for size in args.sizes:
        content = photo.resize((size, size))

        def ours():
            result = stylizer.apply(content, stylizer.style_vector(painting))
            sync(stylizer.device)
            return result

        @torch.inference_mode()
        def plain():
            x = to_tensor(content).to(stylizer.device, memory_format=torch.channels_last)
            h, w = x.shape[-2:]
            x = F.pad(x, (0, -w % 4, 0, -h % 4), mode="reflect") if h % 4 or w % 4 else x
            style = stylizer.style_vector(painting).reshape(1, -1)
            result = to_image(stylizer.transformer.reference(x, style)[..., :h, :w])
            sync(stylizer.device)
            return result

        def theirs():
            names = [i.name for i in transform.get_inputs()]
            vec = predict.run(None, {"style_image": np.asarray(style_crop(painting), np.float32)[None] / 255})[0]
            out = transform.run(None, {names[0]: np.asarray(content, np.float32)[None] / 255, names[1]: vec})[0]
            return Image.fromarray((np.clip(out[0], 0, 1) * 255 + 0.5).astype(np.uint8))

        fns = {"ours": ours, "plain": plain} | ({} if transform is None else {"theirs": theirs})
        ms = median_ms(fns, args.repeats, pause=0.2)
        a, p, b = ms["ours"], ms["plain"], ms.get("theirs", float("nan"))
        print(f"{size:>6} | {a:>12.1f} | {p:>9.1f} | {b:>15.1f} | {a / b:>6.2f} | {1000 / a:>8.1f}")

    if stylizer.device.type == "cuda":
        for batch in (1, args.batch):
            print(f"CUDA, 512 px, batches of {batch}: {batch_images_per_s(stylizer, photo, painting, 512, batch, args.repeats):.0f} images/s")


if __name__ == "__main__":
    main()
