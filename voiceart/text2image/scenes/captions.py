"""Captions from a scene's content: a small grammar of sentence shapes, each filled with what
the scene holds (colours, counts, sizes, positions, land, time of day, weather) in one of
several wordings. The first caption of a scene is the plain one; the others vary the shape
and the words ("crimson" for a red thing, "in the distance" for the back, "at sundown" for a
sunset), so a model learns the synonyms and people may describe a scene as they like.
"""
from __future__ import annotations

import numpy as np

from voiceart.text2image.scenes.palette import BASE_OF, SHADES
from voiceart.text2image.scenes.spec import Group, Scene

COUNTS = {1: ("a",), 2: ("two", "two", "two", "a pair of", "a couple of", "a duo of"),
          3: ("three", "three", "three", "a group of three", "a trio of"), 4: ("four", "four", "a row of four", "a quartet of")}
SIZE_WORDS = {"small": ("small", "small", "little", "tiny", "miniature", "petite", "wee", "compact", "modest"),
              "large": ("large", "large", "big", "huge", "giant", "enormous", "massive", "gigantic", "colossal",
                        "oversized", "mighty", "jumbo")}
TALL = ("building", "tree")
SLOT_WORDS = {"left": ("on the left", "on the left", "on the left side", "at the left", "to the left", "on the far left",
                       "on the left hand side", "off to the left", "toward the left"),
              "middle": ("in the middle", "in the middle", "in the centre", "in the center", "at the centre",
                         "centrally placed", "right in the middle", "dead center", "midway across"),
              "right": ("on the right", "on the right", "on the right side", "at the right", "to the right",
                        "on the far right", "on the right hand side", "off to the right", "toward the right")}
DEPTH_WORDS = {"front": ("in the foreground", "in the foreground", "in front", "up close", "near the viewer", "close by",
                         "nearby", "in the front row", "close to us"),
               "back": ("in the background", "in the background", "in the distance", "far away", "far off", "at the back",
                        "near the horizon", "miles away", "far in the distance", "distant and small"),
               "sky": ("in the sky", "in the sky", "up in the sky", "high above", "overhead", "in the air", "aloft",
                       "in midair", "up high", "airborne", "way up")}
PICTURE = ("a picture", "a painting", "a drawing", "an illustration", "an image", "a view", "a scene", "a landscape",
           "a sketch", "a postcard", "a cartoon", "a watercolor", "a poster", "a photo", "a snapshot", "artwork",
           "an oil painting", "a pastel", "a print", "a mural", "a canvas", "a rendering", "a doodle", "a graphic",
           "a vignette", "a storybook illustration", "a travel poster", "a diorama", "a panorama", "a simple drawing",
           "a colourful picture", "a colorful picture", "a naive painting", "a flat illustration")
