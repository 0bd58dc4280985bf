"""No display: the session in the terminal. Each change of the view is printed as lines, and each
typed line is an utterance, read by the same grammar as speech (so "number two", "save" and
"a lighthouse at night" work as said)."""
from __future__ import annotations

import sys
import threading
from typing import Callable, TextIO

from voiceart.session.events import View


def view_lines(before: View | None, view: View) -> list[str]:
    """What changed between two views, as lines to print (what was heard and said is printed as it happens)."""
    lines = []
    if before is None or view.state != before.state:
        lines.append(f"[{view.state.value}]")
    if view.busy and (before is None or view.busy != before.busy):
        lines.append(f"... {view.busy}")
    picture = view.picture
    if picture is not None and (before is None or before.picture is None or before.picture.number != picture.number):
        if picture.style:
            lines.append(f"picture {picture.number}: \"{picture.description}\" in {picture.style} after "
                         f"{picture.painting_credit}, strength {picture.strength:g}")
        else:
            lines.append(f"picture {picture.number}: \"{picture.description}\" as drawn")
    if view.styles and (before is None or view.styles != before.styles):
        lines.append("choose: " + "   ".join(f"{i}. {style}" for i, style in enumerate(view.styles, 1)))
    return lines


class TerminalOutput:
    """Prints view changes and what happens, one line each, from whichever thread."""

    def __init__(self, stream: TextIO | None = None, details: bool = True, stamp: Callable[[], str] | None = None):
        self.stream = stream or sys.stdout
        self.details = details  # also the steps (jobs, files, timings), not only what is said and shown
        self.stamp = stamp  # a prefix for every line (the demo's timings)
        self._last: View | None = None
        self._lock = threading.Lock()

    def _print(self, lines: list[str]) -> None:
        prefix = self.stamp() if self.stamp is not None else ""
        with self._lock:
            for line in lines:
                print(prefix + line, file=self.stream, flush=True)

    def show(self, view: View) -> None:
        with self._lock:
            before, self._last = self._last, view
        self._print(view_lines(before, view))

    def note(self, line: str) -> None:
        if self.details or line.startswith(("says:", "heard")):
            self._print([f"  {line}"])

    def status(self, text: str) -> None:
        pass  # the terminal shows steps as notes; a status line would only repeat them

    def level(self, value: float) -> None:
        pass


PROMPT = "Type what you would say (\"what can I say\" lists it); \"quit\" or Ctrl-D ends."


def read_commands(app, stdin: TextIO | None = None) -> bool:
    """Feed each typed line to the app until end of input (False) or "quit" (True). Lines piped in (not
    typed) wait for the previous one's work to finish, so a script of commands runs as a person would say it."""
    stdin = stdin or sys.stdin
    if hasattr(stdin, "reconfigure"):
        stdin.reconfigure(errors="surrogateescape")  # bytes that are not UTF-8 are mended by app.hear, not fatal
    scripted = not stdin.isatty()
    for line in stdin:
        text = line.strip()
        if text.lower() in ("quit", "exit"):
            return True
        app.hear(text)
        if scripted:
            app.wait_idle()
    return False
