#!/usr/bin/env bash
# Set up everything voiceart needs (the first time takes a few minutes), then run all tests,
# slow ones included. Arguments go to pytest (default: -q), e.g. ./test.sh -m 'not slow'
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
bash tools/setup.sh
(($#)) || set -- -q
exec .venv/bin/python -m pytest "$@"