VERBS = {  # (group, on water) -> participles
    ("building", False): ("standing", "sitting", "rising", "looming", "perched", "nestled", "situated", "located"),
    ("tree", False): ("growing", "standing", "swaying", "rooted", "thriving"),
    ("plant", False): ("growing", "blooming", "sprouting", "flowering", "thriving"),
    ("fence", False): ("standing", "running", "stretching"),
    ("boat", True): ("floating", "sailing", "drifting", "bobbing", "moored", "anchored", "gliding", "cruising",
                     "rocking", "heading out"),
    ("animal", False): ("standing", "walking", "wandering", "roaming", "resting", "strolling", "sitting", "lounging",
                        "pausing", "relaxing", "watching", "gazing", "playing", "basking", "idling", "loitering"),
    ("animal", True): ("swimming", "floating", "paddling", "bobbing", "diving", "splashing"),
    ("person", False): ("standing", "walking", "waiting", "posing", "lingering", "strolling", "wandering", "relaxing",
                        "watching", "looking around", "pausing", "hiking"),
    ("person", True): ("swimming", "floating", "splashing", "paddling"),
    ("food", False): ("lying", "sitting", "resting", "left", "placed", "lying forgotten", "set down", "abandoned"),
    ("vehicle", False): ("driving", "parked", "waiting", "stopped", "moving", "travelling", "traveling", "speeding",
                         "cruising", "rolling", "passing", "zooming", "rumbling", "heading home"),
    ("flying", False): ("flying", "soaring", "gliding", "hovering", "floating", "circling", "drifting", "climbing",
                        "cruising"),
}
# participle -> present tense (singular, plural)
FINITE = {"standing": ("stands", "stand"), "sitting": ("sits", "sit"), "rising": ("rises", "rise"),
          "looming": ("looms", "loom"), "perched": ("sits", "sit"), "nestled": ("sits", "sit"),
          "situated": ("stands", "stand"), "located": ("stands", "stand"), "growing": ("grows", "grow"),
          "swaying": ("sways", "sway"), "rooted": ("stands", "stand"), "thriving": ("thrives", "thrive"),
          "blooming": ("blooms", "bloom"), "sprouting": ("sprouts", "sprout"), "flowering": ("flowers", "flower"),
          "running": ("runs", "run"), "stretching": ("stretches", "stretch"), "floating": ("floats", "float"),
          "sailing": ("sails", "sail"), "drifting": ("drifts", "drift"), "bobbing": ("bobs", "bob"),
          "moored": ("rests", "rest"), "anchored": ("rests", "rest"), "gliding": ("glides", "glide"),
          "cruising": ("cruises", "cruise"), "rocking": ("rocks", "rock"), "heading out": ("heads out", "head out"),
          "walking": ("walks", "walk"), "wandering": ("wanders", "wander"), "roaming": ("roams", "roam"),
          "resting": ("rests", "rest"), "strolling": ("strolls", "stroll"), "lounging": ("lounges", "lounge"),
          "pausing": ("pauses", "pause"), "relaxing": ("relaxes", "relax"), "watching": ("watches", "watch"),
          "gazing": ("gazes", "gaze"), "playing": ("plays", "play"), "basking": ("basks", "bask"),
          "idling": ("idles", "idle"), "loitering": ("loiters", "loiter"), "swimming": ("swims", "swim"),
          "paddling": ("paddles", "paddle"), "diving": ("dives", "dive"), "splashing": ("splashes", "splash"),
          "waiting": ("waits", "wait"), "posing": ("poses", "pose"), "lingering": ("lingers", "linger"),
          "looking around": ("looks around", "look around"), "hiking": ("hikes", "hike"), "lying": ("lies", "lie"),
          "left": ("lies", "lie"), "placed": ("lies", "lie"), "lying forgotten": ("lies forgotten", "lie forgotten"),
          "set down": ("lies", "lie"), "abandoned": ("lies", "lie"), "driving": ("drives", "drive"),
          "parked": ("waits", "wait"), "stopped": ("waits", "wait"), "moving": ("moves", "move"),
          "travelling": ("travels", "travel"), "traveling": ("travels", "travel"), "speeding": ("speeds", "speed"),
          "rolling": ("rolls", "roll"), "passing": ("passes", "pass"), "zooming": ("zooms", "zoom"),
          "rumbling": ("rumbles", "rumble"), "heading home": ("heads home", "head home"), "flying": ("flies", "fly"),
          "soaring": ("soars", "soar"), "hovering": ("hovers", "hover"), "circling": ("circles", "circle"),
          "climbing": ("climbs", "climb")}
TIME_PHRASES = {
    "dawn": ("at dawn", "at dawn", "at daybreak", "at sunrise", "in the early morning", "at first light",
             "at the crack of dawn", "at sunup", "as the day begins", "as the sun rises"),
    "morning": ("in the morning", "in the morning", "on a fresh morning", "in the morning light", "early in the day",
                "in the forenoon", "after breakfast", "in the morning sunshine"),
    "noon": ("at noon", "at noon", "at midday", "in the middle of the day", "at noontime", "in broad daylight",
             "around lunchtime", "under the noonday sun", "at high noon"),
    "afternoon": ("in the afternoon", "in the afternoon", "in the late afternoon", "on an afternoon",
                  "in afternoon light", "at teatime", "later in the day", "in the mellow afternoon"),
    "sunset": ("at sunset", "at sunset", "at sundown", "in the evening", "as the sun goes down", "at the end of the day",
               "at golden hour", "in the evening glow", "at eventide", "as the sun sets"),
    "dusk": ("at dusk", "at dusk", "at twilight", "in the twilight", "at nightfall", "in the gloaming",
             "as night falls", "as darkness falls", "in the fading light", "after sundown"),
    "night": ("at night", "at night", "at nighttime", "in the night", "at midnight", "in the dark of night",
              "late at night", "after dark", "in the dead of night", "in the wee hours", "in the darkness"),
}
TIME_NOUNS = {"dawn": ("dawn", "daybreak", "sunrise"), "morning": ("morning",), "noon": ("day", "midday", "noon"),
              "afternoon": ("afternoon", "day"), "sunset": ("evening", "sunset"), "dusk": ("evening", "twilight"),
              "night": ("night", "nighttime")}
