"""What voiceart can hear: the commands, what the session expects, and the words of each.

Like an OVOS skill's .voc files, these are tables, not logic: the grammar reads an utterance
with them, the session, its keys and the window name commands with them. Words are written as
:func:`voiceart.vocabulary.text.words` gives them (lower case, no punctuation: "thats right").
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

COMMANDS = ("describe", "style", "choose", "styles", "again", "save", "undo", "redo", "stronger", "weaker", "repeat",
            "help", "new", "sleep", "wake", "cancel", "yes", "no", "none")


class Expecting(Enum):
    """What the session waits for; it decides how an ambiguous utterance is read."""

    ANYTHING = "any"
    DESCRIPTION = "description"  # a scene to draw: free text wins over command words inside it
    STYLE = "style"  # a style name or a number from the list just read out
    YES_NO = "yes_no"  # the answer to a question such as "Did you mean Baroque?"
    ASLEEP = "asleep"  # after "stop listening": only "wake up" counts, everything else is nothing

    @classmethod
    def parse(cls, value: "str | Expecting") -> "Expecting":
        if isinstance(value, Expecting):
            return value
        key = value.strip().lower().replace("-", "_").replace("/", "_")
        for member in cls:
            if key in (member.value, member.name.lower()) or (key == "anything" and member is cls.ANYTHING) \
                    or (key in ("yes", "yesno", "answer") and member is cls.YES_NO):
                return member
        raise ValueError(f"expecting must be one of {', '.join(m.value for m in cls)}, not {value!r}")


@dataclass(frozen=True)
class Command:
    """One understood utterance.

    ``name`` is one of COMMANDS; ``argument`` is the description, the style name or the number
    (as a string, 1-based) for describe, style and choose, else None. ``question`` is set when
    voiceart is unsure: ask it and act on "yes". ``hint`` is set for "none" when something was
    said but nothing matched: one sentence to say back.
    """

    name: str
    argument: str | None = None
    confidence: float = 1.0
    question: str | None = None
    hint: str | None = None

    @property
    def sure(self) -> bool:
        return self.name != "none" and self.question is None

    def as_dict(self) -> dict:
        return {"command": self.name, "argument": self.argument, "confidence": round(self.confidence, 3),
                "question": self.question, "hint": self.hint}


NONE = Command("none", confidence=0.0)

# The phrases of each command, as normalized words. Whisper's usual spellings of them are here too.
PHRASES: dict[str, tuple[str, ...]] = {
    "again": ("again", "another", "another one", "another painting", "another picture", "one more", "one more time",
              "try again", "try another", "try another one", "try another painting", "different painting",
              "a different painting", "a different one", "different one", "next", "next one", "next painting",
              "pick another", "pick another one", "once more", "do it again", "something else", "again again"),
    "styles": ("styles", "the styles", "another style", "a different style", "different style", "different styles",
               "other styles", "other style", "some other style", "the other styles", "which styles", "what styles",
               "what styles are there", "which styles are there", "what other styles",
               "what other styles are there", "what styles do you have", "what are the styles", "what were the styles",
               "what were the styles again", "what are the choices", "what were the choices", "the choices",
               "list the styles", "list styles", "list the choices", "the list", "read the list", "read the list again",
               "read the styles", "read the styles again", "the styles again", "styles again", "say the styles again",
               "repeat the styles", "tell me the styles", "show the styles", "show me the styles", "show me other styles",
               "change the style", "change style", "a new style", "new style", "choose another style",
               "choose a different style", "pick another style", "pick a different style", "try another style",
               "try a different style", "let me choose another style", "let me choose a different style",
               "let me pick another style", "let me choose", "suggest a style", "suggest another style",
               "what do you suggest", "what do you recommend", "style list", "the style list"),
    "save": ("save", "save it", "save this", "save that", "save this one", "save the picture", "save the painting",
             "save the image", "save picture", "save image", "save my picture", "keep it", "keep this", "keep that",
             "keep this one", "keep", "store it", "safe", "safe it", "saved", "save save"),
    "undo": ("undo", "undo that", "undo it", "un do", "go back", "back", "take it back", "take that back", "previous",
             "step back", "undo the last", "undo last"),
    "redo": ("redo", "redo that", "redo it", "re do", "go forward", "forward", "step forward", "redo the last"),
    "stronger": ("stronger", "more style", "more", "a bit more", "much more", "more of it", "more of the style",
                 "make it stronger", "stronger style", "increase", "increase the style", "turn it up", "more strongly",
                 "stronger stronger", "more styled"),
    "weaker": ("weaker", "less style", "less", "a bit less", "much less", "less of it", "less of the style",
               "make it weaker", "weaker style", "softer", "decrease", "decrease the style", "turn it down",
               "tone it down", "lighter", "les style", "less styled"),
    "repeat": ("repeat", "repeat that", "repeat it", "repeat please", "say that again", "say it again",
               "what did you say", "pardon", "pardon me", "come again", "sorry what", "repeat yourself"),
    "help": ("help", "help me", "what can i say", "what can i do", "what do i say", "what can i tell you",
             "what are my options", "what are the commands", "commands", "options", "i need help", "how does this work",
             "what now", "what can you do"),
    "new": ("new", "new picture", "new painting", "new image", "new scene", "start over", "start again", "begin again",
            "restart", "start from scratch", "from scratch", "something new", "start a new picture", "clear",
            "start new", "new one", "a new picture", "a new one", "start all over", "start over again"),
    "sleep": ("stop listening", "sleep", "go to sleep", "pause", "pause listening", "be quiet", "quiet", "mute",
              "stop listening to me", "stop listen", "stop listing"),
    "wake": ("wake up", "wake", "start listening", "resume", "listen", "listen to me", "im back",
             "wakeup", "wake up voiceart", "hello voiceart", "hi voiceart", "hey voiceart"),
    "cancel": ("cancel", "cancel that", "cancel it", "stop", "stop it", "stop that", "never mind", "nevermind",
               "forget it", "forget that", "abort", "quit that"),
    "yes": ("yes", "yeah", "yep", "yup", "yes please", "sure", "correct", "right", "thats right", "exactly", "of course",
            "do it", "go ahead", "affirmative", "absolutely", "please do", "yes yes", "yes thats right", "yes it is",
            "thats it", "indeed", "yes do it", "yeah sure"),
    "no": ("no", "nope", "nah", "no thanks", "no thank you", "wrong", "thats wrong", "not that", "not that one",
           "incorrect", "negative", "not really", "no way", "no no", "no its not", "no it isnt", "dont"),
}

# A canonical phrase per command, for the recogniser's prompt, for help, the buttons and their tooltips.
SPOKEN = {
    "styles": "another style", "again": "again", "save": "save", "undo": "undo", "redo": "redo", "stronger": "more style",
    "weaker": "less style", "repeat": "repeat", "help": "what can I say", "new": "start over", "sleep": "stop listening",
    "wake": "wake up", "cancel": "cancel", "yes": "yes", "no": "no",
}

# What people name in a scene: buildings, boats, trees, animals, people, vehicles, land, water, sky
# and times of day. Read to Whisper after the commands (grammar.prompt), as the transcript of what came
# before, they lean a description toward the words a scene is made of: base heard the main noun of
# 118 of the development set's 160 spoken descriptions instead of 78 ("A late house on a cliff" ->
# "A lighthouse on a cliff"; docs/speech-accuracy.md). Whisper keeps a prompt's last 223 tokens only.
SCENE_WORDS = ("a house", "a church", "a castle", "a tower", "a windmill", "a lighthouse", "a bridge", "a village",
               "a boat", "a ship", "a sailboat", "trees", "a forest", "flowers", "a horse", "a dog", "a cat", "a bird",
               "people", "a car", "mountains", "a hill", "a river", "a lake", "the sea", "a beach",
               "a field", "a meadow", "a desert", "snow", "the sun", "the moon", "stars", "clouds",
               "at sunset", "at night")

# Said around a command, changing nothing: "um, save it please", "okay, can you undo that now".
FILLERS = {"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh", "hmm", "mm", "mmm", "please", "okay", "ok", "so",
           "well", "now", "just", "oh", "thanks", "voiceart", "actually", "alright", "then", "kindly"}
FILLER_RUNS = (("thank", "you"), ("can", "you"), ("could", "you"), ("would", "you"), ("will", "you"),
               ("i", "want", "to"), ("i", "would", "like", "to"), ("id", "like", "to"), ("i", "wanna"), ("lets",),
               ("go", "ahead", "and"), ("for", "me"), ("all", "right"), ("right", "now"), ("if", "you", "can"))
# Words a person says around a style or painter's name, dropped before the name is matched
# (paintings.styles.name_words): "paint it in the style of the impressionists, please".
STYLE_FILLERS = {
    "a", "an", "the", "style", "styles", "styled", "like", "please", "in", "of", "as", "to", "make", "it", "paint",
    "painting", "paintings", "art", "artwork", "school", "movement", "period", "era", "i", "want", "um", "uh", "er",
    "with", "some", "do", "use", "try", "me", "give", "kind", "sort", "bit", "more", "ok", "okay", "now", "let", "lets",
    "s", "something", "how", "about", "would", "could", "you", "can", "we", "go", "for", "one",
}
# How a style is asked for in a sentence: when Whisper wrote a sentence that starts like one ("Paint it in the
# sky over the road."), these are checked against the audio with every style name after them.
STYLE_CARRIERS = ("paint it in the style of", "paint it in the style of the")
# Words that make a command's object: "save it", "undo that", "save the picture".
OBJECTS = {"it", "this", "that", "the", "picture", "painting", "image", "result", "one", "last", "please"}
# Words too slight to be a description on their own (Whisper writes "you" or "the" for a breath).
SLIGHT = {"a", "an", "the", "i", "you", "it", "its", "is", "and", "of", "to", "in", "on", "at", "um", "uh", "oh", "hmm", "mm",
          "yeah", "so", "well", "okay", "ok", "thank", "thanks", "bye", "hi", "hello", "hey", "me", "we", "he", "she",
          "they", "that", "this", "what", "huh", "ah", "ha", "wow"}
# Greetings, thanks, apologies and reactions: said to voiceart, but no command and no scene.
SMALL_TALK = {
    "hello", "hallo", "hullo", "hi", "hey", "hiya", "howdy", "hello there", "hi there", "hey there", "good morning",
    "good afternoon", "good evening", "good night", "goodnight", "morning", "how are you", "how are you doing",
    "hows it going", "whats up", "nice to meet you", "bye", "goodbye", "good bye", "bye bye", "see you", "see you later",
    "see ya", "farewell", "cheers", "sorry", "so sorry", "excuse me", "my bad", "oops", "whoops", "bless you",
    "wow", "great", "nice", "cool", "awesome", "perfect", "lovely", "beautiful", "amazing", "wonderful", "good", "fine",
    "fantastic", "brilliant", "excellent", "nice one", "well done", "good job", "very good", "very nice", "haha", "ha ha",
}
# "draw a lighthouse", "a picture of a lighthouse": the words after these are the scene.
DESCRIBE_LEADS = (("draw",), ("paint", "me"), ("show", "me"), ("make", "me"), ("give", "me"), ("i", "see"),
                  ("picture", "of"), ("painting", "of"), ("image", "of"), ("a", "picture", "of"), ("a", "painting", "of"),
                  ("an", "image", "of"), ("new", "picture", "of"), ("a", "new", "picture", "of"), ("draw", "me"),
                  ("paint",), ("imagine",), ("describe",), ("how", "about"))

NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
           "eleven": 11, "twelve": 12}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
            "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5,
            "6th": 6, "7th": 7, "8th": 8, "9th": 9, "10th": 10}
# After "number" or "option" Whisper hears "two" as "to", "four" as "for" and so on.
NUMBER_SOUNDALIKES = {"won": 1, "to": 2, "too": 2, "tu": 2, "tree": 3, "free": 3, "for": 4, "fore": 4, "sex": 6,
                      "ate": 8, "nein": 9, "tin": 10}
CHOOSE_WORDS = {"number", "numbers", "no", "nr", "option", "choice", "pick", "choose", "select", "take", "the", "i", "ill",
                "id", "go", "with", "want", "style", "painting", "picture", "like", "one", "please", "lets", "use"}
# "a lighthouse", "the beach", "some boats": how a thing to draw usually begins.
ARTICLES = {"a", "an", "the", "some"}
# Words of a wish or a choice rather than of a scene: "I think baroque would be nice", "go for baroque".
WISH_WORDS = {"think", "would", "could", "might", "should", "be", "nice", "better", "good", "great", "lovely", "love",
              "prefer", "want", "wanna", "maybe", "perhaps", "instead", "rather", "switch", "change", "go", "for", "to",
              "with", "how", "about", "id", "we", "let", "us", "see", "time", "try", "this", "again", "version"}
STYLE_WORDS = {"paint", "painted", "painting", "repaint", "style", "styles", "like", "in", "the", "of", "as", "make", "it",
               "a", "an", "do", "try", "use", "something", "looking", "look", "into", "turn", "please", "way"}
