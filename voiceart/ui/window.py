"""The window: draws the session's View, sends the same Heard commands a voice would.

It does no model work and never blocks: worker threads hand it work through :meth:`Window.post`
(a queue the Tk thread polls), and :meth:`Window.set_level` / :meth:`Window.set_status` are safe
from any thread. Every button is a command with a key and a tooltip naming both; Tab walks the
buttons, Enter or Space presses the focused one, and the session's keys work from anywhere.
"""
from __future__ import annotations

import itertools
import queue
import sys
import threading
import tkinter as tk
from typing import Callable

from PIL import ImageTk
from tktooltip import ToolTip
from tktooltip.tooltip import ToolTipStatus

from voiceart.errors import report
from voiceart.session.events import Heard, Picture, State, View
from voiceart.session.keys import KEYS, PUSH_TO_TALK, key_for, label
from voiceart.vocabulary import SPOKEN
from voiceart.ui import theme
from voiceart.ui.controls import TALK, Control, choice_control, command_controls, talk_control
from voiceart.ui.meter import Meter
from voiceart.ui.picture import fitted, strip_window

MIN_SIZE = (800, 560)
POLL_MS = 30  # how often the Tk thread takes posted work and redraws the meter
SPIN_EVERY = 8  # polls per step of the busy indicator (about four steps a second)
SPINNER = "\u25d0\u25d3\u25d1\u25d2"
STRIP_SLOTS = 8  # thumbnails shown at once
THUMB = (112, 84)
TOOLTIP_DELAY = 0.4  # seconds the pointer rests on a button before its tooltip shows


def status_text(activity: str, view: View) -> str:
    """The status line: what the sound side is doing (listening, thinking, speaking) and where the
    session is (its busy text while a job runs)."""
    if view.state is State.ASLEEP:
        wake = key_for("wake")
        session = f"asleep: say \u201c{SPOKEN['wake']}\u201d" + (f" or press {label(wake)}" if wake else "")
    else:
        session = view.busy or view.state.value
    parts = [p for p in (activity.strip(), session) if p]
    text = " \u00b7 ".join(parts)
    return text[:1].upper() + text[1:]


def caption(picture: Picture | None) -> str:
    """One line under the picture: its number, what was said, and the painting it follows."""
    if picture is None:
        return ""
    text = f"Picture {picture.number}: {picture.description}"
    if picture.style:
        text += f" \u2014 {picture.style}"
        if picture.painting_credit:
            text += f", after {picture.painting_credit}"
        if picture.strength is not None:
            text += f", strength {picture.strength:g}"
    return text


