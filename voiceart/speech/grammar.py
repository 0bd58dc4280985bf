"""From a transcript to a command: pure functions, no audio.

``parse(text, expecting, styles, numbered)`` turns what Whisper wrote down into one
:class:`Command`. It knows what the session is waiting for (:class:`Expecting`), so "save the
whales at sea" is a description while a description is expected, and "save" is a command.

A confidence ladder decides what happens next:

* sure (confidence >= ``SURE``): act on the command;
* unsure: the command carries a ``question`` ("Did you mean Impressionism?"); ask it, expect
  yes or no, and act on the command on "yes";
* nothing matched: command "none", with a ``hint`` to say (never on silence).

A guess at a misheard command is only asked about when it sounds like the command: the same
consonants in the same order ("agen" and "again", "undue" and "undo", "read" and "redo"), one
letter off ("same" and "save"), or the word cut short ("strong" and "stronger"). Letters alone
are not enough ("great" and "repeat"), and greetings, apologies and other small talk ("Hello.")
get a hint, never a question. Nor is a short scene taken for a misheard command or style: "a
lighthouse" (an article, something to draw, no command word) is drawn while a picture is shown and
asked about ("Shall I draw a lighthouse?") while a style is expected. A style named in a sentence
with nothing else to draw in it ("I think baroque would be nice") is asked about as that style.

Style names go through :func:`voiceart.paintings.styles.match_style`, the same forgiving matcher
the command line uses (adjective forms, aliases, misspellings, mishearings). The words themselves
(commands, phrases, fillers) and the normaliser and scorer are the vocabulary's (:mod:`voiceart.vocabulary`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from voiceart.errors import UnknownStyleError
from voiceart.paintings import styles as style_names
from voiceart.vocabulary import (ARTICLES, CHOOSE_WORDS, DESCRIBE_LEADS, FILLER_RUNS, FILLERS, NONE, NUMBER_SOUNDALIKES,
                                 NUMBERS, OBJECTS, ORDINALS, PHRASES, SCENE_WORDS, SLIGHT, SMALL_TALK, SPOKEN, STYLE_WORDS,
                                 WISH_WORDS, Command, Expecting, ngrams, phonetic, ratio, say, similarity, words)

SURE = 0.85  # act at or above this confidence; ask below it
ASK = 0.6  # below this, a guess at a style is not worth a question
COMMAND_ASK = 0.65  # nor a guess at a command ...
SAME_SOUNDS_ASK = 0.5  # ... unless it has exactly the command's consonants ("agen", "undue")
STYLE_SOUNDS = 0.8  # a style guess needs consonants this alike (ratio): "touch" / "dutch" 0.8

# The phrases of each command (voiceart/vocabulary/heard.py) indexed: phrase -> command.
_PHRASE_INDEX = {phrase: name for name, phrases in PHRASES.items() for phrase in phrases}
# Words that are a command on their own ("save", "less", "stop"): an utterance holding one is no plain scene.
_COMMAND_WORDS = {phrase for phrase in _PHRASE_INDEX if " " not in phrase}
# Command phrases as Whisper may split them: "a gain" is "again", "start over" may come as "startover".
_RUN_TOGETHER = {phrase.replace(" ", "") for phrase in _PHRASE_INDEX}
# What a misheard utterance is compared with: the short phrases and the canonical ones ("a bit less"
# is not a sound worth guessing at).
_FUZZY_TARGETS = {phrase: name for phrase, name in _PHRASE_INDEX.items() if len(phrase.split()) <= 2}
_FUZZY_TARGETS.update({spoken.lower(): name for name, spoken in SPOKEN.items()})
_SCENE_NOUNS = frozenset(phrase.split()[-1] for phrase in SCENE_WORDS)  # "windmill", "night", "trees"
_NOT_THINGS = SLIGHT | OBJECTS | ARTICLES | STYLE_WORDS | CHOOSE_WORDS | WISH_WORDS  # words that name nothing to draw


def _drop_fillers(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for run in FILLER_RUNS:
            if tuple(tokens[i:i + len(run)]) == run:
                i += len(run)
                break
        else:
            if tokens[i] not in FILLERS:
                out.append(tokens[i])
            i += 1
    return out


def _collapse_repeats(tokens: list[str]) -> list[str]:
    """Whisper sometimes writes a word twice ("Save. Save."); "again again" is still "again"."""
    out: list[str] = []
    for t in tokens:
        if not out or out[-1] != t:
            out.append(t)
    return out


def _skeleton(key: str) -> str:
    """Consonants only, sound-alike spelled: Whisper's "console" and "cancel" are both "knsl", "knew" and "new" "n"."""
    return re.sub(r"[aeiouyhw]", "", phonetic(re.sub(r"^kn", "n", key)))