WEATHER_ADJ = {"clear": ("clear", "clear", "bright", "fine", "fair", "lovely", "beautiful", "glorious", "balmy", "pleasant"),
               "cloudy": ("cloudy", "cloudy", "partly cloudy", "breezy", "changeable"),
               "overcast": ("overcast", "overcast", "grey", "gray", "dull", "gloomy", "dreary", "bleak", "sunless",
                            "cheerless", "somber", "sombre"),
               "rainy": ("rainy", "rainy", "wet", "drizzly", "showery", "soggy", "damp", "miserable", "drenched"),
               "snowy": ("snowy", "snowy", "wintry", "freezing", "frosty", "cold", "icy", "chilly", "frigid", "bitter"),
               "foggy": ("foggy", "foggy", "misty", "hazy", "murky", "smoggy", "veiled", "gauzy"),
               "stormy": ("stormy", "stormy", "thundery", "wild", "windy", "blustery", "tempestuous", "turbulent",
                          "ominous", "menacing")}
WEATHER_PHRASES = {
    "clear": ("under a clear sky", "under a cloudless sky", "in clear weather", "in fine weather", "under blue skies",
              "in glorious sunshine", "in the sunshine", "under a spotless sky"),
    "cloudy": ("under a cloudy sky", "under fluffy clouds", "with clouds in the sky", "under drifting clouds",
               "under puffy clouds", "under billowing clouds", "under scattered clouds", "under cottony cumulus clouds",
               "with white puffs of cloud"),
    "overcast": ("under an overcast sky", "under a grey sky", "under a gray sky", "under heavy clouds",
                 "under a dull leaden sky", "under thick cloud cover", "under a blanket of cloud", "under a sunless sky"),
    "rainy": ("in the rain", "in heavy rain", "during a rain shower", "in a downpour", "under rain clouds",
              "in the pouring rain", "in torrential rain", "in sheets of rain", "as raindrops fall", "in a drizzle",
              "during rainfall", "in wet weather"),
    "snowy": ("in the snow", "in falling snow", "during a snowfall", "in a snowstorm", "while snow falls", "in a blizzard",
              "as snowflakes fall", "in a flurry of snow", "in powdery snow", "in wintertime snow"),
    "foggy": ("in the fog", "in thick fog", "in the mist", "in a haze", "in dense fog", "shrouded in mist",
              "in a fog bank", "in a pea souper fog", "veiled in mist", "in soupy fog", "half hidden by fog"),
    "stormy": ("in a storm", "during a thunderstorm", "under a stormy sky", "with lightning in the sky",
               "in a thunderstorm", "as lightning strikes", "in a tempest", "during an electrical storm",
               "under thunderclouds", "as a bolt of lightning flashes", "in a gale", "during a squall"),
}
# Clear-weather phrases that only hold in daylight or only at night.
DAYLIGHT_ONLY = {"in glorious sunshine", "in the sunshine", "under blue skies"}
SKY_SHADES = {"pink": ("pink", "pink", "rose", "rosy", "pastel pink", "blushing", "flushed"),
              "orange": ("orange", "orange", "amber", "tangerine", "fiery orange", "glowing orange", "burnt orange"),
              "red": ("red", "red", "crimson", "scarlet", "blazing red", "fiery red", "blood red", "flaming"),
              "golden": ("golden", "golden", "gold", "honey coloured", "glowing golden", "gilded"),
              "purple": ("purple", "purple", "violet", "lilac", "mauve", "indigo", "dusky purple"),
              "blue": ("blue", "blue", "azure", "bright blue", "powder blue", "cerulean", "cobalt", "brilliant blue", "pale blue"),
              "dark": ("dark", "dark", "black", "inky", "pitch black", "deep navy", "velvety", "midnight blue", "shadowy"),
              "grey": ("grey", "grey", "gray", "leaden", "silvery", "ashen", "pewter", "slate grey", "murky grey")}
SKY_NOUNS = {"sunset": ("sunset", "sunset sky", "evening sky", "sundown", "afterglow"),
             "dawn": ("dawn sky", "sunrise", "morning sky", "daybreak sky"),
             "night": ("night sky", "sky", "starry sky", "heavens"), "dusk": ("twilight sky", "dusk sky", "evening sky")}
GROUND_WORDS = {"green": ("green", "green", "grassy", "lush green", "emerald", "verdant", "leafy green"),
                "golden": ("golden", "golden", "yellow", "wheat", "ripe wheat", "harvest gold", "straw coloured"),
                "brown": ("brown", "brown", "ploughed", "plowed", "muddy", "earthy", "bare brown", "furrowed"),
                "lime": ("bright green", "lime green", "fresh green", "spring green", "vivid green"),
                "white": ("white", "white", "snowy", "snow covered", "frozen", "frosty", "icy white", "powder white"),
                "yellow": ("yellow", "yellow", "sandy", "scorched", "dusty", "parched", "arid"),
                "orange": ("orange", "orange", "red sand", "rusty", "ochre", "terracotta", "dusty orange")}
FIELD_NOUNS = ("field", "field", "pasture", "grassland", "farmland", "meadow land", "paddock", "countryside",
               "prairie", "plain", "farm field", "cropland", "lowland", "open field", "acreage")
