"""Named objects from Google's emoji images (npm package emoji-datasource-google 16.0.0).

The builder fetches the package with npm into the cache (``npm pack``, then Python's tarfile
unpacks only emoji.json, the licence files and the 64 px images it uses); nothing of it is part
of the repository. Animals, food, plants, vehicles, buildings and people are kept, each with a
caption name ("hedgehog", "man farmer"), where it may stand (a whale on water, an airplane in
the sky, a bus on a road) and its main colour, measured from its pixels. Only ``SCENE_EMOJI``
are drawn in scenes: things people name in a scene for a painting, few enough that each kind
gets a thousand pictures or more.
"""
from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import numpy as np
from PIL import Image

from voiceart.errors import VoiceartError
from voiceart.text2image.scenes.palette import colour_name
from voiceart.text2image.scenes.things import Kind

PACKAGE = "emoji-datasource-google"
VERSION = "16.0.0"
IMAGES = "package/img/google/64/"
LICENCE = "Apache-2.0 (Noto emoji images, as the package's README states); the package's data files MIT"

# subcategory -> (group, surface, height at the front as a share of the picture)
SUBCATEGORIES = {
    "animal-mammal": ("animal", "land", 0.28), "animal-bird": ("animal", "land", 0.24),
    "animal-marine": ("animal", "water", 0.24), "animal-bug": ("animal", "land", 0.2),
    "animal-reptile": ("animal", "land", 0.26), "animal-amphibian": ("animal", "land", 0.22),
    "plant-flower": ("plant", "land", 0.22), "plant-other": ("plant", "land", 0.28),
    "food-fruit": ("food", "land", 0.2), "food-vegetable": ("food", "land", 0.2),
    "food-prepared": ("food", "land", 0.2), "food-asian": ("food", "land", 0.2), "food-sweet": ("food", "land", 0.2),
    "transport-ground": ("vehicle", "road", 0.26), "transport-air": ("flying", "sky", 0.2),
    "transport-water": ("boat", "water", 0.26), "place-building": ("building", "land", 0.36),
    "place-religious": ("building", "land", 0.36), "person": ("person", "land", 0.3),
    "person-role": ("person", "land", 0.3), "person-activity": ("person", "land", 0.3),
    "person-fantasy": ("person", "land", 0.3), "person-sport": ("person", "land", 0.3),
}
FLYING = {"BIRD", "BLACK BIRD", "EAGLE", "DOVE OF PEACE", "OWL", "PARROT", "BAT", "BUTTERFLY", "HONEYBEE", "PHOENIX",
          "DRAGON", "GOOSE", "WING", "FLAMINGO"}
ON_WATER = {"WOMAN SURFING", "MAN SURFING", "SURFER", "WOMAN SWIMMING", "MAN SWIMMING", "SWIMMER", "WOMAN ROWING BOAT",
            "MAN ROWING BOAT", "ROWBOAT", "DUCK", "SWAN", "MERMAID", "MERMAN", "MERPERSON", "WOMAN PLAYING WATER POLO",
            "MAN PLAYING WATER POLO", "WATER POLO", "OTTER", "SEAL", "GOOSE"}
ON_LAND = {"CRAB", "SHRIMP", "LOBSTER", "OYSTER", "SPIRAL SHELL", "SNAIL", "CORAL"}
SKIP = {"PIG NOSE", "PAW PRINTS", "MICROBE", "BREAST-FEEDING", "HORIZONTAL TRAFFIC LIGHT", "VERTICAL TRAFFIC LIGHT",
        "CONSTRUCTION SIGN", "OCTAGONAL SIGN", "POLICE CARS REVOLVING LIGHT", "WHEEL", "OIL DRUM", "MOTORWAY",
        "RAILWAY TRACK", "RING BUOY", "ANCHOR", "BUS STOP", "FUEL PUMP", "SEAT", "SALT SHAKER", "BUTTER", "CANNED FOOD",
        "BOWL WITH SPOON", "TAKEOUT BOX", "LOVE HOTEL", "KAABA", "FRONT-FACING BABY CHICK", "SPOUTING WHALE",
        "LEAF FLUTTERING IN WIND", "WILTED FLOWER", "ROSETTE", "STATION", "MOUNTAIN RAILWAY", "SUSPENSION RAILWAY",
        "MOUNTAIN CABLEWAY", "AERIAL TRAMWAY", "AIRPLANE DEPARTURE", "AIRPLANE ARRIVING", "ROLLER SKATE", "PAW PRINTS",
        "WOMEN WITH BUNNY EARS", "MEN WITH BUNNY EARS", "WOMAN WITH BUNNY EARS", "PERSON WITH BUNNY EARS", "WRESTLERS",
        "WOMEN WRESTLING", "MEN WRESTLING", "FENCER", "NEST WITH EGGS", "EMPTY NEST", "WING", "FEATHER", "MAN IN TUXEDO",
        "BUILDING CONSTRUCTION", "DERELICT HOUSE", "HOUSES", "BEANS", "FALLEN LEAF", "MAPLE LEAF", "GINGER ROOT",
        "PEA POD", "JAR", "HYACINTH", "LEAFLESS TREE", "ROOT VEGETABLE", "FINGERPRINT", "SPLATTER", "HARP", "SHOVEL",
        "HORSE RACING", "SPIDER WEB", "PERSON IN SUIT LEVITATING", "PERSON IN BED", "PERSON TAKING BATH",
        "FACE MASSAGE", "HAIRCUT", "MAN GETTING MASSAGE", "WOMAN GETTING MASSAGE", "MAN GETTING HAIRCUT",
        "WOMAN GETTING HAIRCUT", "PERSON IN STEAMY ROOM", "MAN IN STEAMY ROOM", "WOMAN IN STEAMY ROOM"}