def _consonants_alike(a: str, b: str) -> float:
    """How alike the consonant skeletons of two keys are (ratio; 0 when either has none)."""
    sa, sb = _skeleton(a), _skeleton(b)
    return ratio(sa, sb) if sa and sb else 0.0


def _similarity(a: str, b: str) -> float:
    """:func:`voiceart.vocabulary.similarity`, stricter for short words and kinder to the same consonants."""
    score = similarity(a, b)
    if min(len(a), len(b)) < 5:
        score -= 0.1  # short words need a closer match: "safe" is "save", "same" is not
    sa, sb = _skeleton(a), _skeleton(b)
    if min(len(sa), len(sb)) >= 4 and abs(len(sa) - len(sb)) <= 1:
        score = max(score, 0.9 * ratio(sa, sb))
    return score


def _one_letter_off(a: str, b: str) -> bool:
    """Whether two words differ by one letter at most, changed, added or dropped ("same"/"save")."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), len(a))
    return a[i + 1:] == b[i + 1:] if len(a) == len(b) else a[i:] == b[i + 1:]


def _worth_asking(key: str, target: str, score: float) -> bool:
    """Whether ``key`` sounds enough like the command phrase ``target`` to ask "Did you mean ...?":
    the same consonants ("agen"/"again", "undue"/"undo"); or letters alike enough and either one
    letter off, as spoken ("same"/"save", "unboo"/"undo"), or the word cut short ("weak"/"weaker").
    "hello"/"help" (a greeting anyway), "great"/"repeat", "water"/"weaker" are none of these."""
    if _consonants_alike(key, target) == 1.0:
        return score >= SAME_SOUNDS_ASK
    sounded = _one_letter_off(phonetic(key), phonetic(target))
    clipped = len(key) >= 4 and target.startswith(key)
    return (sounded or clipped) and score >= COMMAND_ASK


# --- commands -----------------------------------------------------------------------------------

def _exact_command(tokens: list[str]) -> str | None:
    if not tokens:
        return None
    for candidate in (tokens, _collapse_repeats(tokens)):
        key = " ".join(candidate)
        if key in _PHRASE_INDEX:
            return _PHRASE_INDEX[key]
        # "save the picture please", "undo that one": the command with an object after it
        for cut in range(len(candidate) - 1, 0, -1):
            if all(t in OBJECTS for t in candidate[cut:]):
                head = " ".join(candidate[:cut])
                if head in _PHRASE_INDEX and _PHRASE_INDEX[head] not in ("yes", "no"):
                    return _PHRASE_INDEX[head]
    return None


def _fuzzy_command(tokens: list[str], worth_asking: bool = False) -> tuple[str, float, str] | None:
    """(command, score, phrase) of the closest command phrase, for short utterances; with
    ``worth_asking``, the closest of those that sound like the utterance (see _worth_asking).
    Another number of words costs 0.1: "Start." is not quite "store it", "A gain." not quite "again"."""
    if not tokens or len(tokens) > 4:
        return None
    key = "".join(tokens)
    best = None
    for phrase, name in _FUZZY_TARGETS.items():
        target = phrase.replace(" ", "")
        score = _similarity(key, target) - (0.1 if len(phrase.split()) != len(tokens) else 0.0)
        if (best is None or score > best[1]) and (not worth_asking or _worth_asking(key, target, score)):
            best = (name, score, phrase)
    return best


# --- numbers --------------------------------------------------------------------------------------

def _number(tokens: list[str], numbered: Sequence[str]) -> int | None:
    """The number an utterance picks: "number two", "the second one", "2", "option to"; else None."""
    if not tokens:
        return None
    if tokens in (["the", "last", "one"], ["the", "last"], ["last", "one"], ["last"]) and numbered:
        return len(numbered)
    found: list[int] = []
    after_number_word = False
    for i, t in enumerate(tokens):
        value = None
        if t.isdigit() and len(t) <= 2:
            value = int(t)
        elif t in ORDINALS:
            value = ORDINALS[t]
        elif t in NUMBERS and not (t == "one" and found):  # "the second one": "one" is not a number there
            value = NUMBERS[t]
        elif after_number_word and t in NUMBER_SOUNDALIKES:
            value = NUMBER_SOUNDALIKES[t]
        elif t not in CHOOSE_WORDS:
            return None  # another word: not a bare choice ("two cats" is a scene)
        if t == "no" and not (i + 1 < len(tokens) and (tokens[i + 1].isdigit() or tokens[i + 1] in NUMBERS)):
            return None  # "no" alone is an answer, "No. 2" is Whisper's "number two"
        after_number_word = t in ("number", "numbers", "no", "nr", "option", "choice")
        if value is not None:
            found.append(value)
    if len(found) != 1 or found[0] < 1:
        return None
    return found[0]


def _option_by_name(tokens: list[str], numbered: Sequence[str]) -> tuple[int, float] | None:
    """An option of the numbered list named by (part of) its text."""
    key = "".join(tokens)
    if not key or not numbered:
        return None
    scores = [(_similarity(key, "".join(words(option))), i + 1) for i, option in enumerate(numbered)]
    score, number = max(scores)
    return (number, score) if score >= ASK else None


# --- styles ---------------------------------------------------------------------------------------

@dataclass
class _StyleMatch:
    style: str | None
    confidence: float
    pure: bool  # every word of the utterance is part of the style's name (or a carrier like "paint it in")
    hint: str | None = None
    suggestion: str | None = None
    unexplained: tuple[str, ...] = ()  # the words that are not part of the style's name


def _match_style(tokens: list[str], styles: Sequence[str]) -> _StyleMatch | None:
    content = [t for t in tokens if t not in STYLE_WORDS]
    if not content or not styles:
        return None
    spoken = " ".join(content)
    key = "".join(content)
    try:
        style = style_names.match_style(spoken, styles)
    except UnknownStyleError as exc:
        suggestion = exc.suggestions[0] if exc.suggestions else None
        score = max((_similarity(key, k) for k in style_names.keys(suggestion)), default=0.0) if suggestion else 0.0
        lacking = style_names.info(spoken) is not None and style_names.info(spoken).name not in styles
        return _StyleMatch(None, score, len(content) <= 3, hint=str(exc), suggestion=None if lacking else suggestion)
    vocabulary = style_names.words_for(style)
    unexplained = [w for w in content if w not in vocabulary and max((_similarity(w, v) for v in vocabulary), default=0) < 0.75]
    keys = style_names.keys(style)
    if key in keys:
        confidence = 1.0
    else:
        grams = ngrams(content)
        confidence = max(_similarity(g, k) for g in grams for k in keys)
        if any(g in keys for g in grams):
            confidence = 1.0
    return _StyleMatch(style, min(confidence, 1.0), not unexplained, unexplained=tuple(unexplained))


# --- parse ----------------------------------------------------------------------------------------

def _strip_edges(text: str) -> str:
    """The description as said, without fillers at its ends or trailing punctuation."""
    parts = re.findall(r"\S+", text)
    while parts and _drop_fillers(words(parts[0])) == [] and words(parts[0]):
        parts.pop(0)
    while parts and _drop_fillers(words(parts[-1])) == [] and words(parts[-1]):
        parts.pop()
    return " ".join(parts).strip(" ,.;:!?-\"'").strip()


def _describe_lead(tokens: list[str]) -> int:
    """How many words of a leading "draw", "a picture of"... there are (0 when none)."""
    best = 0
    for lead in DESCRIBE_LEADS:
        if tuple(tokens[:len(lead)]) == lead and len(tokens) > len(lead):
            best = max(best, len(lead))
    return best


def _scene_after(text: str, lead: int) -> str:
    """The original text without its first ``lead`` words (and fillers before them)."""
    parts = re.findall(r"\S+", _strip_edges(text))
    seen = 0
    while parts and seen < lead:
        if _drop_fillers(words(parts[0])):
            seen += len(words(parts[0]))
        parts.pop(0)
    return _strip_edges(" ".join(parts))


def _things(tokens: list[str], style: _StyleMatch | None) -> list[str]:
    """The words that may name something to draw: not a small word, a command's object, a word that
    carries a style, a choice or a wish, nor part of the style named."""
    said = style.unexplained if style is not None and style.style is not None else tokens
    return [t for t in said if not t.isdigit() and t not in _NOT_THINGS]


def _looks_like_scene(tokens: list[str], style: _StyleMatch | None) -> bool:
    """An article, then something to draw and no command word: "a lighthouse", "the beach at night",
    "a baroque church", "a street" (though it sounds like "store it"); but not "a different one", "the
    baroque would be nice" nor "a gain"."""
    return (len(tokens) >= 2 and tokens[0] in ARTICLES and bool(_things(tokens[1:], style))
            and not any(t in _COMMAND_WORDS for t in tokens) and "".join(tokens) not in _RUN_TOGETHER)