TERRAIN_NOUNS = {
    "sea": ("sea", "sea", "ocean", "open sea", "water", "bay", "high seas", "coastal waters", "seascape", "waves"),
    "lake": ("lake", "lake", "pond", "mountain lake", "still lake", "lagoon", "loch", "tarn", "pool", "reservoir", "millpond"),
    "river": ("river", "river", "stream", "creek", "winding river", "brook", "waterway", "rivulet", "canal", "current"),
    "beach": ("beach", "beach", "shore", "sandy shore", "coast", "sandy beach", "shoreline", "seashore", "strand",
              "beachfront", "waterfront"),
    "meadow": ("meadow", "meadow", "flowery meadow", "meadow of wildflowers", "flower meadow", "glade", "lea",
               "wildflower field", "blossoming meadow"),
    "desert": ("desert", "desert", "sand dunes", "desert plain", "dunes", "sandy desert", "wasteland", "badlands",
               "arid plain", "wilderness", "barren land", "sandy waste"),
    "snow field": ("snow field", "snow field", "snowfield", "snowy plain", "snowy field", "tundra", "winter field",
                   "ice field", "frozen plain", "snowscape", "arctic plain", "polar plain", "snowdrift"),
}
PLURAL_NOUNS = ("sand dunes", "dunes", "badlands", "high seas", "coastal waters", "waves")
WATER_MOOD = {"calm": ("calm", "calm", "still", "quiet", "smooth", "peaceful", "placid", "tranquil", "serene", "glassy",
                       "gentle", "shimmering", "mirror like"),
              "rough": ("rough", "rough", "choppy", "wavy", "dark", "restless", "stormy", "churning", "foaming", "heaving",
                        "surging", "white capped", "turbulent")}
BACKDROP_NOUNS = {"mountains": ("mountains", "mountains", "peaks", "a mountain range", "mountain peaks", "summits", "alps",
                                "a ridge", "crags", "highlands", "a sierra", "jagged peaks", "pinnacles", "a massif"),
                  "hills": ("hills", "hills", "rolling hills", "gentle hills", "slopes", "hillsides", "knolls", "hillocks",
                            "downs", "foothills", "mounds", "undulating hills"),
                  "forest": ("a forest", "a forest", "woods", "a line of trees", "woodland", "a treeline", "a grove",
                             "a thicket", "a copse", "timberland", "a pinewood", "conifers", "a wall of trees")}
BRIDGE_WORDS = {"grey": ("a stone bridge", "a grey bridge", "a gray stone bridge", "an arched bridge", "a granite bridge"),
                "brown": ("a wooden bridge", "a brown bridge", "a timber bridge", "a footbridge", "a plank bridge"),
                "red": ("a red bridge", "a red painted bridge", "a scarlet bridge", "a red arched bridge", "a crimson bridge")}
ROAD_WORDS = {"grey": ("a road", "a grey road", "an asphalt road", "a paved road", "a highway", "a long straight road",
                       "a tarmac road", "a motorway", "a street"),
              "brown": ("a dirt road", "a dirt track", "a country lane", "a sandy track", "a brown path", "a gravel road",
                        "a farm track", "an unpaved road", "a muddy lane")}
INTROS = ("", "", "", "", "", "here is ", "this is ", "we see ", "you can see ", "look at ", "behold ", "imagine ",
          "notice ", "in this picture ", "shown here ", "the image shows ", "this picture shows ", "it shows ",
          "the painting depicts ", "this scene features ", "observe ", "spot ")
NO_COLOUR_GROUPS = ("person", "food")
# "a {noun} painted red": ways to give a drawn thing's colour after its name.
COLOUR_AFTER = {"any": ("painted {c}", "in {c}", "coloured {c}", "colored {c}", "of a {c} colour", "with a {c} hue",
                        "tinted {c}"),
                "house": ("with {c} walls",), "farmhouse": ("with {c} walls", "with {c} planks"),
                "castle": ("with {c} walls", "of {c} stone"), "tower": ("of {c} stone", "with {c} bricks"),
                "church": ("with {c} walls",), "windmill": ("with a {c} body",),
                "lighthouse": ("with {c} stripes", "striped {c} and white"), "sailboat": ("with {c} sails",),
                "boat": ("with a {c} hull",), "car": ("with {c} paintwork", "with a {c} body"),
                "tree": ("with {c} leaves", "with {c} foliage"), "pine": ("with {c} needles",),
                "balloon": ("with a {c} envelope",), "tent": ("made of {c} canvas",), "fence": ("painted {c}",),
                "flowers": ("with {c} petals",)}


