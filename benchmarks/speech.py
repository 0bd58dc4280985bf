"""Speech latency: from the end of an utterance to its command, voiceart (openai-whisper) beside
faster-whisper running the same CTranslate2 weights from the same packages.

    .venv/bin/python benchmarks/speech.py                  # tiny.en and base, 2 threads
    .venv/bin/python benchmarks/speech.py --models base --rounds 3 --threads 2

Every engine gets the same espeak-ng utterances (command words in two voices, 16 kHz, with the same
0.3 s lead-in voiceart adds), the same initial prompt, greedy decoding without timestamps, English,
and the same temperature fallback. The clock starts when the whole utterance is in hand (the end of
speech, as the microphone's end-pointer hands it over) and stops when the grammar has the command;
for voiceart that includes checking it against the audio (voiceart.speech.rescore) where the text
alone is not confident.
"CPU s" is the median processor time per utterance (all threads): on a machine shared with other
work it shows the cost when wall-clock time is stretched by waiting for a core. Each engine runs in a process of its own, so its peak memory (RSS, model and runtime included) is
its own; engines alternate round by round, so a neighbour's load falls on all of them alike.

Memory is the process's peak resident set (VmHWM, what ru_maxrss reports), with where it comes from: the libraries (RSS after importing torch and whisper, or
faster-whisper, before any model), the model loaded (RSS right after loading; the load's own peak
beside it); the peak is the larger of the load's and the transcriptions'. --python runs the engines in another interpreter, e.g.
a venv with torch's CPU-only build, to show what the CUDA build's libraries cost:

    .venv/bin/python benchmarks/speech.py --engines voiceart --python /path/to/cpu-venv/bin/python

faster-whisper is only for this benchmark: pip install faster-whisper (the `bench` extra).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COMMANDS = ["again", "save", "undo", "redo", "more style", "less style", "help", "start over", "cancel", "yes", "no",
            "number two", "Impressionism", "post impressionism"]
VOICES = ("en-us", "en-gb")
TARGETS = {"base": 1.5, "tiny.en": 0.8}  # seconds, median
RATIO_TARGET = 1.0


def make_utterances(path: Path) -> None:
    from voiceart.speech.transcribe import synthesize

    audio = {f"{v}|{text}": synthesize(text, v) for v in VOICES for text in COMMANDS}
    np.savez(path, **audio)


def ct2_dir(name: str, settings) -> Path:
    """A folder faster-whisper can load: the package's own, or (base) its two parts joined once."""
    from voiceart.speech import whisper_weights

    packaged = whisper_weights.WHISPER_PACKAGED[name]
    parts = packaged.paths()
    if parts is None:
        raise SystemExit(f"The Whisper {name} weights are not installed: {packaged.install}")
    if len(parts) == 1:
        return parts[0].parent
    folder = settings.cache_dir / "ct2" / name
    target = folder / "model.bin"
    if not target.is_file() or target.stat().st_size != sum(p.stat().st_size for p in parts):
        folder.mkdir(parents=True, exist_ok=True)
        with open(str(target) + ".part", "wb") as out:
            for part in parts:
                out.write(part.read_bytes())
        os.replace(str(target) + ".part", target)
    for extra in ("config.json", "tokenizer.json", "vocabulary.txt"):
        src = parts[0].parent / extra
        if src.is_file() and not (folder / extra).is_file():
            (folder / extra).write_bytes(src.read_bytes())
    return folder


def worker(engine: str, name: str, utterances: Path, threads: int) -> dict:
    """Run in a child process: load one engine, time every utterance, report latencies and peak RSS."""
    from voiceart.config import Settings
    from voiceart.paintings.catalogue import Catalogue
    from voiceart.speech import grammar, rescore
    from voiceart.speech.audio import RATE
    from voiceart.speech.transcribe import LEAD_IN_SECONDS, TEMPERATURES, Transcriber

    settings = Settings()
    settings.threads = threads
    styles = list(Catalogue.load(settings).styles())
    audio = dict(np.load(utterances))
    if engine == "voiceart":
        import torch  # noqa: F401
        import whisper  # noqa: F401
    else:
        import faster_whisper  # noqa: F401
    libraries_mb = _memory_mb()["VmRSS"]  # what importing the engine costs, before any model
    start = time.perf_counter()
    if engine == "voiceart":
        transcriber = Transcriber(settings, styles, model=name)

        def hear(x: np.ndarray) -> tuple[str, str]:
            heard = transcriber.transcribe(x)  # then checked against the audio where the text is not confident
            return heard.text, rescore.understand(transcriber, heard, "any", styles).name
    else:
        from faster_whisper import WhisperModel

        compute = engine.split(":", 1)[1] if ":" in engine else "float32"
        model = WhisperModel(str(ct2_dir(name, settings)), device="cpu", compute_type=compute, cpu_threads=threads)
        prompt = grammar.prompt(styles)
        lead_in = np.zeros(int(LEAD_IN_SECONDS * RATE), dtype=np.float32)

        def hear(x: np.ndarray) -> tuple[str, str]:
            segments, _ = model.transcribe(np.concatenate([lead_in, x]), language="en", beam_size=1, best_of=1,
                                           temperature=list(TEMPERATURES), initial_prompt=prompt, without_timestamps=True,
                                           condition_on_previous_text=False, vad_filter=False)
            text = " ".join(s.text.strip() for s in segments)
            return text, grammar.parse(text, "any", styles).name
    load = time.perf_counter() - start
    loaded = _memory_mb()
    hear(audio[next(iter(audio))])  # warm-up: first-call allocations are not latency
    rows = []
    for key, x in audio.items():
        voice, said = key.split("|", 1)
        t0, c0 = time.perf_counter(), time.process_time()
        text, command = hear(x)
        rows.append({"voice": voice, "said": said, "text": text, "command": command, "seconds": time.perf_counter() - t0,
                     "cpu": time.process_time() - c0})
    return {"engine": engine, "model": name, "load_seconds": load, "rss_mb": _memory_mb()["VmHWM"], "libraries_mb": libraries_mb,
            "loaded_mb": loaded["VmRSS"], "load_peak_mb": loaded["VmHWM"], "rows": rows}