def _is_slight(tokens: list[str]) -> bool:
    return all(t in SLIGHT for t in tokens)


def _hint(expecting: Expecting, styles: Sequence[str], numbered: Sequence[str]) -> str:
    """What to say when nothing was understood: what may be said now."""
    example = next((s for s in ("Impressionism", "Baroque") if s in styles), styles[0] if styles else None)
    if expecting is Expecting.YES_NO:
        return say("yes_or_no")
    if expecting is Expecting.STYLE:
        if numbered:
            return say("hint_style_or_number_like" if example else "hint_style_or_number", example=example, count=len(numbered))
        return say("hint_style_like" if example else "hint_style", example=example)
    if expecting is Expecting.DESCRIPTION:
        return say("hint_scene")
    return say("not_understood", hint=say("hint_commands"))


def parse(text: str, expecting: "Expecting | str" = Expecting.ANYTHING, styles: Sequence[str] = (),
          numbered: Sequence[str] = ()) -> Command:
    """Understand one transcript. Never raises for odd text: nothing understood is command "none"."""
    expecting = Expecting.parse(expecting)
    if expecting is Expecting.ASLEEP:  # only waking counts ("weak up" is asked about); the rest is nothing, quietly
        command = parse(text, Expecting.ANYTHING, styles, numbered)
        return command if command.name == "wake" else NONE
    styles = list(styles)
    raw = words(text or "")
    if not raw:
        return NONE  # silence: nothing to say back
    # "Okay." alone answers a question; elsewhere it is a filler.
    if expecting is Expecting.YES_NO and raw in (["okay"], ["ok"], ["alright"], ["all", "right"]):
        return Command("yes")
    tokens = _drop_fillers(raw)
    if not tokens:
        return NONE  # "um", "please", "okay": nothing meant

    # 1. A whole utterance that is a command phrase is the command, whatever is expected
    #    (as said, too: "hello voiceart" wakes, though "voiceart" alone is a filler).
    name = _exact_command(tokens) or _exact_command(raw)
    if name is not None:
        return Command(name)

    # 2. A bare number: "number two", "the second one", "2".
    number = _number(tokens, numbered)
    if number is not None:
        if numbered and not 1 <= number <= len(numbered):
            hint = say("one_choice") if len(numbered) == 1 else say("choices_to_number", count=len(numbered))
            return Command("none", confidence=0.0, hint=hint)
        return Command("choose", str(number))

    # 3. Answers to a question: yes, no, or "no, Baroque" (a correction).
    if expecting is Expecting.YES_NO:
        return _parse_answer(tokens, styles, numbered)

    # 4. Small talk ("Hello.", "Sorry.", "Great!"): no command and no scene; say what can be said.
    if " ".join(tokens) in SMALL_TALK:
        hint = say("hint_commands") if expecting is Expecting.ANYTHING else _hint(expecting, styles, numbered)
        return Command("none", confidence=0.0, hint=hint)

    style = _match_style(tokens, styles)
    if expecting is Expecting.DESCRIPTION:
        return _parse_description(text, tokens, style, styles, numbered)
    return _parse_open(text, tokens, style, styles, numbered, choosing=expecting is Expecting.STYLE)