def condition_words() -> dict[str, dict]:
    """The words the captions use for each time of day, weather and ground, as entries of the kinds
    table ("time:dusk": {"nouns": ["at dusk", "twilight", ...]}), so that DM-GAN training can tell its
    discriminators what a caption asks of the sky and the land as well as of the things. Weather's
    loose adjectives ("fine", "grey", "wild") are left out: they describe things too."""
    sky = {t: set(SKY_NOUNS.get(t, ())) - {"sky", "heavens"} for t in TIME_PHRASES}
    table = {f"time:{t}": {"nouns": sorted(set(TIME_PHRASES[t]) | set(TIME_NOUNS[t]) | sky[t])} for t in TIME_PHRASES}
    table.update({f"weather:{w}": {"nouns": sorted(set(WEATHER_PHRASES[w]) | ({w} if w != "clear" else set()))}
                  for w in WEATHER_PHRASES})
    table.update({f"ground:{t}": {"nouns": sorted(set(TERRAIN_NOUNS[t]))} for t in TERRAIN_NOUNS})
    table["ground:field"] = {"nouns": sorted(set(FIELD_NOUNS))}
    return table


def article(phrase: str) -> str:
    """'a' or 'an' before a phrase."""
    w = phrase.split()[0] if phrase else ""
    vowel = w[:1] in tuple("aeiou") and not w.startswith(("uni", "use", "eu", "one"))
    return ("an " if vowel or w in ("hour", "honest") else "a ") + phrase