def _memory_mb() -> dict[str, float]:
    """The resident set now (VmRSS) and at its peak so far (VmHWM), in MB, from /proc/self/status."""
    with open("/proc/self/status") as f:
        return {k: int(v.split()[0]) / 1024 for k, v in (line.split(":", 1) for line in f) if k in ("VmRSS", "VmHWM")}


def run_worker(engine: str, name: str, utterances: Path, threads: int, python: str) -> dict:
    out = subprocess.run([python, __file__, "--worker", engine, "--models", name, "--utterances", str(utterances),
                          "--threads", str(threads)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{engine} {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--engines", nargs="+", default=["voiceart", "faster-whisper"],
                        help="voiceart, faster-whisper (float32) or faster-whisper:int8")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="each engine runs this many times, alternating")
    parser.add_argument("--python", default=sys.executable, help="the interpreter the engines run in (default: this one)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--utterances", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.models[0], args.utterances, args.threads)))
        return 0

    from voiceart.config import Settings
    from voiceart.paintings.catalogue import Catalogue
    from voiceart.speech import grammar, whisper_weights

    settings = Settings()
    styles = list(Catalogue.load(settings).styles())
    for name in args.models:  # convert (once) and join parts before anything is timed
        whisper_weights.whisper_checkpoint(settings, name)
        if any(e.startswith("faster-whisper") for e in args.engines):
            ct2_dir(name, settings)
    with tempfile.TemporaryDirectory() as tmp:
        utterances = Path(tmp) / "utterances.npz"
        make_utterances(utterances)
        results: dict = {}
        for _ in range(args.rounds):
            for name in args.models:
                for engine in args.engines:
                    r = run_worker(engine, name, utterances, args.threads, args.python)
                    entry = results.setdefault((engine, name), {"seconds": [], "cpu": [], "rss": [], "libs": [], "loaded": [],
                                                                "load_peak": [], "load": [], "right": 0, "n": 0})
                    entry["libs"].append(r["libraries_mb"])
                    entry["loaded"].append(r["loaded_mb"])
                    entry["load_peak"].append(r["load_peak_mb"])
                    entry["seconds"] += [row["seconds"] for row in r["rows"]]
                    entry["cpu"] += [row["cpu"] for row in r["rows"]]
                    entry["rss"].append(r["rss_mb"])
                    entry["load"].append(r["load_seconds"])
                    for row in r["rows"]:
                        entry["right"] += row["command"] == grammar.parse(row["said"], "any", styles).name
                        entry["n"] += 1

    print(f"\n{len(COMMANDS)} command utterances x {len(VOICES)} voices x {args.rounds} rounds, {args.threads} threads, "
          f"load average {os.getloadavg()[0]:.1f} at the end" + (f", engines run by {args.python}" if args.python != sys.executable else ""))
    print(f"{'model':8} {'engine':24} {'median s':>9} {'p90 s':>7} {'ratio':>6} {'CPU s':>6} {'load s':>7} {'right':>7}  target")
    for name in args.models:
        peer = results.get(("faster-whisper", name))
        base_median = statistics.median(peer["seconds"]) if peer else None
        for engine in args.engines:
            e = results[(engine, name)]
            median = statistics.median(e["seconds"])
            p90 = float(np.percentile(e["seconds"], 90))
            ratio = median / base_median if base_median else float("nan")
            target = ""
            if engine == "voiceart":
                goals = [f"median <= {TARGETS.get(name, float('nan'))} s: {'yes' if median <= TARGETS.get(name, 0) else 'NO'}"]
                if base_median:
                    goals.append(f"ratio <= {RATIO_TARGET}: {'yes' if ratio <= RATIO_TARGET else 'NO'}")
                target = "; ".join(goals)
            print(f"{name:8} {engine:24} {median:9.3f} {p90:7.3f} {ratio:6.2f} {statistics.median(e['cpu']):6.2f} "
                  f"{statistics.median(e['load']):7.2f} {e['right']:>3}/{e['n']:<3}  {target}")
    print("\nMemory, MB (the largest of the rounds). Peak = the process's peak resident set (VmHWM);"
          "\nlibraries = after importing the engine, before any model; loaded = right after loading the model (load peak beside it).")
    print(f"{'model':8} {'engine':24} {'PEAK':>6} {'libraries':>10} {'loaded':>7} {'load peak':>10}")
    for name in args.models:
        for engine in args.engines:
            e = results[(engine, name)]
            peak = max(e["rss"])
            print(f"{name:8} {engine:24} {peak:6.0f} {max(e['libs']):10.0f} {max(e['loaded']):7.0f} {max(e['load_peak']):10.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
