"""A virtual screen (Xvfb) for checking the window and taking its screenshots without a monitor."""
from __future__ import annotations

import contextlib
import os
import select
import shutil
import subprocess
import tkinter as tk
from typing import Iterator

from PIL import Image, ImageGrab

from voiceart.errors import VoiceartError


@contextlib.contextmanager
def virtual_display(size: tuple[int, int] = (1280, 800), timeout: float = 10.0) -> Iterator[str]:
    """Start Xvfb on a free display and yield its name (":N"); it stops on exit."""
    if shutil.which("Xvfb") is None:
        raise VoiceartError("Xvfb is not installed (sudo apt-get install xvfb); it gives the window a virtual screen.")
    read, write = os.pipe()
    # -displayfd: Xvfb picks a free display itself and writes its number, then a newline, when ready.
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", f"{size[0]}x{size[1]}x24",
                               "-nolisten", "tcp"], pass_fds=(write,), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    os.close(write)
    answer = b""
    try:
        while not answer.endswith(b"\n") and select.select([read], [], [], timeout)[0]:
            chunk = os.read(read, 16)
            if not chunk:
                break
            answer += chunk
    finally:
        os.close(read)  # only after the newline: closing early makes Xvfb fail writing it
    try:
        if not answer.endswith(b"\n"):
            raise VoiceartError(f"Xvfb did not start within {timeout:g} seconds.")
        yield f":{answer.decode().strip()}"
    finally:
        server.terminate()
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def screenshot(widget: tk.Misc) -> Image.Image:
    """What ``widget`` looks like on its screen right now, read back from the X server."""
    widget.update()
    x, y = widget.winfo_rootx(), widget.winfo_rooty()
    screen = ImageGrab.grab(xdisplay=widget.winfo_screen())
    return screen.crop((x, y, x + widget.winfo_width(), y + widget.winfo_height())).convert("RGB")
