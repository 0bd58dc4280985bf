"""The session folder: every picture written the moment it is made, so a crash loses nothing.

``cache_dir/sessions/<date-time>/NNN-<kind>.png`` (kind: "drawn" or the style), with the same
metadata a saved picture carries. When writing fails (a full disk, a folder voiceart may not
write to) the problem is said once; the picture stays in the session's history in memory and
"save" still works.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from voiceart.app.stages import picture_kind, unused
from voiceart.errors import logged
from voiceart.session.events import Picture


def session_path(cache_dir: Path, started: datetime) -> Path:
    """A new folder for a session started at ``started``."""
    return unused(Path(cache_dir) / "sessions", f"{started:%Y%m%d-%H%M%S}")


def picture_name(picture: Picture) -> str:
    return f"{picture.number:03d}-{picture_kind(picture)}.png"


class SessionFolder:
    """Where this session's pictures go as they are made. ``keep`` returns (path or None, problem or None)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.kept: dict[int, Path] = {}  # picture number -> file
        self._said_problem = False

    def keep(self, picture: Picture) -> tuple[Path | None, str | None]:
        """Write ``picture``; on failure a sentence the first time only (later failures are quiet)."""
        from voiceart.images import save_png

        try:
            path = save_png(picture.image, self.path / picture_name(picture), picture.metadata())
        except Exception as exc:
            if self._said_problem:
                return None, None
            self._said_problem = True
            return None, (f"{logged(exc).rstrip('.')}, so this session's pictures are only kept in memory; "
                          f"say save to keep one.")
        self.kept[picture.number] = path
        return path, None
