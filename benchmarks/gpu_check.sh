#!/usr/bin/env bash
# One prepared check of voiceart on a CUDA machine, in under 8 minutes: the CUDA tests, then style
# transfer images/s at 512 px (batches of 1 and 16), DM-GAN ms per 256 px picture (bird, coco), a short
# mixed-precision training run of the scenes preset, Whisper base latency and the session's waits.
# Prints a table and writes it to $OUT/gpu_check.md (figures in $OUT/gpu_check.json, logs beside them).
# Without a GPU it runs the CPU fallback (tiny sizes, few repeats); tests/test_gpu_check.py runs that.
#
#   OUT=/some/dir benchmarks/gpu_check.sh [--cpu-fallback] [--steps tests style dmgan train whisper session]
#
# The interpreter: $PYTHON, else the project's .venv, else python3 (a GPU machine's own PyTorch). The
# repository goes on PYTHONPATH, so voiceart need not be installed there. DMGAN_OFFICIAL=PATH (the
# official DM-GAN code) adds its timings beside voiceart's.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -n "${PYTHON:-}" ]; then PY=$PYTHON
elif [ -x .venv/bin/python ]; then PY=.venv/bin/python
else PY=python3
fi
# Python packages the machine lacks (a lent GPU machine has PyTorch but not, say, platformdirs) can travel
# as wheels in .whl/ (see docs/gpu.md); they are installed beside the interpreter's own, never over them.
if compgen -G ".whl/*.whl" >/dev/null; then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/gpu-check-site .whl/*.whl \
        && export PYTHONPATH="/tmp/gpu-check-site${PYTHONPATH:+:$PYTHONPATH}"
fi
export OUT=${OUT:-$(mktemp -d -t gpu-check-XXXXXX)}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
mkdir -p "$OUT"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT/gpu_check_nvidia.txt"
# Every step has its own limit inside; this one only guards the whole run (8 minutes).
timeout 475 "$PY" benchmarks/gpu_check.py --out "$OUT" "$@"
