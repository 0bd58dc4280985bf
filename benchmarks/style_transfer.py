"""Style transfer speed: voiceart's PyTorch port beside onnxruntime running the same weights.

Prints, for 256, 512 and 1024 px photos, milliseconds per stylized image (the
style vector of a 256 px painting crop plus the transformer at the photo's
size) for voiceart and for onnxruntime on the shipped Magenta lite graphs with
their int8 quantization folded to float32 (the same arithmetic), and the ratio.

    .venv/bin/python benchmarks/style_transfer.py [--threads 2] [--repeats 5] [--device cpu|cuda]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from PIL import Image

from voiceart.config import Settings
from voiceart.style.convert import load_float_onnx, source_model_dir
from voiceart.style.stylize import Stylizer, style_crop, to_tensor


def median_ms(fn, repeats: int) -> float:
    fn()  # warm up: allocations, kernel choice
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024])
    args = parser.parse_args()

    from skimage import data

    settings = Settings(device=args.device, threads=args.threads)
    stylizer = Stylizer(settings)
    painting = Image.fromarray(data.coffee())
    photo = Image.fromarray(data.astronaut())
    predict, transform = onnx_sessions(args.threads)
    names = [i.name for i in transform.get_inputs()]

    print(f"torch {torch.__version__}, device {stylizer.device}, {args.threads} threads, median of {args.repeats}")
    print(f"{'size':>6} | {'voiceart ms':>12} | {'onnxruntime ms':>15} | {'ratio':>6} | {'images/s':>8}")
    print("-" * 61)
    for size in args.sizes:
        content = photo.resize((size, size))

        def ours():
            result = stylizer.apply(content, stylizer.style_vector(painting))
            if stylizer.device.type == "cuda":
                torch.cuda.synchronize()
            return result

        def theirs():
            vec = predict.run(None, {"style_image": np.asarray(style_crop(painting), np.float32)[None] / 255})[0]
            out = transform.run(None, {names[0]: np.asarray(content, np.float32)[None] / 255, names[1]: vec})[0]
            return Image.fromarray((np.clip(out[0], 0, 1) * 255 + 0.5).astype(np.uint8))

        a, b = median_ms(ours, args.repeats), median_ms(theirs, args.repeats)
        print(f"{size:>6} | {a:>12.1f} | {b:>15.1f} | {a / b:>6.2f} | {1000 / a:>8.1f}")

    if stylizer.device.type == "cuda":
        batch = to_tensor(photo.resize((512, 512))).repeat(16, 1, 1, 1).to(stylizer.device)
        style = stylizer.style_vector(painting).expand(16, -1)
        with torch.inference_mode():
            ms = median_ms(lambda: (stylizer.transformer(batch, style), torch.cuda.synchronize()), args.repeats)
        print(f"CUDA, 512 px, batches of 16: {16000 / ms:.0f} images/s")


if __name__ == "__main__":
    main()