def _described(text: str, tokens: list[str], lead: int, styles: Sequence[str]) -> Command:
    """What follows "draw", "how about" ...: a style alone ("how about baroque") is that style, else the scene."""
    style = _match_style(tokens[lead:], styles)
    if style is not None and style.style is not None and style.pure:
        return _style_command(style)
    return Command("describe", _scene_after(text, lead), 0.9)


def _style_request(tokens: list[str]) -> int:
    """How many leading words ask for a style ("paint it in the style of the", "paint it like the", "paint it
    in the"), or 0. "Make it look like a castle" asks for a scene: "like a" is a thing, "like the" a school of
    painters; but "it in" is the picture shown, put in a manner ("Paint it in the sky over the road." is how
    Whisper may hear "paint it in the style of the baroque": never a scene)."""
    n = 0
    while n < len(tokens) - 1 and tokens[n] in STYLE_WORDS:
        n += 1
    run = tokens[:n]
    pairs = [run[i:i + 2] for i in range(n - 1)]
    return n if n >= 2 and ("style" in run or ["like", "the"] in pairs or ["it", "in"] in pairs) else 0


def _unknown_style(rest: list[str], styles: Sequence[str], numbered: Sequence[str]) -> Command:
    """ "Paint it in the style of the road.": a style was asked for, so it is never drawn as a scene;
    the style ``rest`` (the words after the request) sounds like is asked about, else what may be said."""
    question = _style_question(_match_style(rest, styles), rest)
    return question or Command("none", confidence=0.0, hint=_hint(Expecting.STYLE, styles, numbered))