class Writer:
    """Caption parts for one scene, each drawn from the scene's RNG."""

    def __init__(self, scene: Scene, rng: np.random.Generator):
        self.scene, self.rng = scene, rng

    def pick(self, options):
        return options[int(self.rng.integers(len(options)))]

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    # things
    def colour_word(self, group: Group, plain: bool) -> str | None:
        if group.kind.emoji and (group.kind.group in NO_COLOUR_GROUPS or any(w in SHADES for w in group.kind.nouns[0].split())):
            return None
        base = BASE_OF[group.colour]
        if plain or group.colour == base:  # an emoji's colour is measured only roughly: its base word
            return base
        return self.pick((base, group.colour))

    def noun(self, group: Group, plain: bool) -> str:
        names = group.kind.plurals if group.count > 1 or group.kind.mass else group.kind.nouns
        return names[0] if plain else self.pick(names)

    def thing(self, group: Group, plain: bool = False, colour: bool | None = None, size: bool | None = None) -> str:
        """'two small red boats', 'a crimson sailboat', 'some yellow flowers'."""
        words = []
        if size is None:
            size = group.size != "medium" and (plain or self.chance(0.6))
        if size and group.size != "medium":
            options = SIZE_WORDS[group.size][:4] if group.kind.group in ("person", "animal") else SIZE_WORDS[group.size]
            options += ("tall",) if group.size == "large" and group.kind.group in TALL + ("person",) else ()
            words.append(options[0] if plain else self.pick(options))
        c = self.colour_word(group, plain) if colour is None or colour else None
        after = ""
        if c and not plain and not group.kind.emoji and self.chance(0.2):  # "a house with red walls"
            after = " " + self.pick(COLOUR_AFTER.get(group.kind.key, ()) + COLOUR_AFTER["any"]).format(c=c)
        elif c and (colour or plain or self.chance(0.8)):
            words.append(c)
        words.append(self.noun(group, plain))
        body = " ".join(words) + after
        if group.kind.mass:
            return body if plain or self.chance(0.5) else self.pick(("some ", "a patch of ", "a bunch of ")) + body
        if group.count == 1:
            return ("one " + body) if not plain and self.chance(0.08) else article(body)
        count = COUNTS[group.count]
        return f"{count[0] if plain else self.pick(count)} {body}"

    def verb(self, group: Group) -> str:
        water = group.kind.surface == "water" and group.depth != "sky"
        options = VERBS.get((group.kind.group, water)) or VERBS.get((group.kind.group, not water)) or ("standing",)
        return self.pick(options)

    def finite(self, group: Group) -> str:
        singular, plural = FINITE[self.verb(group)]
        return singular if group.count == 1 and not group.kind.mass else plural

    def position(self, group: Group) -> str:
        if group.depth == "sky":
            if self.chance(0.5):
                return self.pick(DEPTH_WORDS["sky"])
            return {"left": "on the left", "middle": "in the middle", "right": "on the right"}[group.slot] + " of the sky"
        r = self.rng.random()
        if r < 0.45:
            return self.pick(SLOT_WORDS[group.slot])
        if r < 0.7:
            return self.pick(DEPTH_WORDS[group.depth])
        return f"{self.pick(SLOT_WORDS[group.slot])} {self.pick(DEPTH_WORDS[group.depth])}"

    # land
    def water_mood(self) -> str:
        return self.pick(WATER_MOOD["rough" if self.scene.weather in ("stormy", "rainy") else "calm"])

    def terrain(self, plain: bool = False) -> str:
        """'a calm lake', 'a golden field', 'the sea'."""
        land = self.scene.land
        t = land.terrain
        if t == "field":
            ground = GROUND_WORDS[land.ground][0] if plain else self.pick(GROUND_WORDS[land.ground])
            noun = "field" if plain else self.pick(FIELD_NOUNS)
            return article(f"{ground} {noun}")
        noun = TERRAIN_NOUNS[t][0] if plain else self.pick(TERRAIN_NOUNS[t])
        if t in ("sea", "lake", "river"):
            if t == "sea" and (plain or noun in PLURAL_NOUNS or self.chance(0.4)):
                return f"the {noun}"
            mood = (WATER_MOOD["rough" if self.scene.weather in ("stormy", "rainy") else "calm"][0]) if plain else self.water_mood()
            if t != "sea" and land.ground == "white" and self.chance(0.5):
                mood = self.pick(("frozen", "icy", "wintry", "snowy"))
            return article(f"{mood} {noun}") if plain or self.chance(0.7) else article(noun)
        if t == "meadow":
            if land.flowers and (plain or self.chance(0.5)):
                return article(f"meadow of {land.flowers} {'flowers' if plain else self.pick(('flowers', 'wildflowers', 'blossoms'))}")
            return article(f"{self.pick(GROUND_WORDS[land.ground])} {noun}") if not plain and self.chance(0.4) else article(noun)
        if t == "desert" and not plain and self.chance(0.4):
            return article(f"{self.pick(GROUND_WORDS[land.ground])} desert")
        return noun if noun in PLURAL_NOUNS else article(noun)

    def on_ground(self, group: Group | None, plain: bool = False) -> str:
        """How a group stands on the land: 'on a calm lake', 'in a green field', 'by a river', 'over the sea'."""
        t = self.scene.land.terrain
        place = self.terrain(plain)
        if group is not None and group.depth == "sky":
            return f"{'over' if plain else self.pick(('over', 'above'))} {place}"
        water = group is not None and group.kind.surface == "water"
        if t in ("sea", "lake", "river"):
            if water or t == "sea":
                return f"on {place}"
            return f"{'by' if plain else self.pick(('by', 'beside', 'near', 'next to', 'on the shore of', 'on the bank of'))} {place}"
        if t == "beach":
            if water:
                return f"{'on the sea near' if plain else self.pick(('on the sea near', 'on the water off', 'in the waves by', 'off'))} {place}"
            return f"on {place}"
        if group is not None and group.kind.surface == "road" and self.scene.land.road and group.slot == "middle":
            return f"{'on' if plain else self.pick(('on', 'along', 'down'))} {self.road(plain)}"
        if t in ("field", "meadow", "desert"):
            on = place in PLURAL_NOUNS or not plain and self.chance(0.3)
            return f"{'on' if on else 'in'} {place}"
        return f"{'on' if plain else self.pick(('on', 'in', 'across'))} {place}"

    def road(self, plain: bool = False) -> str:
        words = ROAD_WORDS[self.scene.land.road]
        return words[0] if plain else self.pick(words)

    def backdrop(self, plain: bool = False) -> str | None:
        land = self.scene.land
        if land.backdrop is None:
            return None
        nouns = BACKDROP_NOUNS[land.backdrop]
        noun = nouns[0] if plain else self.pick(nouns)
        if land.backdrop == "mountains" and land.snowcaps and (plain or self.chance(0.6)):
            adj = "snowy" if plain else self.pick(("snowy", "snow capped", "white topped", "snow covered"))
        elif plain or self.chance(0.5):
            base = BASE_OF[land.backdrop_colour]
            if land.backdrop == "forest" and base == "green":
                adj = "green" if plain else self.pick(("green", "dark green", "pine", "dense", "evergreen"))
            elif land.backdrop == "forest" and base == "orange":
                adj = "autumn" if plain else self.pick(("autumn", "orange", "autumnal", "golden autumn"))
            else:
                adj = base if plain else self.pick((base, land.backdrop_colour, base))
        else:
            adj = ""
        if noun.startswith("a "):
            return article(f"{adj} {noun[2:]}".strip())
        return f"{adj} {noun}".strip()

    # sky
    def sky(self, plain: bool = False) -> str:
        """'under a pink sunset', 'at night', 'on a rainy morning', 'in thick fog at dusk'."""
        s = self.scene
        if plain:
            if s.weather == "clear":
                if s.time in ("sunset", "dawn"):
                    return f"under {article(s.sky_word + ' ' + ('sunset' if s.time == 'sunset' else 'dawn sky'))}"
                return "at night under the stars" if s.time == "night" else TIME_PHRASES[s.time][0]
            return f"on {article(WEATHER_ADJ[s.weather][0] + ' ' + TIME_NOUNS[s.time][0])}"
        r = self.rng.random()
        if r < 0.22:
            return self.time_phrase()
        if r < 0.4 and s.weather != "clear":
            return self.weather_phrase()
        if r < 0.6:
            adj = self.pick(WEATHER_ADJ[s.weather])
            if s.weather == "clear" and s.time not in ("night", "dusk") and self.chance(0.5):
                adj = "sunny"
            if s.weather == "clear" and s.time == "night" and self.chance(0.5):
                adj = self.pick(("starry", "starlit", "moonlit" if s.celestial else "starry"))
            return f"on {article(adj + ' ' + self.pick(TIME_NOUNS[s.time]))}"
        if r < 0.78:
            colour = self.pick(SKY_SHADES[s.sky_word])
            return f"{self.pick(('under', 'beneath', 'below'))} {article(colour + ' ' + self.sky_noun())}"
        if r < 0.9 and s.celestial:
            return self.celestial()
        return f"{self.time_phrase()} {self.weather_phrase()}"

    def sky_noun(self) -> str:
        s = self.scene
        if s.weather not in ("clear", "cloudy"):
            return "sky"
        return self.pick([n for n in SKY_NOUNS.get(s.time, ("sky",)) if s.weather == "clear" or n != "starry sky"])

    def time_phrase(self) -> str:
        """A time of day; 'as the sun sets' only where the sun is drawn."""
        sun = self.scene.celestial == "sun"
        return self.pick([p for p in TIME_PHRASES[self.scene.time] if sun or "sun" not in p.split()])

    def weather_phrase(self) -> str:
        dark = self.scene.time in ("dusk", "night")
        return self.pick([p for p in WEATHER_PHRASES[self.scene.weather] if not (dark and p in DAYLIGHT_ONLY)])

    def celestial(self) -> str:
        s = self.scene
        if s.celestial == "sun":
            adj = {"dawn": ("rising", "pale orange", "low"), "sunset": ("setting", "big orange", "low red", "sinking"),
                   "noon": ("bright", "blazing", "high", "yellow"), "morning": ("bright", "warm", "yellow"),
                   "afternoon": ("warm", "bright", "golden")}[s.time]
            return f"{self.pick(('under', 'beneath', 'with'))} the {self.pick(adj)} sun"
        moon = s.celestial
        if self.chance(0.3) and s.time == "night" and s.weather == "clear":
            return f"under {article(moon)} and stars"
        return f"{self.pick(('under', 'beneath', 'with'))} {article(self.pick(('', 'pale ', 'glowing ', 'bright ', 'white ')) + moon)}"

    def relation(self, a: Group, b: Group) -> str:
        """Where a is seen from b: 'in front of', 'behind', 'above', 'to the left of', 'beside'."""
        if a.depth == "sky" and b.depth != "sky":
            return self.pick(("above", "over", "high above", "flying over" if a.kind.group == "flying" else "above"))
        if b.depth == "sky":
            return self.pick(("below", "under", "beneath", "underneath"))
        if a.slot == b.slot:
            return self.pick(("in front of", "before", "just in front of")) if a.depth == "front" \
                else self.pick(("behind", "beyond", "in back of", "some way behind"))
        order = ("left", "middle", "right")
        side = "left" if order.index(a.slot) < order.index(b.slot) else "right"
        return self.pick((f"to the {side} of", f"to the {side} of", f"{side} of", "beside", "next to", "near",
                          "not far from", "alongside", "close to", "by"))