SCENE_EMOJI = frozenset({"DOG", "CAT", "HORSE", "COW", "SHEEP", "DEER", "ELEPHANT", "DUCK", "SWAN", "BIRD", "AIRPLANE",
                         "PEDESTRIAN", "BICYCLE", "BUS", "STEAM LOCOMOTIVE", "TRACTOR", "SHIP", "PALM TREE"})
NAMES = {"STEAM LOCOMOTIVE": "train", "COOKING": "fried egg", "AUTOMOBILE": "car", "PEDESTRIAN": "person walking", "HOUSE BUILDING": "house",
         "TRAM CAR": "tram car", "RECREATIONAL VEHICLE": "camper van", "STEAMING BOWL": "bowl of noodles",
         "T-REX": "tyrannosaurus", "FATHER CHRISTMAS": "santa claus", "LADY BEETLE": "ladybird", "POT OF FOOD": "pot of stew",
         "MX CLAUS": "claus", "SHORTCAKE": "slice of cake", "ODEN": "oden skewer", "DANGO": "dango skewer",
         "BLACK BIRD": "blackbird", "HONEYBEE": "bee", "RACING CAR": "racing car", "MOTOR BOAT": "motorboat",
         "EAR OF MAIZE": "corn cob", "EAR OF RICE": "rice plant", "HERB": "herb plant", "AUBERGINE": "aubergine",
         "KIWIFRUIT": "kiwi fruit", "DOVE OF PEACE": "dove", "SPIRAL SHELL": "seashell", "BABY CHICK": "chick",
         "FLYING SAUCER": "flying saucer", "STANDING PERSON": "person standing", "KNEELING PERSON": "person kneeling",
         "PERSON WITH BLOND HAIR": "person with blond hair", "BEARDED PERSON": "person with a beard",
         "RICE CRACKER": "rice cracker", "COOKED RICE": "bowl of rice", "MEAT ON BONE": "meat on a bone"}
MASS = {"GRAPES", "CHERRIES", "FRENCH FRIES", "PEANUTS", "PANCAKES", "BLUEBERRIES"}
IRREGULAR = {"man": "men", "woman": "women", "person": "people", "child": "children", "sheep": "sheep", "fish": "fish",
             "deer": "deer", "mouse": "mice", "ox": "oxen", "bison": "bison", "goose": "geese", "shrimp": "shrimp",
             "squid": "squid", "sushi": "sushi", "spaghetti": "spaghetti", "popcorn": "popcorn", "bread": "loaves of bread",
             "rice": "rice", "broccoli": "broccoli", "corn": "corn", "herb": "herbs", "genie": "genies",
             "moose": "moose", "bacon": "bacon"}


class EmojiUnavailable(VoiceartError):
    """The emoji package could not be fetched: the builder draws scenes without emoji."""


def plural(noun: str) -> str:
    """The plural of a caption noun ("man farmer" -> "men farmers", "woman walking" -> "women walking")."""
    for joint in (" with ", " of ", " in ", " on "):
        if joint in noun:  # "man with red hair" -> "men with red hair"
            head, rest = noun.split(joint, 1)
            return plural(head) + joint + rest
    words = noun.split()
    if len(words) > 1 and words[-1].endswith("ing"):  # "woman walking" -> "women walking"
        return " ".join([plural(words[0])] + words[1:])
    if len(words) > 1 and words[0] in ("man", "woman"):
        words[0] = IRREGULAR[words[0]]
    last = words[-1]
    if last in IRREGULAR:
        p = IRREGULAR[last]
    elif last in ("wolf", "calf", "loaf", "leaf", "elf", "shelf"):
        p = last[:-1] + "ves"
    elif last.endswith(("s", "x", "ch", "sh")):
        p = last + "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        p = last[:-1] + "ies"
    elif last in ("potato", "tomato", "mango"):
        p = last + "es"
    else:
        p = last + "s"
    return " ".join(words[:-1] + [p])


