#!/usr/bin/env bash
# Set up everything voiceart needs (the first time takes a few minutes), then start it.
# Arguments go to voiceart, e.g. ./start.sh --help
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
bash tools/setup.sh
exec .venv/bin/voiceart "$@"
