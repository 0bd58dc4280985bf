"""Measure how well voiceart hears commands and descriptions, and write docs/speech-accuracy.md.

Every utterance is spoken by espeak-ng in several voices, resampled to 16 kHz, transcribed by
Whisper (tiny.en and base, the packaged weights) with and without the initial prompt, and
understood by the grammar. A command counts as right when the grammar gives the expected command
and argument (a "Did you mean ...?" question on the right command counts as right, and is counted
apart); a description is scored by its word error rate against what was said.

    .venv/bin/python tools/speech_accuracy.py                       # all models and voices, writes the doc
    .venv/bin/python tools/speech_accuracy.py --models tiny.en --voices en-us --no-write

It takes about ten minutes on two cores.
"""
from __future__ import annotations

import argparse
import csv
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voiceart.config import Settings  # noqa: E402
from voiceart.paintings.catalogue import Catalogue  # noqa: E402
from voiceart.speech import grammar  # noqa: E402
from voiceart.speech import transcribe as T  # noqa: E402

VOICES = ("en-us", "en-gb", "en-us+f3", "en-gb-scotland", "en-029")
MODELS = ("tiny.en", "base")
# (what is said, what the session expects, the command, its argument), shared with the tests
with open(ROOT / "tests" / "data" / "spoken_commands.csv", newline="") as f:
    COMMANDS = [(r["said"], r["expecting"], r["command"], r["argument"] or None) for r in csv.DictReader(f)]
DESCRIPTIONS = [
    "a lighthouse on a cliff at sunset",
    "two cats sleeping on a red sofa",
    "a small boat on a calm lake in the morning",
    "a snowy mountain village at night",
    "save the whales at sea",
    "a bowl of fruit on a wooden table",
]


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word edits, reference words): the numerator and denominator of the word error rate."""
    ref, hyp = grammar.words(reference), grammar.words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[len(hyp)], len(ref)


def measure(models, voices, settings) -> tuple[dict, list]:
    styles = list(Catalogue.load(settings).styles())
    audio = {(v, text): T.synthesize(text, v) for v in voices for text in [c[0] for c in COMMANDS] + DESCRIPTIONS}
    results: dict = {}
    misses: list = []
    for name in models:
        transcriber = T.Transcriber(settings, styles, model=name, prompt=True)
        prompt_tokens = transcriber.prompt_tokens
        for use_prompt in (True, False):
            transcriber.prompt_tokens = prompt_tokens if use_prompt else None
            for v in voices:
                row = results.setdefault((name, use_prompt, v), defaultdict(float))
                for text, expecting, want, argument in COMMANDS:
                    heard = transcriber.transcribe(audio[(v, text)])
                    command = grammar.parse(heard.text, expecting, styles)
                    right = command.name == want and (argument is None or command.argument == argument)
                    row["commands"] += 1
                    row["right"] += right
                    row["sure"] += right and command.question is None
                    row["seconds"] += heard.seconds
                    if not right:
                        misses.append((name, use_prompt, v, text, heard.text, command.name))
                for text in DESCRIPTIONS:
                    heard = transcriber.transcribe(audio[(v, text)])
                    edits, n = word_errors(text, heard.text)
                    row["edits"] += edits
                    row["words"] += n
                    row["described"] += grammar.parse(heard.text, "description", styles).name == "describe"
                    row["descriptions"] += 1
                print(f"{name:8} prompt={'on ' if use_prompt else 'off'} {v:15} commands {int(row['right'])}/{int(row['commands'])} "
                      f"WER {row['edits'] / max(1, row['words']):.1%}", flush=True)
    return results, misses


def table(results, models, voices) -> str:
    lines = ["| model | prompt | voice | commands right | of which sure | description WER | described |",
             "|---|---|---|---|---|---|---|"]
    for name in models:
        for use_prompt in (True, False):
            total = defaultdict(float)
            for v in voices:
                row = results[(name, use_prompt, v)]
                for k, value in row.items():
                    total[k] += value
                lines.append(f"| {name} | {'on' if use_prompt else 'off'} | {v} | {int(row['right'])}/{int(row['commands'])} | "
                             f"{int(row['sure'])} | {row['edits'] / row['words']:.1%} | {int(row['described'])}/{int(row['descriptions'])} |")
            lines.append(f"| **{name}** | **{'on' if use_prompt else 'off'}** | **all** | **{int(total['right'])}/{int(total['commands'])} "
                         f"({total['right'] / total['commands']:.0%})** | {int(total['sure'])} | **{total['edits'] / total['words']:.1%}** | "
                         f"{int(total['described'])}/{int(total['descriptions'])} |")
    return "\n".join(lines)


def summary(results, models, voices) -> str:
    lines = []
    for name in models:
        rates = {}
        for use_prompt in (True, False):
            right = sum(results[(name, use_prompt, v)]["right"] for v in voices)
            total = sum(results[(name, use_prompt, v)]["commands"] for v in voices)
            edits = sum(results[(name, use_prompt, v)]["edits"] for v in voices)
            words = sum(results[(name, use_prompt, v)]["words"] for v in voices)
            rates[use_prompt] = (right / total, edits / words)
        (on_c, on_w), (off_c, off_w) = rates[True], rates[False]
        lines.append(f"- **{name}**: with the prompt {on_c:.0%} of commands right and a description word error rate of "
                     f"{on_w:.0%}; without it {off_c:.0%} and {off_w:.0%}.")
    return "\n".join(lines)


def write_doc(path: Path, results, misses, models, voices, elapsed: float, settings) -> None:
    import torch

    misses_text = "\n".join(f"| {m} | {'on' if p else 'off'} | {v} | {said} | {heard or '(nothing)'} | {got} |"
                            for m, p, v, said, heard, got in misses)
    styles = list(Catalogue.load(settings).styles())
    path.write_text(f"""# How well voiceart hears