# Sentence shapes. Each takes a Writer and returns a caption, or None where the scene lacks its parts.
def _main(w: Writer) -> Group | None:
    return w.scene.groups[0] if w.scene.groups else None


def plain(w: Writer) -> str:
    g = _main(w)
    if g is None:
        return f"{w.terrain(True)} {w.sky(True)}"
    return f"{w.thing(g, plain=True)} {w.on_ground(g, plain=True)} {w.sky(True)}"


def doing(w: Writer):
    g = _main(w)
    return g and f"{w.thing(g)} {w.verb(g)} {w.on_ground(g)} {w.sky()}"


def pair(w: Writer):
    if len(w.scene.groups) < 2:
        return None
    a, b = w.pick([(x, y) for x in w.scene.groups for y in w.scene.groups if x is not y])
    if a.depth == "sky":  # "two birds above a red house by a lake"
        return f"{w.thing(a)} {w.relation(a, b)} {w.thing(b, size=False)} {w.on_ground(b)}"
    return f"{w.thing(a)} {w.on_ground(a)} {w.relation(a, b)} {w.thing(b, size=False)}"


def picture(w: Writer):
    back = w.backdrop()
    g = _main(w)
    with_part = f" with {w.thing(g)}" if g and w.chance(0.6) else (f" and {back}" if back else "")
    return f"{w.pick(PICTURE)} of {w.terrain()}{with_part} {w.sky()}"


