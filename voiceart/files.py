"""Writing a file whole or not at all: the one way voiceart writes pictures, model files and caches.

A crash, a full disk or Ctrl-C mid-write must never leave half a picture or half a model file where
the next run would read it. So every file is written to a temporary name beside it, flushed to the
disk, and then renamed over the old one (a rename within a folder is atomic). The file gets the
permissions the person's umask gives, as any program's file would (0644 by default), not the 0600
that ``tempfile.mkstemp`` gives: a picture or a model file is not a secret.
"""
from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from voiceart.errors import VoiceartError


def write_reason(exc: OSError) -> str:
    """Why writing failed, in words (for sentences about a file or a folder)."""
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "voiceart may not write there"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return "a file is in the way of the folder"
    if exc.errno == errno.EISDIR:
        return "that name is a folder"
    return exc.strerror or str(exc)


def atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> Path:
    """Write ``path`` whole or not at all: ``write`` fills a temporary file beside it, which then
    replaces it. A disk problem is a VoiceartError with one sentence; any other error from ``write``
    passes through, and either way no temporary file is left behind."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, unlike mkstemp's 0600
        try:
            with os.fdopen(fd, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        finally:
            if os.path.lexists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        raise VoiceartError(f"Could not save {path.name} in {path.parent}: {write_reason(exc)}.") from None
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    """``data`` written to ``path`` whole or not at all."""
    return atomic_write(path, lambda f: f.write(data))
