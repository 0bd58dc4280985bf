"""The newcomer commands: ./start.sh, ./test.sh, .ci/run and tools/setup.sh.

Fast: the scripts parse, and tools/setup.sh's own logic runs for real on a copy of the set-up
files in a folder whose path has a space, with a stand-in .venv whose ``python -m pip`` only
records its calls (every other use of that python goes to the real interpreter). The system
packages stage is switched off (VOICEART_SETUP_SYSTEM=0): it would call apt-get.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ["start.sh", "test.sh", "tools/setup.sh", ".ci/run"]

FAKE_PYTHON = """#!/usr/bin/env bash
# Stand-in for .venv/bin/python: records pip calls, runs everything else on the real Python.
bin="$(dirname "$0")"
if [[ "$1" == -m && "$2" == pip ]]; then
    printf '%s\\n' "$*" >>"$bin/pip-calls"
    if [[ -n "${FAKE_PIP_ERROR:-}" ]]; then printf 'ERROR: %s\\n' "$FAKE_PIP_ERROR"; exit 1; fi
    printf '#!/bin/sh\\n' >"$bin/voiceart"; chmod +x "$bin/voiceart"
    exit 0
fi
exec REAL_PYTHON "$@"
"""


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_parses(script):
    result = subprocess.run(["bash", "-n", str(ROOT / script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("script", ["start.sh", "test.sh"])
def test_newcomer_commands_are_executable(script):
    assert os.access(ROOT / script, os.X_OK), f"chmod +x {script} (and commit the mode)"


def test_ci_runs_exactly_test_sh():
    lines = [ln.strip() for ln in (ROOT / ".ci/run").read_text().splitlines()]
    assert "exec ./test.sh" in lines


@pytest.fixture
def repo(tmp_path):
    """A copy of the set-up files with a stand-in .venv, in a path with a space."""
    repo = tmp_path / "my repo"
    (repo / "tools").mkdir(parents=True)
    shutil.copy2(ROOT / "tools/setup.sh", repo / "tools/setup.sh")
    for name in ("pyproject.toml", "constraints.txt"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, repo / name)
    venv_bin = repo / ".venv/bin"
    venv_bin.mkdir(parents=True)
    fake = venv_bin / "python"
    fake.write_text(FAKE_PYTHON.replace("REAL_PYTHON", f"'{sys.executable}'"))
    fake.chmod(0o755)
    return repo


def run_setup(repo: Path, cwd: Path, **env) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "PYTHON"}
    full_env.update(VOICEART_SETUP_SYSTEM="0", **env)
    return subprocess.run(["bash", str(repo / "tools/setup.sh")], cwd=cwd, env=full_env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)


def pip_calls(repo: Path) -> list[str]:
    calls = repo / ".venv/bin/pip-calls"
    return calls.read_text().splitlines() if calls.exists() else []


def test_second_run_is_up_to_date_and_fast(repo, tmp_path):
    first = run_setup(repo, cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "installing Python packages" in first.stdout
    (call,) = pip_calls(repo)
    assert call.endswith("-e .[dev]") and ("-c constraints.txt" in call) == (repo / "constraints.txt").exists()
    assert (repo / ".venv/.setup-stamp").read_text().strip()

    start = time.monotonic()
    second = run_setup(repo, cwd=tmp_path)
    elapsed = time.monotonic() - start
    assert second.returncode == 0, second.stdout + second.stderr
    assert "up to date" in second.stdout
    assert len(pip_calls(repo)) == 1, "the second run must not call pip"
    assert elapsed < 10, f"second run took {elapsed:.1f} s"

    with open(repo / "pyproject.toml", "a") as f:
        f.write("\n# changed\n")
    third = run_setup(repo, cwd=tmp_path)
    assert third.returncode == 0, third.stdout + third.stderr
    assert len(pip_calls(repo)) == 2, "a changed pyproject.toml must run pip again"


def test_pip_network_failure_is_explained_and_retried(repo, tmp_path):
    failed = run_setup(repo, cwd=tmp_path, FAKE_PIP_ERROR="Temporary failure in name resolution")
    assert failed.returncode != 0
    assert "could not reach the package index" in failed.stderr
    assert not (repo / ".venv/.setup-stamp").exists()

    retried = run_setup(repo, cwd=tmp_path)
    assert retried.returncode == 0, retried.stdout + retried.stderr
    assert len(pip_calls(repo)) == 2 and (repo / ".venv/.setup-stamp").exists()


def test_missing_python_is_one_clear_sentence(repo, tmp_path):
    shutil.rmtree(repo / ".venv")
    result = run_setup(repo, cwd=tmp_path, PYTHON="no-such-python3")
    assert result.returncode != 0
    assert "FAILED: no 'no-such-python3' found" in result.stderr
    assert not (repo / ".venv").exists()