Made by `{' '.join(['.venv/bin/python', 'tools/speech_accuracy.py', *sys.argv[1:]])}` ({elapsed / 60:.0f} minutes on
{platform.machine()} with {settings.threads} thread{'s' if settings.threads != 1 else ''}, torch {torch.__version__}). Do not edit by hand: run it again.

Every utterance is spoken by espeak-ng ({', '.join(voices)}; `+f3` is a female variant), resampled
to 16 kHz with sox, transcribed by openai-whisper running the packaged weights (converted from
CTranslate2 by `voiceart convert-whisper`), greedy, English, with voiceart's gates for silence and
noise, and understood by `voiceart.speech.grammar.parse` with what the session would be expecting
(anything, a style, or a yes/no answer).

- **commands right**: the grammar gave the expected command and argument, out of {len(COMMANDS)} per voice
  (every command word, two numbers, six style names). A right command that comes with a question
  ("Did you mean 'cancel'?") counts as right; **of which sure** counts those that needed no question.
- **description WER**: word error rate of {len(DESCRIPTIONS)} scene descriptions per voice
  (lower case, punctuation dropped); **described**: parsed as a description while one is expected.
- **prompt**: the initial prompt lists every command and the {len(styles)} style names as short
  sentences (`voiceart.speech.grammar.prompt`).

espeak-ng is a formant synthesizer, much harder to hear than a person: these figures are a floor
and a way to compare settings, not what a person will see.

{summary(results, models, voices)}

{table(results, models, voices)}

The converted weights are the packaged ones, unchanged: given the same log-Mel features, the
converted tiny.en and base give the encoder outputs of CTranslate2 (faster-whisper's engine) on the
packaged files to within float32 rounding and the same greedy tokens
(`tests/test_transcribe.py::test_*ctranslate2*`). Latency and memory: `benchmarks/speech.py`.

## What was misheard

| model | prompt | voice | said | Whisper wrote | command |
|---|---|---|---|---|---|
{misses_text}
""")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--voices", nargs="+", default=list(VOICES))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "speech-accuracy.md")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args()
    settings = Settings()
    settings.threads = args.threads
    start = time.perf_counter()
    results, misses = measure(args.models, args.voices, settings)
    elapsed = time.perf_counter() - start
    print(table(results, args.models, args.voices))
    if not args.no_write:
        write_doc(args.output, results, misses, args.models, args.voices, elapsed, settings)
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