class Window:
    """The voiceart window inside ``root``; ``send`` gets a Heard for every key and button,
    ``talk`` (push to talk) is called on Space and the Talk button (disabled when None).

    ``show(view)`` runs on the Tk thread; ``post(fn)``, ``set_level(value)`` and ``set_status(text)``
    are safe from any thread.
    """

    def __init__(self, root: tk.Tk, send: Callable[[Heard], None], talk: Callable[[], None] | None = None):
        self.root = root
        self._send = send
        self._talk = talk
        self._tk_thread = threading.get_ident()
        self._posted: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._level = 0.0  # set by any thread (a float assignment is atomic), read by the poll
        self._activity = ""
        self._view = View(State.DESCRIBING)
        self._ticks = itertools.count()
        self._tabbing = False  # the next focus change comes from Tab: show that button's tooltip
        self._spin = 0
        self._drawn: tuple[int, tuple[int, int]] | None = None  # (id of the image, box) on the canvas
        self._photo: ImageTk.PhotoImage | None = None
        self._draw_id: str | None = None  # a redraw of the picture waiting for Tk to be idle
        self._thumbs: dict[int, tuple[Picture, ImageTk.PhotoImage]] = {}
        self._strip_shown: tuple | None = None
        self.thumbnails: list[tk.Frame] = []  # the strip's cells, oldest first
        self.fonts = theme.fonts(root)
        self.tooltips: dict[str, ToolTip] = {}

        # A failing key, button or posted callback is one sentence, as everywhere else (Tk would print a
        # traceback), and the window goes on.
        root.report_callback_exception = lambda kind, exc, tb: report(exc, "The window")
        root.title("voiceart")
        root.configure(bg=theme.BACKGROUND)
        root.minsize(*MIN_SIZE)
        # The whole screen (a window manager fits it between its panels): the picture is the point,
        # and the type is large.
        root.geometry(f"{max(MIN_SIZE[0], root.winfo_screenwidth())}x{max(MIN_SIZE[1], root.winfo_screenheight())}")
        root.columnconfigure(0, weight=1)
        root.rowconfigure(3, weight=1)
        self._build_top()
        self._build_body()
        self._bind_keys()
        root.bind("<Configure>", self._on_resize, add="+")
        self.show(self._view)
        (self.talk_button if talk else self.buttons["again"]).focus_set()
        self._poll_id = root.after(POLL_MS, self._poll)
        root.bind("<Destroy>", self._on_destroy, add="+")

    # --- building -------------------------------------------------------------------------------

    def _label(self, master: tk.Misc, font: str, fg: str = theme.TEXT, **options) -> tk.Label:
        return tk.Label(master, font=self.fonts[font], fg=fg, **{"bg": theme.BACKGROUND, "anchor": "w",
                                                                 "justify": "left", "takefocus": 0, **options})

    def _button(self, master: tk.Misc, control: Control, action: Callable[[], None]) -> tk.Button:
        button = tk.Button(master, text=control.label, command=action, anchor="w",
                           **theme.button_options(self.fonts["button"]))
        tip = ToolTip(button, msg=control.tip, delay=TOOLTIP_DELAY, font=self.fonts["small"], bg=theme.TEXT,
                      fg=theme.BACKGROUND, parent_kwargs={"bg": theme.ACCENT, "padx": 2, "pady": 2})
        self.tooltips[control.name] = tip
        button.bind("<FocusIn>", lambda _e: self._tip_on_focus(button, tip), add="+")
        button.bind("<FocusOut>", tip.on_leave, add="+")
        return button

    def _tip_on_focus(self, button: tk.Button, tip: ToolTip) -> None:
        """A button reached with Tab shows its tooltip below it, as the pointer would: keyboard users
        learn the words to say too."""
        if not self._tabbing:
            return
        self._tabbing = False
        tip.geometry(f"+{button.winfo_rootx()}+{button.winfo_rooty() + button.winfo_height() + 2}")
        tip.deiconify()
        tip.lift()

    def _build_top(self) -> None:
        top = tk.Frame(self.root, bg=theme.BACKGROUND, padx=16, pady=10)
        top.grid(row=0, column=0, sticky="ew")
        top.columnconfigure(0, weight=1)
        self.status_label = self._label(top, "status")
        self.status_label.grid(row=0, column=0, sticky="w")
        self._label(top, "small", fg=theme.MUTED, text="Microphone").grid(row=0, column=1, padx=(12, 6))
        self.meter = Meter(top)
        self.meter.grid(row=0, column=2, padx=(0, 16))
        control = talk_control()
        self.talk_button = self._button(top, control, self._press_talk)
        self.talk_button.grid(row=0, column=3)
        if self._talk is None:
            self.talk_button.configure(state="disabled")
        self.heard_label = self._label(self.root, "heard", padx=16)
        self.heard_label.grid(row=1, column=0, sticky="ew")
        self.message_label = self._label(self.root, "body", fg=theme.MUTED, padx=16, pady=4)
        self.message_label.grid(row=2, column=0, sticky="ew")

    def _build_body(self) -> None:
        body = tk.Frame(self.root, bg=theme.BACKGROUND, padx=16, pady=8)
        body.grid(row=3, column=0, sticky="nsew")
        body.columnconfigure(0, weight=1)
        body.rowconfigure(0, weight=1)
        self.canvas = tk.Canvas(body, bg=theme.PANEL, highlightthickness=0, bd=0, takefocus=0)
        self.canvas.grid(row=0, column=0, sticky="nsew")
        self.picture_item = self.canvas.create_image(0, 0, anchor="center")
        self.placeholder_item = self.canvas.create_text(0, 0, fill=theme.MUTED, font=self.fonts["body"],
                                                        text="No picture yet: describe a scene")
        self.canvas.bind("<Configure>", self._on_canvas_resize)
        self.caption_label = self._label(body, "small", fg=theme.MUTED, pady=4, wraplength=700)
        self.caption_label.grid(row=1, column=0, sticky="ew")
        self.strip = tk.Frame(body, bg=theme.BACKGROUND, height=THUMB[1] + 40)
        self.strip.grid(row=2, column=0, sticky="ew")

        side = tk.Frame(body, bg=theme.BACKGROUND, padx=16)
        side.grid(row=0, column=1, rowspan=3, sticky="ns")
        self._label(side, "body", text="Styles").grid(row=0, column=0, sticky="w")
        self.styles_frame = tk.Frame(side, bg=theme.BACKGROUND)
        self.styles_frame.grid(row=1, column=0, sticky="ew", pady=(4, 16))
        self.style_buttons: list[tk.Button] = []
        self.no_styles_label = self._label(self.styles_frame, "small", fg=theme.MUTED, text="After a picture is drawn")
        commands = tk.Frame(side, bg=theme.BACKGROUND)
        commands.grid(row=2, column=0, sticky="ew")
        commands.columnconfigure((0, 1), uniform="commands")
        self.buttons: dict[str, tk.Button] = {}
        for i, control in enumerate(command_controls()):
            button = self._button(commands, control, lambda c=control: self._send(Heard(c.command)))
            button.grid(row=i // 2, column=i % 2, sticky="ew", padx=2, pady=2)
            self.buttons[control.name] = button
        self.buttons[TALK] = self.talk_button

    def _bind_keys(self) -> None:
        for keysym, command in KEYS.items():
            if keysym == PUSH_TO_TALK:
                continue
            names = {keysym, keysym.upper()} if len(keysym) == 1 and keysym.isalpha() else {keysym}  # Caps Lock too
            for name in names:
                self.root.bind(f"<KeyPress-{name}>", lambda _e, c=command: self._send(Heard(c)))
        self.root.bind(f"<KeyPress-{PUSH_TO_TALK}>", self._on_talk_key)
        for name in ("Tab", "ISO_Left_Tab"):
            self.root.bind(f"<KeyPress-{name}>", self._on_tab)
        for name in ("Return", "KP_Enter"):
            self.root.bind(f"<KeyPress-{name}>", self._on_enter)

    # --- keys and buttons -----------------------------------------------------------------------

    def _on_tab(self, _event: tk.Event) -> None:
        self._tabbing = True  # the focus moves next (Tk's own Tab binding runs after this one)
        self.root.after_idle(lambda: setattr(self, "_tabbing", False))  # only for this Tab

    def _press_talk(self) -> None:
        if self._talk is not None:
            self._talk()

    def _on_talk_key(self, event: tk.Event) -> None:
        # A focused button has already been pressed by its own Space binding: Space there means "press this".
        if not isinstance(event.widget, tk.Button):
            self._press_talk()

    def _on_enter(self, event: tk.Event) -> None:
        if isinstance(event.widget, tk.Button) and str(event.widget["state"]) != "disabled":
            event.widget.invoke()

    # --- drawing --------------------------------------------------------------------------------

    def show(self, view: View) -> None:
        """Draw ``view`` (on the Tk thread only: from another thread, use ``post(lambda: show(view))``)."""
        if threading.get_ident() != self._tk_thread:
            raise RuntimeError("Window.show runs on the Tk thread only; call window.post(lambda: window.show(view)).")
        old, self._view = self._view, view
        self.status_label.configure(text=self._status())
        self.heard_label.configure(text=f"You said: \u201c{view.heard}\u201d" if view.heard else "")
        self.message_label.configure(text=view.message)
        self.caption_label.configure(text=caption(view.picture))
        if view.styles != old.styles or not self.style_buttons and not view.styles:
            self._show_styles(view.styles)
        self._enable(view.commands)
        if view.picture is not old.picture:
            self._schedule_picture()
        self._show_strip(view.history, view.picture)

    def _status(self) -> str:
        text = status_text(self._activity, self._view)
        return f"{SPINNER[self._spin]} {text}" if self._view.busy else text

    def _enable(self, commands: tuple[str, ...]) -> None:
        """Buttons for commands the session cannot take now are dimmed (and skipped by Tab); with no
        list from the session, all are usable. Their keys still send: the session answers with a hint."""
        for name, button in self.buttons.items():
            usable = name == TALK and self._talk is not None or name != TALK and (
                not commands or name in commands or SPOKEN.get(name) in commands)
            if button is self.root.focus_get() and not usable:
                self._focus_first_usable(exclude=button)
            button.configure(state="normal" if usable else "disabled")

    def _focus_first_usable(self, exclude: tk.Widget) -> None:
        for widget in [self.talk_button, *self.style_buttons, *self.buttons.values()]:
            if widget is not exclude and str(widget["state"]) != "disabled" and widget.winfo_ismapped():
                widget.focus_set()
                return

    def _show_styles(self, styles: tuple[str, ...]) -> None:
        focused = self.root.focus_get()
        had_focus = focused in self.style_buttons
        for number, button in enumerate(self.style_buttons, start=1):
            self.tooltips.pop(f"choose {number}").destroy()
            button.destroy()
        self.style_buttons = []
        self.no_styles_label.pack_forget()
        if not styles:
            self.no_styles_label.pack(anchor="w")
        for number, style in enumerate(styles[:9], start=1):
            control = choice_control(number, style)
            button = self._button(self.styles_frame, control, lambda c=control: self._send(Heard(c.command)))
            button.pack(fill="x", pady=2)
            self.style_buttons.append(button)
        if had_focus:
            (self.style_buttons[0] if self.style_buttons else self.talk_button).focus_set()

    def _schedule_picture(self) -> None:
        if self._draw_id is None:
            self._draw_id = self.canvas.after_idle(self._draw_picture)

    def _draw_picture(self) -> None:
        self._draw_id = None
        width, height = self.canvas.winfo_width(), self.canvas.winfo_height()
        self.canvas.coords(self.picture_item, width // 2, height // 2)
        self.canvas.coords(self.placeholder_item, width // 2, height // 2)
        picture = self._view.picture
        self.canvas.itemconfigure(self.placeholder_item, state="hidden" if picture else "normal")
        if picture is None:
            self.canvas.itemconfigure(self.picture_item, image="")
            self._photo, self._drawn = None, None
            return
        box = (width - 8, height - 8)
        if self._drawn != (id(picture.image), box):
            self._photo = ImageTk.PhotoImage(fitted(picture.image, box), master=self.canvas)
            self._drawn = (id(picture.image), box)
            self.canvas.itemconfigure(self.picture_item, image=self._photo)

    def _show_strip(self, history: tuple[Picture, ...], current: Picture | None) -> None:
        index = next((i for i, p in enumerate(history) if p == current), None)
        shown = strip_window(len(history), index, STRIP_SLOTS)
        key = (tuple(id(history[i]) for i in shown), index)
        if key == self._strip_shown:
            return
        self._strip_shown = key
        for child in self.strip.winfo_children():
            child.destroy()
        keep = {id(p.image) for p in history}
        self._thumbs = {k: v for k, v in self._thumbs.items() if k in keep}
        self.thumbnails = []
        for i in shown:
            picture = history[i]
            if id(picture.image) not in self._thumbs:
                self._thumbs[id(picture.image)] = (picture, ImageTk.PhotoImage(fitted(picture.image, THUMB), master=self.strip))
            is_current = i == index
            cell = tk.Frame(self.strip, bg=theme.BACKGROUND, highlightthickness=theme.FOCUS_RING,
                            highlightbackground=theme.ACCENT if is_current else theme.BACKGROUND)
            cell.pack(side="left", padx=4, pady=4)
            tk.Label(cell, image=self._thumbs[id(picture.image)][1], bg=theme.PANEL, width=THUMB[0],
                     height=THUMB[1]).pack()
            text = f"\u25b6 {picture.number} now" if is_current else str(picture.number)
            self._label(cell, "small", fg=theme.ACCENT if is_current else theme.MUTED, text=text,
                        anchor="center").pack(fill="x")
            self.thumbnails.append(cell)
        if shown and shown.start > 0:
            self._label(self.strip, "small", fg=theme.MUTED, text=f"+{shown.start} earlier").pack(side="left", padx=8)

    def _on_canvas_resize(self, event: tk.Event) -> None:
        self.caption_label.configure(wraplength=max(200, event.width))
        self._schedule_picture()

    def _on_resize(self, event: tk.Event) -> None:
        if event.widget is self.root:
            wrap = max(200, event.width - 40)
            self.heard_label.configure(wraplength=wrap)
            self.message_label.configure(wraplength=wrap)

    # --- from any thread ------------------------------------------------------------------------

    def post(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the Tk thread soon; safe from any thread (worker threads never touch Tk)."""
        self._posted.put(fn)

    def set_level(self, value: float) -> None:
        """The microphone level, 0 to 1; safe from any thread (the meter shows the latest at the next poll)."""
        self._level = float(value)

    def set_status(self, text: str) -> None:
        """What the sound side is doing: listening, thinking, speaking ("" for nothing); safe from any thread."""
        self.post(lambda: self._set_activity(text))

    def _set_activity(self, text: str) -> None:
        self._activity = text
        self.status_label.configure(text=self._status())

    def _on_destroy(self, event: tk.Event) -> None:
        """Closing the window stops its timers (they would fire into a Tk that is gone)."""
        if event.widget is self.root:
            for pending in (self._poll_id, self._draw_id):
                if pending:
                    self.root.after_cancel(pending)
            for tip in self.tooltips.values():
                tip.status = ToolTipStatus.OUTSIDE  # a shown tooltip re-shows itself on a timer until then

    def _poll(self) -> None:
        try:
            while True:
                try:
                    fn = self._posted.get_nowait()
                except queue.Empty:
                    break
                try:
                    fn()
                except Exception:  # one bad callback must not stop the window
                    self.root.report_callback_exception(*sys.exc_info())
            self.meter.show(self._level)
            if self._view.busy and next(self._ticks) % SPIN_EVERY == 0:
                self._spin = (self._spin + 1) % len(SPINNER)
                self.status_label.configure(text=self._status())
        finally:
            try:
                self._poll_id = self.root.after(POLL_MS, self._poll)
            except tk.TclError:  # the window was closed
                pass