def _ask_to_draw(text: str) -> Command:
    scene = _strip_edges(text)
    return Command("describe", scene, 0.6, question=say("shall_i_draw", scene=scene))


def _style_in_a_sentence(match: _StyleMatch) -> Command:
    """"I think impressionism would be nice": a style inside a sentence; asked, as it may be a scene."""
    return Command("style", match.style, min(match.confidence, 0.75), question=say("did_you_mean", what=match.style))


def _style_command(match: _StyleMatch) -> Command:
    if match.confidence >= SURE:
        return Command("style", match.style, match.confidence)
    return Command("style", match.style, match.confidence, question=say("did_you_mean", what=match.style))


def _style_question(match: _StyleMatch | None, tokens: list[str]) -> Command | None:
    """A guess at a style for a short utterance that matched none, when its consonants are alike:
    "Touch." -> "Did you mean Dutch Golden Age?", but not "Black." -> Baroque ("barack")."""
    if match is None or match.style is not None or match.suggestion is None or len(tokens) > 3 or match.confidence < ASK:
        return None
    key = "".join(t for t in tokens if t not in STYLE_WORDS)
    if max(_consonants_alike(key, k) for k in style_names.keys(match.suggestion)) < STYLE_SOUNDS:
        return None
    return Command("style", match.suggestion, match.confidence, question=say("did_you_mean", what=match.suggestion))


def _command_question(tokens: list[str]) -> Command | None:
    """A misheard command: acted on when very close ("Console." is cancel), asked about when it sounds
    like one ("Agen." -> "Did you mean 'again'?"), else None. Never a question about yes or no."""
    guess = _fuzzy_command(tokens)
    if guess is None:
        return None
    if guess[1] >= 0.9 and guess[0] not in ("yes", "no"):
        return Command(guess[0], confidence=guess[1])
    guess = _fuzzy_command(tokens, worth_asking=True)
    if guess is None or guess[0] in ("yes", "no"):
        return None
    name, score, phrase = guess
    return Command(name, confidence=score, question=say("did_you_mean_phrase", phrase=SPOKEN.get(name, phrase)))


def _parse_answer(tokens: list[str], styles: Sequence[str], numbered: Sequence[str]) -> Command:
    first = _exact_command(tokens[:1]) if tokens else None
    if first in ("yes", "no") and len(tokens) > 1:
        rest = tokens[1:]
        rest_name = _exact_command(rest)
        if first == "no":  # "no, Baroque": the right answer instead
            match = _match_style(rest, styles)
            if match is not None and match.style is not None and match.pure:
                return _style_command(match)
            number = _number(rest, numbered)
            if number is not None:
                return Command("choose", str(number))
        if rest_name in (None, first) or rest_name in ("yes", "no"):
            return Command(first, confidence=0.95)
    guess = _fuzzy_command(tokens)
    if guess is not None and guess[0] in ("yes", "no") and guess[1] >= 0.75:
        return Command(guess[0], confidence=guess[1])
    match = _match_style(tokens, styles)
    if match is not None and match.style is not None and match.pure:
        return _style_command(match)
    return Command("none", confidence=0.0, hint=_hint(Expecting.YES_NO, styles, numbered))


