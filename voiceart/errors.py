"""Problems a person can act on, and the one place that turns any error into a sentence.

Each message is one plain sentence, fit to be shown and spoken. Every entry point (the command
line, the session's threads, the window's callbacks) reports what went wrong through
:func:`sentence` and :func:`report`, so a person never sees a traceback unless they ask for one
with ``--debug`` or ``VOICEART_DEBUG=1``.
"""
from __future__ import annotations

import errno
import logging
import os
import re
import sys
import traceback

log = logging.getLogger(__name__)


class VoiceartError(Exception):
    """Base class: the command line prints the message, never a traceback."""


class ModelFileError(VoiceartError):
    """A model file is missing or damaged; the message names the command that makes it."""


class ImageError(VoiceartError):
    """An image could not be read."""


class UnknownStyleError(VoiceartError):
    """A style name matched nothing; ``suggestions`` holds the closest known styles."""

    def __init__(self, message: str, suggestions: list[str]):
        super().__init__(message)
        self.suggestions = suggestions


def plain_text(text: str) -> str:
    """Text fit to show, speak, encode and store: bytes that were not UTF-8 (Python keeps them as
    lone surrogates) become U+FFFD, control characters become spaces."""
    text = re.sub("[\ud800-\udc7f\udd00-\udfff]", "\ufffd", str(text))  # lone surrogates that were not bytes
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join(" " if ord(c) < 32 or 0x7F <= ord(c) < 0xA0 else c for c in text)


def debugging() -> bool:
    """True when a person asked for tracebacks (``--debug`` sets VOICEART_DEBUG=1 for the run)."""
    return os.environ.get("VOICEART_DEBUG", "").strip().lower() in ("1", "true", "yes", "on")


def sentence(exc: BaseException, what: str = "That") -> str:
    """One sentence for anything that went wrong; ``what`` names the task ("Drawing", "Saving")."""
    if isinstance(exc, VoiceartError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else " there"
        if exc.errno == errno.ENOSPC:
            return f"The disk is full, so voiceart cannot write{where}; make some room and say it again."
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return f"voiceart cannot write to{where}: it has no permission."
        return f"{what} failed: {exc.strerror or exc}."
    if isinstance(exc, MemoryError):
        return f"{what} ran out of memory; close other programs and say it again."
    text = str(exc).strip()
    reason = text.splitlines()[0] if text else type(exc).__name__
    return f"{what} failed ({reason[:160]})."


def logged(exc: BaseException, what: str = "That") -> str:
    """:func:`sentence`, with the traceback in the debug log (shown with --debug): for the session's
    threads, which say the sentence rather than print it."""
    text = sentence(exc, what)
    log.debug("%s", text, exc_info=exc)
    return text


def report(exc: BaseException, what: str = "That", stream=None) -> None:
    """Print ``exc`` as one line on stderr (and its traceback when debugging)."""
    stream = stream or sys.stderr
    try:
        if debugging():
            traceback.print_exception(exc, file=stream)
        message = sentence(exc, what)
        if not isinstance(exc, VoiceartError) and not debugging():
            message = message.removesuffix(".") + " (run it again with --debug to see where)."
        print(f"voiceart: {plain_text(message)}", file=stream, flush=True)
    except (OSError, ValueError):  # stderr itself is gone: nothing more can be said
        pass


def thread_excepthook(args) -> None:
    """threading.excepthook: a thread that dies says one sentence, never a traceback."""
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    name = args.thread.name if args.thread is not None else "a thread"
    log.debug("thread %s stopped", name)
    report(args.exc_value, f"voiceart's {name.removeprefix('voiceart-')} thread")
