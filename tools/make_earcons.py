#!/usr/bin/env python3
"""Write voiceart's earcons (listening, heard, working, done, error) to sounds/*.wav.

The tones are synthesized with numpy by voiceart.speech.earcons (deterministic: running this
again writes the same bytes). Usage: .venv/bin/python tools/make_earcons.py [FOLDER]
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voiceart.speech import earcons  # noqa: E402


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else earcons.SOUNDS_DIR
    for path in earcons.write_all(folder):
        audio, rate = earcons.load(path.stem) if folder == earcons.SOUNDS_DIR else (earcons.synthesize(path.stem), earcons.RATE)
        print(f"{path}: {len(audio) / rate:.2f} s, {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
