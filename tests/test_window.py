"""The window on a virtual screen (Xvfb): what a person sees in a screenshot, and what keys,
buttons and worker threads do. Only the display is virtual: keys go through the X server
(xdotool), and the views come from the real session, with sample photos as its pictures."""
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

tk = pytest.importorskip("tkinter")
pytest.importorskip("tktooltip")

from voiceart.session.events import Drawn, Heard, Run, State, Stylized, View  # noqa: E402
from voiceart.session.keys import KEYS, label  # noqa: E402
from voiceart.session.machine import Session  # noqa: E402
from voiceart.vocabulary import SPOKEN, Command  # noqa: E402
from voiceart.ui import theme  # noqa: E402
from voiceart.ui.controls import TALK  # noqa: E402
from voiceart.ui.picture import fit_size, fitted, strip_window  # noqa: E402
from voiceart.ui.window import Window, status_text  # noqa: E402
from voiceart.ui.xvfb import screenshot, virtual_display  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "voiceart" / "samples"
HEARD = "an astronaut in a white suit"
STYLES = ("Impressionism", "Baroque", "Romanticism")
PHOTOS = [Image.open(SAMPLES / f"{name}.jpg").convert("RGB") for name in ("astronaut", "chelsea", "coffee")]


def play(styled: int = 0, undos: int = 0, session: Session | None = None) -> Session:
    """A real session: a description drawn, style 2 chosen, then "again" until ``styled`` pictures
    are styled, then ``undos`` undos. Sample photos stand in for what the stages would make."""
    session = session or Session(seed=1)
    session.start()

    def job(actions):
        return next(a.job for a in actions if isinstance(a, Run))

    draw = job(session.handle(Heard(Command("describe", HEARD), HEARD)))
    session.handle(Drawn(draw.job, PHOTOS[0], (), "portrait", STYLES, "This looks like a portrait."))
    for n in range(styled):
        stylize = job(session.handle(Heard(Command("choose", "2") if n == 0 else Command("again"))))
        session.handle(Stylized(stylize.job, PHOTOS[1 + n % 2], stylize.style, f"met-{n}",
                                f"Painting {n} by a Painter, 1888", "CC0"))
    for _ in range(undos):
        session.handle(Heard(Command("undo")))
    return session


@pytest.fixture(scope="module")
def display():
    if not (shutil.which("Xvfb") and shutil.which("xdotool")):
        pytest.skip("Xvfb and xdotool are needed for the window tests (tools/setup.sh installs them)")
    with virtual_display((1280, 800)) as name:
        yield name


