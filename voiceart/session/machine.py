"""The hands-free loop as a state machine: events in, actions out, nothing else.

No I/O, threads, models or clocks: the app feeds in what was heard and what the stages made,
and carries out the :class:`~voiceart.session.events.Say`, ``Run``, ``Keep`` and ``Show``
actions. Seeds come from a ``random.Random`` of the session's own, so a session replays exactly.

Choices made for the person (docs/commands.md says them too):

* Every utterance gets a spoken answer, except while asleep, where only "wake up" is acted on.
* A new description or style while a picture is being made replaces that job (its late result
  is ignored): someone who says something new while waiting means it. A style named while the
  picture is still being drawn is remembered and used as soon as the drawing is ready.
* Commands act on the current picture whatever the state, so after "start over" "save" still
  saves what is on screen; numbers only pick from a list that was just read out.
* "stronger" and "weaker" change the strength used from then on, not just once.
* Nothing is ever removed: undo and redo walk the pictures that were current, the history keeps all.

Every sentence it says is in the vocabulary's table (voiceart/vocabulary/said.toml), by name.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from voiceart.errors import VoiceartError
from voiceart.genre.recommend import join_words
from voiceart.session.events import (Action, Draw, Drawn, Event, Failed, Heard, Keep, Picture, Problem, Run, Save,
                                     Saved, Say, Show, State, Stylize, Stylized, View)
from voiceart.text2image.bridge import Change
from voiceart.vocabulary import SENTENCES, SPOKEN, Command, Expecting, say

STEP = 0.25  # how much "stronger" and "weaker" change the style strength
WEAKEST, STRONGEST = 0.25, 1.0
EXAMPLE = SENTENCES["example"]
# The commands with a phrase of their own, in the order help and the window list them.
LISTED = ("again", "stronger", "weaker", "styles", "undo", "redo", "save", "new", "cancel", "repeat", "help", "sleep")


class StrengthError(VoiceartError):
    """A starting style strength outside what "stronger" and "weaker" step through."""


@dataclass(frozen=True)
class _Work:
    """The drawing or painting being made, and the state to go back to if it fails or is cancelled."""

    job: Draw | Stylize
    before: State
    source: Picture | None = None  # the drawn picture a Stylize repaints


class Session:
    """One person's session: what is on screen, what is being made, and every picture so far."""

    def __init__(self, seed: int = 0, strength: float = 1.0, asleep: bool = False,
                 knows: Callable[[str], bool] | None = None):
        """``knows(description)``: whether the text-to-image model can draw anything of it (the app
        asks the word bridge); a description it cannot is never drawn: "Sleeve it." is no scene."""
        if not WEAKEST <= strength <= STRONGEST:
            raise StrengthError(f"The style strength must be between {WEAKEST:g} and {STRONGEST:g}, not {strength:g}.")
        self._rng = random.Random(seed)
        self._knows = knows
        self._strength = strength
        self._state = State.DESCRIBING  # what the session is doing, asleep or not
        self._asleep = asleep
        self._history: list[Picture] = []
        self._trail: list[int] = []  # the numbers of the pictures that were current, in order: undo/redo walk it
        self._at = -1  # where in the trail the current picture is
        self._advice: dict[int, tuple[tuple[str, ...], str]] = {}  # drawn picture -> (styles, sentence)
        self._work: _Work | None = None
        self._saves: dict[int, Picture] = {}
        self._next_job = 1
        self._question: Command | None = None
        self._queued_style: str | None = None  # named while drawing, used when the drawing is ready
        self._before_new: State | None = None  # so "cancel" right after "start over" goes back
        self._news: list[str] = []  # what finished while asleep, said on waking
        self._shown_styled = False  # the first styled picture also says what can be said next
        self._heard = ""
        self._said = ""
        self._message = ""

    # --- what the app and the window read ---------------------------------------------------------

    @property
    def state(self) -> State:
        return State.ASLEEP if self._asleep else self._state

    @property
    def expecting(self) -> Expecting:
        """How the grammar should read the next utterance."""
        if self._question is not None:
            return Expecting.YES_NO
        if self._asleep:
            return Expecting.ASLEEP
        return {State.DESCRIBING: Expecting.DESCRIPTION, State.CHOOSING: Expecting.STYLE}.get(self._state, Expecting.ANYTHING)

    @property
    def numbered(self) -> tuple[str, ...]:
        """The styles read out as a numbered list for the current drawing (1-based when spoken)."""
        source = self._source
        if source is None or self._state not in (State.CHOOSING, State.SHOWING, State.STYLING):
            return ()
        return self._advice.get(source.number, ((), ""))[0]

    @property
    def history(self) -> tuple[Picture, ...]:
        return tuple(self._history)

    @property
    def current(self) -> Picture | None:
        return self._history[self._trail[self._at] - 1] if self._trail else None

    @property
    def view(self) -> View:
        return View(state=self.state, heard=self._heard, message=self._message, busy=self._busy(), picture=self.current,
                    styles=self.numbered, history=self.history, commands=self._commands())

    # --- events in, actions out -------------------------------------------------------------------

    def start(self) -> list[Action]:
        """The greeting: what voiceart does and what to say first."""
        if self._asleep:
            return self._reply(say("asleep"), loud=True)
        return self._reply(say("hello", example=EXAMPLE), "listening")

    def handle(self, event: Event) -> list[Action]:
        """Act on one event. Every answer ends with the view to show; only stale results get none."""
        if isinstance(event, Heard):
            if event.text:
                self._heard = event.text
            return self._on_asleep(event.command) if self._asleep else self._on_heard(event.command)
        if isinstance(event, Problem):
            return self._reply(event.message, "error", loud=True)
        if isinstance(event, Saved | Failed) and event.job in self._saves:
            return self._on_save_done(event)
        if self._work is None or event.job != self._work.job.job:
            return []  # a cancelled or replaced job: its result is not wanted
        if isinstance(event, Failed):
            return self._on_failed(event)
        if isinstance(event, Drawn) and isinstance(self._work.job, Draw):
            return self._on_drawn(event)
        if isinstance(event, Stylized) and isinstance(self._work.job, Stylize):
            return self._on_stylized(event)
        return []

    # --- what was heard ---------------------------------------------------------------------------

    def _on_asleep(self, command: Command) -> list[Action]:
        """Asleep, only waking counts; anything else is ignored without a word, but shown."""
        if self._question is not None:  # "Did you mean 'wake up'?"
            self._question = None
            if command.name == "yes":
                return self._wake()
            if command.name == "no":
                return self._reply(say("stay_asleep"), loud=True)
            return [Show(self.view)]
        if command.name == "wake":
            if command.question:
                self._question = command
                return self._reply(command.question, loud=True)
            return self._wake()
        return [Show(self.view)]

    def _on_heard(self, command: Command) -> list[Action]:
        if self._question is not None:
            return self._answer(command)
        if command.name == "none":
            return self._reply(command.hint or self._prompt())
        if command.question:
            refusal = self._refusal(command)
            if refusal:
                return self._reply(refusal)
            self._question = command
            return self._reply(command.question)
        return self._act(command)

    def _answer(self, command: Command) -> list[Action]:
        """The answer to "Did you mean ...?": yes acts on the guess, anything else understood replaces it."""
        guess = self._question
        if command.name == "none":
            return self._reply(command.hint or say("yes_or_no"))
        if command.name in ("repeat", "help"):
            return self._reply(say("question_again", question=guess.question) if command.name == "help" else guess.question)
        self._question = None
        if command.name == "yes":
            return self._act(replace(guess, question=None, confidence=1.0))
        if command.name == "no":
            return self._reply(say("alright", prompt=self._prompt()))
        if command.name == "cancel" and command.question is None:
            return self._reply(say("never_mind", prompt=self._prompt()))
        return self._on_heard(command)

    def _act(self, command: Command) -> list[Action]:
        refusal = self._refusal(command)
        if refusal:
            return self._reply(refusal)
        return getattr(self, f"_do_{command.name}")(command)

    def _refusal(self, command: Command) -> str | None:
        """Why ``command`` makes no sense now, in one short sentence; None when it does."""
        name, current, busy = command.name, self.current, self._work is not None
        if name in ("describe", "style") and not command.argument:
            return self._prompt()
        if name == "describe" and self._knows is not None and not self._knows(command.argument):
            return say("not_a_scene", said=command.argument, prompt=self._prompt())
        if name == "style" and current is None and self._state is not State.DRAWING:
            return say("no_picture_to_paint")
        if name == "choose":
            if self._state is State.DRAWING:
                return say("styles_when_drawn")
            if not self.numbered:
                return say("no_picture" if current is None else "no_list")
            count = len(self.numbered)
            if not (command.argument or "").isdigit() or not 1 <= int(command.argument) <= count:
                return say("one_style") if count == 1 else say("styles_to_number", count=count)
        if name == "styles":
            if self._state is State.DRAWING:
                return say("styles_when_drawn")
            if self._state is State.DESCRIBING:
                return say("styles_after_scene")
            if not busy and not self.numbered:
                return say("no_styles_to_suggest")
        if name in ("again", "stronger", "weaker", "styles", "undo", "redo") and busy:
            return say("still_drawing" if self._state is State.DRAWING else "still_painting")
        if name in ("again", "stronger", "weaker") and current is None:
            return say("no_picture")
        if name in ("stronger", "weaker"):
            if current.style is None:
                return say("no_style_to_change")
            if name == "stronger" and current.strength >= STRONGEST:
                return say("strongest")
            if name == "weaker" and current.strength <= WEAKEST:
                return say("weakest")
        if name == "undo" and self._at <= 0:
            return say("nothing_to_undo")
        if name == "redo" and self._at >= len(self._trail) - 1:
            return say("nothing_to_redo")
        if name == "save" and current is None:
            return say("no_picture_to_save")
        if name == "new" and self._state is State.DESCRIBING:
            return say("ready_for_new", example=EXAMPLE)
        if name == "cancel" and not busy and self._before_new is None:
            return say("nothing_to_cancel")
        if name in ("yes", "no"):
            return say("no_question", prompt=self._prompt())
        if name == "wake":
            return say("already_listening")
        return None

    # --- the commands -----------------------------------------------------------------------------

    def _do_describe(self, command: Command) -> list[Action]:
        return self._draw(command.argument, "drawing_instead" if self._work else "drawing")

    def _do_style(self, command: Command) -> list[Action]:
        style = command.argument
        if self._state is State.DRAWING:
            self._queued_style = style
            return self._reply(say("paint_when_drawn", style=style))
        current = self.current
        exclude = current.painting_id if current.style == style else None  # the same style again: another painting
        return self._stylize(self._source, style, self._strength, say("painting", style=style), exclude=exclude)

    def _do_choose(self, command: Command) -> list[Action]:
        return self._do_style(Command("style", self.numbered[int(command.argument) - 1]))

    def _do_styles(self, command: Command) -> list[Action]:
        """Read the styles suggested for the drawing again and wait for a choice; the picture stays."""
        self._state = State.CHOOSING
        return self._reply(self._prompt())

    def _do_again(self, command: Command) -> list[Action]:
        current = self.current
        if current.style is None:  # no style chosen yet: another drawing of the same description
            return self._draw(current.description, "drawing_again")
        return self._stylize(self._source, current.style, current.strength,
                             say("another_painting", style=current.style), exclude=current.painting_id)

    def _do_stronger(self, command: Command) -> list[Action]:
        return self._restrength(+STEP, "making_stronger")

    def _do_weaker(self, command: Command) -> list[Action]:
        return self._restrength(-STEP, "making_weaker")

    def _restrength(self, step: float, sentence: str) -> list[Action]:
        current = self.current
        self._strength = min(STRONGEST, max(WEAKEST, round(current.strength + step, 2)))
        return self._stylize(self._source, current.style, self._strength, say(sentence),
                             seed=current.seed, painting_id=current.painting_id)

    def _do_undo(self, command: Command) -> list[Action]:
        return self._move(-1, "back_to")

    def _do_redo(self, command: Command) -> list[Action]:
        return self._move(+1, "forward_to")

    def _move(self, step: int, sentence: str) -> list[Action]:
        self._at += step
        self._before_new = None
        current = self.current
        self._state = State.CHOOSING if current.style is None else State.SHOWING
        return self._reply(say(sentence, picture=self._name(current)))

    def _do_save(self, command: Command) -> list[Action]:
        job = Save(self._job_id(), self.current)
        self._saves[job.job] = job.picture
        return [Run(job), *self._reply(say("saving", number=job.picture.number))]

    def _do_new(self, command: Command) -> list[Action]:
        before = self._work.before if self._work else self._state
        self._work, self._queued_style = None, None
        self._before_new = before if self.current is not None and before is not State.DESCRIBING else None
        self._state = State.DESCRIBING
        return self._reply(say("starting_over_kept" if self._history else "starting_over", example=EXAMPLE))

    def _do_cancel(self, command: Command) -> list[Action]:
        if self._work is not None:
            self._state = self._work.before
            self._work, self._queued_style = None, None
            return self._reply(say("cancelled", prompt=self._prompt()))
        self._state, self._before_new = self._before_new, None
        return self._reply(say("back_to", picture=self._name(self.current)))

    def _do_repeat(self, command: Command) -> list[Action]:
        return [Say(self._said or self._prompt()), Show(self.view)]

    def _do_help(self, command: Command) -> list[Action]:
        prompt = self._prompt()
        others = [SPOKEN[name] for name in self._available() if name != "help" and f"'{SPOKEN[name]}'" not in prompt]
        return self._reply(say("also_say", prompt=prompt, commands=join_words(others)) if others else prompt)

    def _do_sleep(self, command: Command) -> list[Action]:
        self._asleep = True
        return self._reply(say("going_to_sleep"), loud=True)

    def _wake(self) -> list[Action]:
        self._asleep = False
        news, self._news = " ".join(self._news), []
        return self._reply(say("awake", news=news or self._prompt()), "listening")

    # --- jobs and their results -------------------------------------------------------------------

    def _job_id(self) -> int:
        self._next_job += 1
        return self._next_job - 1

    def _begin(self, work: Draw | Stylize, state: State, source: Picture | None = None) -> None:
        """Make ``work`` the one job being waited for; a job it replaces is forgotten."""
        before = self._work.before if self._work else self._state
        self._work = _Work(work, before, source)
        self._state, self._before_new = state, None

    def _draw(self, description: str, sentence: str) -> list[Action]:
        """Draw ``description``, saying the sentence called ``sentence``."""
        self._queued_style = None
        job = Draw(self._job_id(), description, self._rng.randrange(2**31))
        self._begin(job, State.DRAWING)
        return [Run(job), *self._reply(say(sentence, description=description), "working")]

    def _stylize(self, source: Picture, style: str, strength: float, sentence: str, *, seed: int | None = None,
                 painting_id: str | None = None, exclude: str | None = None, done: tuple[Action, ...] = (),
                 said: str = "") -> list[Action]:
        seed = self._rng.randrange(2**31) if seed is None else seed
        job = Stylize(self._job_id(), source.image, style, strength, seed, painting_id, exclude)
        self._begin(job, State.STYLING, source)
        return [*done, Run(job), *self._reply(f"{said}{sentence}", "working")]

    def _on_drawn(self, result: Drawn) -> list[Action]:
        job = self._work.job
        picture = self._add(Picture(len(self._history) + 1, result.image, job.description, genre=result.genre, seed=job.seed,
                                    word_changes=result.said.summary() if result.said else ""))
        self._advice[picture.number] = (tuple(result.styles), result.sentence)
        self._work = None
        self._state = State.CHOOSING
        unknown = _words_sentence(result.said.changes if result.said else (), result.unknown_words)
        if self._queued_style:
            style, self._queued_style = self._queued_style, None
            return self._stylize(picture, style, self._strength, say("drawn_now_painting", description=job.description, style=style),
                                 done=(Keep(picture),), said=unknown)
        return [Keep(picture), *self._reply(f"{unknown}{result.sentence} {self._prompt()}", "done")]

    def _on_stylized(self, result: Stylized) -> list[Action]:
        work = self._work
        source = work.source
        picture = self._add(Picture(len(self._history) + 1, result.image, source.description, genre=source.genre,
                                    style=result.style, painting_id=result.painting_id,
                                    painting_credit=result.painting_credit, painting_licence=result.painting_licence,
                                    strength=work.job.strength, seed=work.job.seed, source=source.number))
        self._work = None
        self._state = State.SHOWING
        sentence = say("painted", style=result.style, credit=result.painting_credit)
        if not self._shown_styled:
            self._shown_styled = True
            sentence += " " + self._prompt()
        return [Keep(picture), *self._reply(sentence, "done")]

    def _on_failed(self, result: Failed) -> list[Action]:
        self._state = self._work.before
        self._work, self._queued_style = None, None
        return self._reply(f"{result.message} {self._prompt()}", "error")

    def _on_save_done(self, result: Saved | Failed) -> list[Action]:
        picture = self._saves.pop(result.job)
        if isinstance(result, Failed):
            return self._reply(say("save_failed", message=result.message, number=picture.number), "error")
        return self._reply(say("saved", name=result.path.name, folder=result.path.parent.name), "done",
                           shown=say("saved_shown", number=picture.number, path=result.path))

    def _add(self, picture: Picture) -> Picture:
        """A new picture goes into the history and becomes current; what could be redone is left behind."""
        self._history.append(picture)
        self._trail = self._trail[:self._at + 1] + [picture.number]
        self._at = len(self._trail) - 1
        return picture

    # --- words and the view -----------------------------------------------------------------------

    def _reply(self, text: str, earcon: str | None = None, *, loud: bool = False, shown: str | None = None) -> list[Action]:
        """Say ``text`` and show the view. Asleep, results are only shown and told on waking, unless ``loud``."""
        self._message = shown or text
        if self._asleep and not loud:
            self._news.append(text)
            return [Show(self.view)]
        self._said = text
        return [Say(text, earcon), Show(self.view)]

    @property
    def _source(self) -> Picture | None:
        """The drawn picture under the current one: what a style repaints."""
        current = self.current
        if current is None or current.source is None:
            return current
        return self._history[current.source - 1]

    def _name(self, picture: Picture) -> str:
        if picture.style:
            return say("picture_styled", number=picture.number, description=picture.description, style=picture.style)
        return say("picture", number=picture.number, description=picture.description)

    def _prompt(self) -> str:
        """What to do now, in a sentence or two."""
        if self._question is not None:
            return self._question.question
        if self._state is State.DESCRIBING:
            return say("prompt_describe", example=EXAMPLE)
        if self._state is State.DRAWING:
            return say("prompt_drawing", description=self._work.job.description)
        if self._state is State.STYLING:
            return say("prompt_painting", style=self._work.job.style)
        if self._state is State.CHOOSING:
            numbered = self.numbered
            if not numbered:
                return say("prompt_choose")
            listed = say("numbered_separator").join(say("numbered_style", number=i, style=style)
                                                    for i, style in enumerate(numbered, 1))
            return say("prompt_numbered", listed=listed)
        return say("prompt_showing")

    def _busy(self) -> str:
        if self._work is not None:
            job = self._work.job
            if isinstance(job, Draw):
                return say("busy_drawing", description=job.description)
            return say("busy_painting", style=job.style)
        return say("busy_saving") if self._saves else ""

    def _available(self) -> list[str]:
        """The listed commands that make sense now."""
        return [name for name in LISTED if self._refusal(Command(name)) is None]

    def _commands(self) -> tuple[str, ...]:
        """What can be said now, one phrase per command, as the grammar understands it."""
        if self._asleep:
            return (SPOKEN["wake"],) if self._question is None else (SPOKEN["yes"], SPOKEN["no"])
        if self._question is not None:
            return SPOKEN["yes"], SPOKEN["no"], SPOKEN["cancel"]
        return tuple(SPOKEN[name] for name in self._available())


def _words_sentence(changed: tuple[Change, ...], left_out: tuple[str, ...]) -> str:
    """One sentence on the words the model did not know: "I drew sea for ocean; I do not know the word
    zorblax, so I left it out. " ("" when it knew them all)."""
    parts = []
    if changed:
        parts.append(say("words_used", pairs=join_words([say("word_for", used=c.used, said=c.said) for c in changed], "and")))
    if left_out:
        parts.append(say("words_left_out" if len(left_out) > 1 else "word_left_out", words=join_words(list(left_out), "and")))
    return f"{'; '.join(parts)}. " if parts else ""