def _parse_description(text: str, tokens: list[str], style: _StyleMatch | None, styles: Sequence[str],
                       numbered: Sequence[str]) -> Command:
    # A style said on its own ("Impressionism", "paint it like the Baroque") is a style, not a scene.
    if style is not None and style.style is not None and style.pure:
        return _style_command(style)
    request = _style_request(tokens)
    if request:
        return _unknown_style(tokens[request:], styles, numbered)
    lead = _describe_lead(tokens)
    scene = _scene_after(text, lead) if lead else _strip_edges(text)
    if _is_slight(tokens):
        return Command("none", confidence=0.0, hint=_hint(Expecting.DESCRIPTION, styles, numbered))
    return Command("describe", scene, 1.0 if len(tokens) >= 2 else 0.9)


def _parse_open(text: str, tokens: list[str], style: _StyleMatch | None, styles: Sequence[str],
                numbered: Sequence[str], choosing: bool) -> Command:
    """A style, a command or a scene, while a picture is shown (or asleep) or, ``choosing``, while a
    style is expected. Choosing, a style is the likelier meaning: a style inside a sentence wins over
    commands, an option of the list may be named, a scene is asked about rather than drawn, and a
    guess at a style is asked before a guess at a command."""
    named = style is not None and style.style is not None
    if named and style.pure:
        return _style_command(style)
    request = 0 if named else _style_request(tokens)
    if request:
        return _unknown_style(tokens[request:], styles, numbered)
    lead = _describe_lead(tokens)
    scene = _looks_like_scene(tokens, style)  # "a lighthouse": a new scene, not a misheard style or command
    command = _command_question(tokens)
    sure = command is not None and command.sure
    if named and len(tokens) <= 8 and not lead and not scene and (choosing or not (sure or _things(tokens, style))):
        return _style_in_a_sentence(style)  # "I think baroque would be nice": nothing in it to draw
    option = _option_by_name(tokens, numbered) if choosing else None
    if option is not None and option[1] >= SURE:
        return Command("choose", str(option[0]), option[1])
    if lead:
        return _described(text, tokens, lead, styles)
    if scene:
        return _ask_to_draw(text) if choosing else Command("describe", _strip_edges(text), 0.9)
    if sure:
        return command
    asked = _style_question(style, tokens)
    guesses = (asked, command) if choosing else (command, asked)
    guess = next((g for g in guesses if g is not None), None)
    if guess is not None:
        return guess
    content = [t for t in tokens if t not in SLIGHT]
    if choosing and len(content) >= 2:
        return _ask_to_draw(text)
    if not choosing and len(content) >= 3:
        return Command("describe", _strip_edges(text), 0.9)
    if not choosing and len(tokens) >= 2 and content:
        # "Windmill and greenfield." names a thing scenes are made of: drawn; "Sonic time." (for "tone it down")
        # does not: too little to draw unasked.
        if any(t in _SCENE_NOUNS or t.rstrip("s") in _SCENE_NOUNS for t in content):
            return Command("describe", _strip_edges(text), 0.9)
        return _ask_to_draw(text)
    # What the style matcher said ("I don't know the style ...") if the utterance may have been a style name.
    said = style is not None and style.hint and not named and (len(tokens) <= 3 if choosing else style.confidence >= ASK)
    expected = Expecting.STYLE if choosing else Expecting.ANYTHING
    return Command("none", confidence=0.0, hint=style.hint if said else _hint(expected, styles, numbered))


def prompt(styles: Sequence[str] = ()) -> str:
    """The recogniser's initial prompt: every command and style name as a short sentence of its own,
    then the things a scene is made of.

    Whisper reads a prompt as the transcript of what came before, so a run of short sentences like
    the utterances to come works better than a list ("Commands: ...") does: on espeak-ng voices it
    halves the commands tiny.en gets wrong. The scene words come last, nearest to what is heard, so
    that a description keeps its nouns (SCENE_WORDS; docs/speech-accuracy.md has both figures).
    """
    phrases = ["Again", "Another style", "Save", "Undo", "Redo", "More style", "Less style", "Stronger", "Weaker",
               "Repeat", "Help", "What can I say?", "Start over", "Stop listening", "Wake up", "Cancel", "Yes", "No",
               "Number two"]
    phrases += list(styles)
    scene = ", ".join(SCENE_WORDS)
    return " ".join(p if p.endswith("?") else p + "." for p in phrases) + " " + scene[:1].upper() + scene[1:] + "."