def until(root, condition, timeout: float = 3.0) -> bool:
    """Let Tk run until ``condition()`` holds; False after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        root.update()
        if condition():
            return True
        time.sleep(0.005)
    return False


class UI:
    def __init__(self, display: str, view: View):
        self.display = display
        self.root = tk.Tk(screenName=display)
        self.sent: list[Heard] = []
        self.talks: list[bool] = []
        self.window = Window(self.root, self.sent.append, lambda: self.talks.append(True))
        self.root.geometry("+0+0")
        self.window.show(view)
        until(self.root, lambda: self.root.winfo_ismapped() and self.window.canvas.winfo_width() > 1, 5)
        self.window.talk_button.focus_force()  # what a window manager does for a new window
        assert until(self.root, lambda: self.root.focus_get() is self.window.talk_button)

    def keys(self, *names: str) -> None:
        """Type keys into the focused window through the X server, as a keyboard would."""
        subprocess.run(["xdotool", "key", "--delay", "1", *names], env={**os.environ, "DISPLAY": self.display},
                       check=True, timeout=10)

    def screenshot(self, widget) -> np.ndarray:
        return np.asarray(screenshot(widget), dtype=np.float32)


@pytest.fixture
def ui(display):
    made = UI(display, play(styled=2, undos=1).view)  # three pictures, the second one current
    yield made
    made.root.destroy()


def test_the_picture_fills_its_area_and_the_heard_text_is_shown(ui):
    window = ui.window
    picture = window._view.picture
    assert picture.number == 2
    canvas = ui.screenshot(window.canvas)
    x0, y0, x1, y1 = window.canvas.bbox(window.picture_item)
    drawn = canvas[y0:y1, x0:x1]
    assert drawn.std() > 30, "the picture area is blank"
    expected = np.asarray(fitted(picture.image, (x1 - x0, y1 - y0)), dtype=np.float32)
    assert drawn.shape == expected.shape
    assert np.abs(drawn - expected).mean() < 4, "the screen does not show the current picture"
    # most of the 1280 x 800 screen, the picture large in it, aspect kept
    assert ui.root.winfo_width() >= 1100 and ui.root.winfo_height() >= 700
    width, height = picture.image.size
    assert y1 - y0 > 400 and abs((x1 - x0) / (y1 - y0) - width / height) < 0.02
    assert "Picture 2" in window.caption_label["text"] and "Baroque" in window.caption_label["text"]

    assert HEARD in window.heard_label["text"]
    text = ui.screenshot(window.heard_label)
    assert text.std() > 20 and (text > 200).any() and (text < 40).any(), "the heard text is not drawn"
    assert window.fonts["heard"].metrics("linespace") >= 30  # large type


def test_every_key_of_the_session_sends_its_command(ui):
    keys = list(KEYS)
    ui.keys(*keys)
    assert until(ui.root, lambda: len(ui.sent) >= len(keys))
    assert ui.sent == [Heard(KEYS[k]) for k in keys]
    assert Heard(Command("choose", "2")) in ui.sent and Heard(Command("again")) in ui.sent
    ui.sent.clear()
    ui.keys("shift+a")  # Caps Lock or Shift: still "again"
    assert until(ui.root, lambda: ui.sent == [Heard(Command("again"))])
    assert ui.talks == []


def test_space_is_push_to_talk_and_the_keyboard_alone_reaches_every_button(ui):
    window = ui.window
    ui.keys("space")
    assert until(ui.root, lambda: ui.talks == [True])
    assert ui.sent == []

    # Tab visits every usable button once, in order, with a bright ring around the focused one.
    usable = [b for b in [window.talk_button, *window.style_buttons, *window.buttons.values()]
              if b["state"] != "disabled"]
    assert window.buttons["again"] in usable and window.buttons["redo"] in usable  # after one undo
    visited = []
    for _ in range(len(set(usable))):
        ui.keys("Tab")
        assert until(ui.root, lambda: ui.root.focus_get() not in (visited[-1:] or [window.talk_button]))
        visited.append(ui.root.focus_get())
    assert visited[-1] is window.talk_button
    assert set(visited) == set(usable)

    ui.keys("Tab")
    assert until(ui.root, lambda: ui.root.focus_get() is window.style_buttons[0])
    ring = ui.screenshot(window.style_buttons[0])
    accent = np.array(Image.new("RGB", (1, 1), theme.ACCENT).getpixel((0, 0)), dtype=np.float32)
    edge = np.concatenate([ring[:theme.FOCUS_RING].reshape(-1, 3), ring[-theme.FOCUS_RING:].reshape(-1, 3)])
    assert (np.abs(edge - accent).sum(axis=1) < 30).mean() > 0.9, "the focused button has no visible ring"
    assert until(ui.root, window.tooltips["choose 1"].winfo_ismapped), "Tab shows the focused button's tooltip"

    ui.keys("Return")  # Enter presses the focused button: style 1
    assert until(ui.root, lambda: ui.sent == [Heard(Command("choose", "1"))])
    ui.keys("Tab", "Tab", "Tab", "space")  # Space on a focused button presses it rather than talking
    assert until(ui.root, lambda: len(ui.sent) == 2)
    assert ui.sent[-1] == Heard(Command("again")) and ui.talks == [True]


def test_every_button_has_a_tooltip_with_its_voice_command_and_key(ui):
    window = ui.window
    keys = {command: key for key, command in reversed(KEYS.items())}  # the first key of each command
    for name, button in window.buttons.items():
        tip = window.tooltips[name].msg
        if name == TALK:
            assert "Space" in tip and "speak" in tip and "Space" in button["text"]
            continue
        assert f"\u201c{SPOKEN[name]}\u201d" in tip, (name, tip)
        assert f"press {label(keys[Command(name)])}" in tip and f"({label(keys[Command(name)])})" in button["text"]
    for number, style in enumerate(STYLES, start=1):
        tip = window.tooltips[f"choose {number}"].msg
        assert style in tip and f"number {number}" in tip and f"press {number}" in tip

    # The tooltip appears when the pointer rests on a button.
    save = window.buttons["save"]
    tooltip = window.tooltips["save"]
    x, y = save.winfo_rootx() + save.winfo_width() // 2, save.winfo_rooty() + save.winfo_height() // 2
    subprocess.run(["xdotool", "mousemove", str(x), str(y)], env={**os.environ, "DISPLAY": ui.display}, check=True)
    assert until(ui.root, tooltip.winfo_ismapped, 3)
    assert tooltip.msg_var.get() == "Say \u201csave\u201d or press S"


def test_worker_threads_change_the_window_only_through_the_tk_thread(ui):
    window = ui.window
    session = play(styled=1)
    session.handle(Heard(Command("style", "Romanticism"), "romanticism"))
    later = session.view
    assert later.busy

    def worker():
        window.set_level(0.7)
        window.set_status("Speaking")
        window.post(lambda: window.show(later))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert until(ui.root, lambda: later.busy in window.status_label["text"])
    assert window.status_label["text"].startswith(window_spinner := window.status_label["text"][0])
    assert "Speaking" in window.status_label["text"] and "romanticism" in window.heard_label["text"]
    assert window.meter.level == pytest.approx(0.7)
    assert until(ui.root, lambda: window.status_label["text"][0] != window_spinner, 1), "the busy sign does not move"

    errors = []
    thread = threading.Thread(target=lambda: errors.append(pytest.raises(RuntimeError, window.show, later)))
    thread.start()
    thread.join()
    assert errors and "post" in str(errors[0].value)


def test_the_strip_marks_the_current_picture_and_keeps_it_in_view(ui):
    window = ui.window
    assert len(window.thumbnails) == 3
    marked = [cell for cell in window.thumbnails if cell["highlightbackground"] == theme.ACCENT]
    assert marked == [window.thumbnails[1]]
    assert "now" in marked[0].winfo_children()[1]["text"]

    window.show(play(styled=11, undos=9).view)  # twelve pictures, the third one current
    ui.root.update()
    captions = [cell.winfo_children()[1]["text"] for cell in window.thumbnails]
    assert len(captions) == 8 and "\u25b6 3 now" in captions


def test_buttons_for_commands_the_session_cannot_take_now_are_dimmed(display):
    ui = UI(display, play().view)  # the drawing is shown, no style chosen yet: nothing to undo
    try:
        window = ui.window
        assert window.buttons["undo"]["state"] == "disabled" and window.buttons["again"]["state"] == "normal"
        assert window.buttons["help"]["state"] == "normal" and window.buttons[TALK]["state"] == "normal"
        ui.keys("u")  # the key still sends: the session answers it with a sentence rather than silence
        assert until(ui.root, lambda: ui.sent == [Heard(Command("undo"))])
        asleep = Session(asleep=True)
        asleep.start()
        window.show(asleep.view)
        assert "wake up" in window.status_label["text"] and "press W" in window.status_label["text"]
        assert all(b["state"] == "disabled" for name, b in window.buttons.items() if name != TALK)
    finally:
        ui.root.destroy()


def test_the_picture_is_refitted_when_the_window_changes_size(ui):
    window = ui.window
    ui.root.geometry("900x620")
    assert until(ui.root, lambda: window.canvas.winfo_width() < 700)
    until(ui.root, lambda: False, 0.1)
    x0, y0, x1, y1 = window.canvas.bbox(window.picture_item)
    assert x1 - x0 <= window.canvas.winfo_width() and y1 - y0 <= window.canvas.winfo_height()
    width, height = window._view.picture.image.size
    assert abs((x1 - x0) / (y1 - y0) - width / height) < 0.02


def test_fit_strip_and_status_text():
    assert fit_size((451, 300), (900, 900)) == (900, 599)  # scaled up, aspect kept
    assert fit_size((1000, 2000), (300, 300)) == (150, 300)
    assert list(strip_window(3, 1, 8)) == [0, 1, 2]
    assert list(strip_window(12, None, 8)) == list(range(4, 12))
    assert 1 in strip_window(12, 1, 8) and len(strip_window(12, 1, 8)) == 8
    assert status_text("listening", View(State.CHOOSING)) == "Listening \u00b7 choosing a style"
    assert status_text("", View(State.DRAWING, busy="Drawing a cat ...")) == "Drawing a cat ..."


def test_a_failing_callback_is_one_sentence_and_the_window_goes_on(ui, capsys):
    """A bug in a key, button or posted callback must not print a traceback over the person's terminal
    nor stop the window: it is said in one sentence and the next callback runs."""
    ran = []

    def broken():
        raise ValueError("the picture is gone")

    ui.window.post(broken)
    ui.window.post(lambda: ran.append(True))
    assert until(ui.root, lambda: ran)
    ui.root.bind("<<Broken>>", lambda event: broken())
    ui.root.event_generate("<<Broken>>")
    until(ui.root, lambda: False, 0.2)
    err = capsys.readouterr().err
    assert err.count("voiceart: The window") == 2 and "the picture is gone" in err and "Traceback" not in err
    ui.window.post(lambda: ran.append(True))
    assert until(ui.root, lambda: len(ran) == 2)
