"""Remake the user guide's screenshots (docs/images/ui-*.png) on a virtual screen.

    .venv/bin/python tools/make_screenshots.py [--out docs/images] [--seed 3]

A real session drives the real window through the app's own stages: the description is "heard",
the text-to-image stage draws it with the shipped scene model (models/dmgan/scenes, 128 px), the
genre stage recommends styles, a style is chosen and the style stage repaints the picture after a
real painting. Keys go through the X server (xdotool), as a keyboard's would. Needs Xvfb and
xdotool (tools/setup.sh installs both); takes about half a minute on one CPU thread.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import tkinter as tk
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voiceart.app.stages import Stages  # noqa: E402
from voiceart.config import Settings  # noqa: E402
from voiceart.session.events import Failed, Heard, Run, Show  # noqa: E402
from voiceart.session.machine import Session  # noqa: E402
from voiceart.vocabulary import Command  # noqa: E402
from voiceart.ui.window import Window  # noqa: E402
from voiceart.ui.xvfb import screenshot, virtual_display  # noqa: E402

SIZE = (1280, 800)
DESCRIPTION = "a red boat on a calm lake at sunset"  # every word is in the scene model's vocabulary
LEVEL = 0.55  # the meter as while someone speaks at a normal distance from the microphone


def settle(root: tk.Tk, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        root.update()
        time.sleep(0.01)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--seed", type=int, default=3, help="the session's seed: which drawing and which paintings come out")
    args = parser.parse_args(argv)
    settings = Settings(threads=int(os.environ.get("VOICEART_THREADS", "1")))
    stages = Stages(settings)
    session = Session(seed=args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    with virtual_display(SIZE) as display:
        root = tk.Tk(screenName=display, className="voiceart")
        window = Window(root, send=lambda heard: None, talk=lambda: None)
        root.geometry(f"{SIZE[0]}x{SIZE[1]}+0+0")  # the whole screen, for the guide

        def act(actions) -> Run | None:
            """Show the session's views; hand back the job it asks for, if any."""
            for action in actions:
                if isinstance(action, Show):
                    window.show(action.view)
            settle(root, 0.05)
            return next((a for a in actions if isinstance(a, Run)), None)

        def shoot(name: str) -> None:
            settle(root)
            path = args.out / f"ui-{name}.png"
            screenshot(root).save(path, optimize=True)
            print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {window.status_label['text']}")

        def keys(*names: str) -> None:
            subprocess.run(["xdotool", "key", "--delay", "30", *names], env={**os.environ, "DISPLAY": display},
                           check=True, timeout=30)

        act(session.start())
        window.talk_button.focus_force()  # what a window manager does for a new window
        draw = act(session.handle(Heard(Command("describe", DESCRIPTION), DESCRIPTION)))
        drawn = stages.run(draw.job)
        if isinstance(drawn, Failed) or drawn.unknown_words:  # a guide picture that does not show its description misleads
            root.destroy()
            print(drawn.message if isinstance(drawn, Failed) else
                  f"The text-to-image model does not know {', '.join(drawn.unknown_words)}; describe the scene in its words.")
            return 1
        act(session.handle(drawn))
        window.set_status("Listening")
        window.set_level(LEVEL)
        shoot("choosing")

        stylize = act(session.handle(Heard(Command("choose", "3"), "number three")))
        act(session.handle(stages.run(stylize.job)))
        window.set_status("Speaking")
        window.set_level(0.0)
        shoot("styled")

        again = act(session.handle(Heard(Command("again"), "again")))  # the third screenshot: while it repaints
        window.set_status("Listening")
        for _ in range(20):  # the keyboard alone: Tab to "Save", and its tooltip shows
            if root.focus_get() is window.buttons["save"]:
                break
            keys("Tab")
            settle(root, 0.05)
        shoot("keyboard")
        act(session.handle(stages.run(again.job)))
        root.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