def positions(w: Writer):
    gs = list(w.scene.groups)
    if not gs:
        return None
    w.rng.shuffle(gs)
    parts = [f"{w.thing(g)} {w.position(g)}" for g in gs[:2]]
    tail = "" if len(parts) > 1 else f" {w.on_ground(gs[0])}"
    return " and ".join(parts) + tail


def there_is(w: Writer):
    g = _main(w)
    if g is None:
        return None
    thing = w.thing(g)
    be = "is" if thing.startswith(("a ", "an ", "one ")) else "are"
    return f"there {be} {thing} {w.position(g)} {w.on_ground(g)}"


def sky_over(w: Writer):
    s = w.scene
    colour = w.pick(SKY_SHADES[s.sky_word])
    head = article(f"{colour} {w.sky_noun()}") if w.chance(0.6) else article(f"{w.pick(WEATHER_ADJ[s.weather])} sky")
    g = _main(w)
    rest = f" with {w.thing(g)}" if g else ""
    return f"{head} over {w.terrain()}{rest}"


def finite(w: Writer):
    g = w.pick(w.scene.groups) if w.scene.groups else None
    if g is None:
        return None
    weather = w.scene.weather != "clear" and w.chance(0.5)
    intro = w.weather_phrase() if weather else w.time_phrase()
    return f"{intro} {w.thing(g)} {w.finite(g)} {w.position(g)}"


def backdrop_behind(w: Writer):
    back = w.backdrop()
    g = _main(w)
    if back is None or g is None or g.depth == "sky":
        return None
    verb = w.pick(("behind", "beyond", "in the distance behind", "rising behind" if w.scene.land.backdrop != "forest" else "behind"))
    return f"{back} {verb} {w.thing(g)} {w.on_ground(g)}"


def celestial_above(w: Writer):
    if not w.scene.celestial or not w.scene.groups:
        return None
    g = w.pick(w.scene.groups)
    moon = w.scene.celestial
    adj = w.pick(("", "bright ", "pale ", "glowing ", "silvery ", "luminous ")) if moon != "sun" \
        else w.pick(("", "bright ", "warm ", "shining ", "radiant ", "dazzling "))
    side = w.pick(SLOT_WORDS[w.scene.celestial_slot])
    return f"{'the ' + adj + moon if moon == 'sun' else article(adj + moon)} {side} {w.pick(('above', 'over', 'shining on', 'high over'))} {w.thing(g)}"


def depth_pair(w: Writer):
    front = [g for g in w.scene.groups if g.depth == "front"]
    back = [g for g in w.scene.groups if g.depth == "back"]
    if not front or not back:
        return None
    return f"{w.thing(front[0])} {w.pick(DEPTH_WORDS['front'])} and {w.thing(back[0])} {w.pick(DEPTH_WORDS['back'])}"


def features(w: Writer):
    land = w.scene.land
    g = _main(w)
    if land.bridge:
        bridge = w.pick(BRIDGE_WORDS[land.bridge])
        return f"{bridge} {w.pick(('over', 'across', 'spanning'))} {w.terrain()} {w.sky()}"
    if land.road and g is not None:
        return f"{w.road()} {w.pick(('leading to', 'going toward', 'running to', 'heading for'))} the horizon " \
               f"{w.pick(('with', 'past', 'and'))} {w.thing(g)}"
    return None


def listing(w: Writer):
    gs = list(w.scene.groups)
    if not gs:
        return None
    items = [w.thing(g) for g in gs]
    text = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    return f"{w.pick(INTROS)}{text} {w.on_ground(None)} {w.sky()}".strip()


SHAPES = (doing, pair, picture, positions, there_is, sky_over, finite, backdrop_behind, celestial_above, depth_pair,
          features, listing)


MAX_WORDS = 18


def clean(text: str) -> str:
    return " ".join(text.split())


def captions(scene: Scene, rng: np.random.Generator, n: int = 6, avoid: set[str] = frozenset()) -> list[str]:
    """``n`` different captions of the scene (the plain one first), none of them in ``avoid``."""
    w = Writer(scene, rng)
    out: list[str] = []
    first = clean(plain(w))
    if first not in avoid:
        out.append(first)
    for _ in range(80):
        if len(out) >= n:
            break
        shape = SHAPES[int(rng.integers(len(SHAPES)))]
        text = shape(w)
        if text:
            text = clean(text)
            if len(text.split()) <= MAX_WORDS and text not in out and text not in avoid:
                out.append(text)
    return out