def caption_name(name: str) -> str:
    """The emoji's official name as a caption says it."""
    if name in NAMES:
        return NAMES[name]
    if ": " in name:
        who, what = name.split(": ")
        if what == "BALD":
            return f"bald {who.lower()}"
        return f"{who.lower()} with {'a ' if what == 'BEARD' else ''}{what.lower()}"
    name = name.lower().replace("-", " ")
    return name[:-5] if name.endswith(" face") else name


def fetch(cache_dir: Path) -> Path:
    """The unpacked package in the cache (fetched with npm on first use); raises EmojiUnavailable."""
    folder = Path(cache_dir) / "emoji" / f"{PACKAGE}-{VERSION}"
    if (folder / "complete").is_file():
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise EmojiUnavailable("The emoji pictures need npm, which is not installed, so the scenes are drawn without them.")
    download = folder.parent / "download"
    download.mkdir(parents=True, exist_ok=True)
    try:
        result = subprocess.run([npm, "pack", f"{PACKAGE}@{VERSION}"], cwd=download, capture_output=True,
                                text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EmojiUnavailable(f"The emoji pictures could not be fetched with npm ({exc}), so the scenes are drawn without them.") from None
    tarball = download / f"{PACKAGE}-{VERSION}.tgz"
    if result.returncode != 0 or not tarball.is_file():
        code = re.search(r"npm (?:error|ERR!) code (\S+)", result.stderr)
        reason = f"error {code.group(1)}" if code else f"npm stopped with status {result.returncode}"
        raise EmojiUnavailable(f"The emoji pictures could not be fetched with npm ({reason}), so the scenes are drawn without them.")
    wanted = ("package/emoji.json", "package/LICENSE", "package/README.md", "package/package.json")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(tarball) as tar:
            for member in tar:
                if member.isfile() and (member.name in wanted or member.name.startswith(IMAGES)):
                    target = folder / member.name[len("package/"):]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(tar.extractfile(member).read())
    except (OSError, tarfile.TarError) as exc:
        raise EmojiUnavailable(f"The emoji package could not be unpacked ({exc}), so the scenes are drawn without them.") from None
    tarball.unlink()
    download.rmdir()
    (folder / "complete").write_text(f"{PACKAGE}@{VERSION}\n")
    return folder


def main_colour(image: Image.Image) -> str:
    """The base colour word of the emoji's visible pixels."""
    a = np.asarray(image.convert("RGBA"))
    return colour_name(a[a[..., 3] > 128][:, :3])


def catalogue(folder: Path, keep: frozenset[str] | None = SCENE_EMOJI) -> list[Kind]:
    """The emoji kept as scene objects (``keep``: their official names; None: every one that fits a scene),
    in the package's order."""
    entries = json.loads((Path(folder) / "emoji.json").read_text(encoding="utf-8"))
    entries.sort(key=lambda e: e.get("sort_order", 0))
    names = {e.get("name") for e in entries}
    kinds, seen = [], set()
    for e in entries:
        name, sub = e.get("name") or "", e.get("subcategory")
        if sub not in SUBCATEGORIES or name in SKIP or (keep is not None and name not in keep) or not e.get("has_img_google") or "FACING RIGHT" in name \
                or name.startswith("ONCOMING") or name.endswith(" FACE") and name[:-5] in names:
            continue
        path = Path(folder) / "img" / "google" / "64" / e["image"]
        noun = caption_name(name)
        if noun in seen or not path.is_file():
            continue
        seen.add(noun)
        group, surface, height = SUBCATEGORIES[sub]
        if name in FLYING:
            group, surface, height = "flying", "sky", 0.2
        elif name in ON_WATER:
            surface = "water"
        elif name in ON_LAND:
            surface = "land"
        with Image.open(path) as im:
            colour = main_colour(im)
        visible = picture(str(path), 64)
        mass = name in MASS
        kinds.append(Kind(key=f"emoji:{e['image']}", nouns=(noun,), plurals=(noun if mass else plural(noun),),
                          surface=surface, height=height, aspect=visible.width / visible.height, colours=(colour,),
                          max_count=1 if mass or group in ("building", "vehicle", "boat") else 3, group=group,
                          mass=mass, emoji=str(path)))
    return kinds


@functools.lru_cache(maxsize=2048)
def picture(path: str, px: int) -> Image.Image:
    """The emoji's visible part (cropped to its opaque pixels), ``px`` pixels tall (the most recent sizes
    are kept for the next use)."""
    with Image.open(path) as im:
        image = im.convert("RGBA")
    box = image.getchannel("A").point(lambda a: 255 if a > 24 else 0).getbbox() or (0, 0, *image.size)
    image = image.crop(box)
    width = max(1, round(px * image.width / image.height))
    return image.resize((width, px), Image.LANCZOS)
