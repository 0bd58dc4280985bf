"""benchmarks/gpu_check.sh, the one prepared GPU check, keeps working where no GPU is lent.

Its CPU fallback runs the same steps at tiny sizes; these tests run it as a person would and read
the table it leaves in $OUT.
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import gpu_check  # noqa: E402


def run_check(out: Path, *steps: str) -> tuple[subprocess.CompletedProcess, dict]:
    env = dict(os.environ, OUT=str(out), PYTHON=sys.executable)
    done = subprocess.run([str(ROOT / "benchmarks" / "gpu_check.sh"), "--cpu-fallback", "--steps", *steps],
                          capture_output=True, text=True, env=env, timeout=300)
    return done, json.loads((out / "gpu_check.json").read_text())


def values(report: dict, step: str) -> list:
    return [r["value"] for r in report["rows"] if r["step"] == step]


def test_the_cpu_fallback_measures_style_text_to_image_and_training(tmp_path):
    done, report = run_check(tmp_path, "tests", "style", "dmgan", "train")
    assert done.returncode == 0, done.stdout + done.stderr
    assert report["fallback"] is True
    assert report["status"] == {"tests": "skipped", "style": "ok", "dmgan": "ok", "train": "ok"}
    style = values(report, "style")
    assert all(isinstance(v, float) and v > 0 for v in style[:2])  # images/s, batches of 1 and 2
    assert float(style[2]) <= 1e-3  # the fast path's picture against the plain network's
    assert len(values(report, "dmgan")) == 4 and all(v > 0 for v in values(report, "dmgan"))
    assert values(report, "train")[0] > 0  # it/s
    table = (tmp_path / "gpu_check.md").read_text()
    assert table in done.stdout  # the same table printed and written
    for what in ("style transfer 64 px, batch 1", "DM-GAN bird 256 px", "DM-GAN coco 256 px", "scenes preset training"):
        assert what in table
    assert "random weights of the official shapes" in table or "released weights" in table


@pytest.mark.slow
def test_the_cpu_fallback_measures_whisper_and_the_session(tmp_path):
    done, report = run_check(tmp_path, "whisper", "session")
    assert "failed" not in report["status"].values(), (tmp_path / "gpu_check.md").read_text()
    for step in ("whisper", "session"):
        if report["status"][step] == "ok":
            assert all(v > 0 for v in values(report, step))


def test_training_speed_is_read_from_the_trainers_own_progress_lines():
    """The parser reads what voiceart.text2image.training.Progress prints, so a change there shows here."""
    from voiceart.text2image.training import Progress

    progress = Progress(start=0, total=100, label="DM-GAN ")
    lines = ["DM-GAN: 32 images, batch 4, steps 0 -> 100, cpu, float32, seed 0"]
    for step, elapsed in ((20, 10.0), (60, 18.0), (100, 26.0)):  # 6 s of start-up, then 5 it/s
        progress.t0 = time.perf_counter() - elapsed  # as if the run had taken this long so far
        lines.append(progress.line(step, {"g": 1.0}))
    assert gpu_check._steady_rate(lines) == pytest.approx(5.0, rel=0.02)


def test_the_training_line_says_device_and_precision_on_a_gpu_as_on_a_cpu():
    cuda = ("DM-GAN: 640 images, 461 words, 2 stages up to 128 px, batch 16, 40 steps an epoch, steps 0 -> 120, "
            "cuda, mixed precision (bfloat16), seed 0")
    assert gpu_check.training_header(cuda) == ("16", "cuda", "mixed precision (bfloat16)")
    cpu = "DM-GAN: 16 images, 433 words, 2 stages up to 128 px, batch 4, 4 steps an epoch, steps 0 -> 6, cpu, float32, seed 0"
    assert gpu_check.training_header(cpu) == ("4", "cpu", "float32")


def test_a_step_that_cannot_run_here_is_skipped_with_the_reason():
    with pytest.raises(gpu_check.Skip, match="not installed here: no_such_module_xyz"):
        gpu_check.needs("no_such_module_xyz")
