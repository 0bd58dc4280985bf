"""Training past one machine: `voiceart train damsm|dmgan` under torchrun, two CPU processes (gloo),
share each batch, write one set of files, and go on from a checkpoint as a single process does."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from voiceart.text2image.data import EpochBatches
from voiceart.text2image.training import Cluster


def test_each_process_takes_its_own_share_of_the_same_batches():
    alone = list(EpochBatches(40, 8, seed=3, start_step=2, steps=6))
    ranks = [list(EpochBatches(40, 8, seed=3, start_step=2, steps=6, rank=r, world=2)) for r in (0, 1)]
    for batch, first, second in zip(alone, *ranks):
        assert len(first) == len(second) == 4 and not set(first) & set(second)
        assert sorted(first + second) == sorted(batch)


def test_a_batch_that_cannot_be_shared_out_is_one_sentence():
    from voiceart.errors import VoiceartError

    assert Cluster(0, 2).share(16) == 8 and Cluster().share(16) == 16
    with pytest.raises(VoiceartError, match="A batch of 6 cannot be shared out among 4 processes"):
        Cluster(0, 4).share(6)


def _torchrun(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "VOICEART_CACHE": str(cwd / "cache")}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
               "-m", "voiceart", "--device", "cpu", "--threads", "1", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def _steps(log: Path) -> list[int]:
    with open(log, newline="") as f:
        return [int(row["step"]) for row in csv.DictReader(f)]


@pytest.mark.slow
def test_damsm_and_dmgan_train_on_two_processes_and_go_on_from_their_checkpoints(tmp_path):
    from voiceart.text2image.shapes import make_shapes

    data = make_shapes(tmp_path / "shapes", n=24, size=76, seed=0)
    damsm, gan = tmp_path / "damsm", tmp_path / "gan"
    run = _torchrun(["train", "damsm", str(data), "-o", str(damsm), "--steps", "3", "--batch-size", "8"], tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("batch 8 shared by 2 processes") == 1 and run.stdout.count("Done: step 3 of 3") == 1
    assert _steps(damsm / "damsm_log.csv") == [1, 2, 3]  # one log, written by rank 0
    for name in ("text_encoder.pth", "image_encoder.pth", "captions.pickle"):
        assert (damsm / name).is_file()

    common = ["train", "dmgan", str(data), "--damsm", str(damsm), "-o", str(gan), "--batch-size", "4", "--sample-every", "2"]
    run = _torchrun([*common, "--steps", "2"], tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("Done: step 2 of 2") == 1
    first = torch.load(gan / "netG.pth", weights_only=True)
    run = _torchrun([*common, "--steps", "3"], tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Going on from step 2" in run.stdout and run.stdout.count("Done: step 3 of 3") == 1
    assert _steps(gan / "dmgan_log.csv") == [1, 2, 3]
    state = torch.load(gan / "dmgan_state.pt", weights_only=True)
    assert state["step"] == 3 and (gan / "samples" / "step0000002.png").is_file()
    # the third step changed the generator that the first two left
    after = torch.load(gan / "netG.pth", weights_only=True)
    assert any(not torch.equal(first[k], after[k]) for k in first)
