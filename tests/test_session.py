"""The session as a person meets it, with no models: what is heard goes through the real grammar,
and the stages' results are fed in by hand as the app would feed them."""
import copy
import re
from pathlib import Path

import pytest
from PIL import Image

from voiceart.paintings.catalogue import Catalogue
from voiceart.session import (KEYS, Draw, Drawn, Failed, Heard, Keep, Picture, Problem, Run, Save, Saved, Say, Session,
                              Show, State, Stylize, Stylized)
from voiceart.session.keys import label
from voiceart.session.machine import StrengthError
from voiceart.speech.grammar import parse
from voiceart.vocabulary import COMMANDS, Command, Expecting

DOCS = Path(__file__).resolve().parent.parent / "docs" / "commands.md"
LANDSCAPE = ("Impressionism", "Realism", "Romanticism")
SENTENCE = "For a landscape I suggest Impressionism, Realism or Romanticism."
CHOOSE = "Say a style name or its number: 1, Impressionism; 2, Realism; 3, Romanticism."
STYLES = tuple(Catalogue.load().styles())


def said(actions) -> str:
    return " ".join(a.text for a in actions if isinstance(a, Say))


def runs(actions) -> list:
    return [a.job for a in actions if isinstance(a, Run)]


def kept(actions) -> list[Picture]:
    return [a.picture for a in actions if isinstance(a, Keep)]


class Person:
    """Talks to a session through the grammar, the way the app does, and plays the stages' part."""

    def __init__(self, session: Session | None = None):
        self.session = session or Session(seed=7)
        self.last = self.session.start()
        self.paintings = 0
        self.pending = None  # the last drawing or painting asked for

    def say(self, text: str) -> list:
        s = self.session
        return self.do(Heard(parse(text, s.expecting, STYLES, s.numbered), text))

    def key(self, key: str) -> list:
        return self.do(Heard(KEYS[key]))

    def do(self, event) -> list:
        self.last = self.session.handle(event)
        self.pending = next((job for job in runs(self.last) if not isinstance(job, Save)), self.pending)
        return self.last

    def job(self):
        return self.pending

    def drawn(self, job=None, unknown=(), colour="navy") -> list:
        job = job or self.job()
        return self.do(Drawn(job.job, Image.new("RGB", (64, 64), colour), unknown, "landscape", LANDSCAPE, SENTENCE))

    def stylized(self, job=None) -> list:
        job = job or self.job()
        self.paintings += 1
        painting = job.painting_id or f"met-{self.paintings}"
        return self.do(Stylized(job.job, Image.new("RGB", (64, 64), "orange"), job.style, painting,
                                f"Painting {painting} by An Artist, 1870", "CC0"))


def showing(styles: int = 1) -> Person:
    """A person who described a lighthouse and saw it in ``styles`` paintings of Realism."""
    person = Person()
    person.say("a lighthouse on a cliff at sunset")
    person.drawn()
    person.say("number two")
    person.stylized()
    for _ in range(styles - 1):
        person.say("again")
        person.stylized()
    return person


def test_the_whole_flow_describe_draw_choose_paint_save(tmp_path):
    person = Person()
    assert person.session.state is State.DESCRIBING and person.session.expecting is Expecting.DESCRIPTION
    assert "Describe a scene" in said(person.last)

    actions = person.say("Draw a lighthouse on a cliff at sunset.")
    (draw,) = runs(actions)
    assert isinstance(draw, Draw) and draw.description == "a lighthouse on a cliff at sunset"
    assert actions[-2] == Say("Drawing a lighthouse on a cliff at sunset.", "working")
    assert person.session.view.busy == "Drawing a lighthouse on a cliff at sunset ..."

    actions = person.drawn(unknown=("cliff",))
    (drawn,) = kept(actions)
    assert (drawn.number, drawn.description, drawn.genre, drawn.style) == (1, draw.description, "landscape", None)
    assert drawn.seed == draw.seed
    assert said(actions) == f"I do not know the word cliff, so I left it out. {SENTENCE} {CHOOSE}"
    view = actions[-1].view
    assert (view.state, view.picture, view.styles, view.busy) == (State.CHOOSING, drawn, LANDSCAPE, "")
    assert person.session.expecting is Expecting.STYLE and person.session.numbered == LANDSCAPE

    (stylize,) = runs(person.say("Number two."))
    assert isinstance(stylize, Stylize)
    assert (stylize.style, stylize.strength, stylize.painting_id, stylize.exclude) == ("Realism", 1.0, None, None)
    assert stylize.image is drawn.image  # the drawing is what gets repainted
    assert person.session.state is State.STYLING and person.session.view.busy == "Painting it in Realism ..."

    actions = person.stylized()
    (styled,) = kept(actions)
    assert said(actions).startswith("Here it is in Realism, after Painting met-1 by An Artist, 1870.")
    assert "'again'" in said(actions)  # the first styled picture says what can be said next
    assert actions[-1].view.picture == styled and person.session.state is State.SHOWING
    assert person.session.history == (drawn, styled)

    (save,) = runs(person.say("Save it."))
    assert isinstance(save, Save) and save.picture == styled
    actions = person.do(Saved(save.job, tmp_path / "voiceart" / "lighthouse.png"))
    assert said(actions) == "Saved as lighthouse.png in the folder voiceart."
    assert str(tmp_path / "voiceart" / "lighthouse.png") in actions[-1].view.message


def test_a_saved_picture_carries_what_was_said_and_made():
    person = showing()
    person.say("less style")
    person.stylized()
    (save,) = runs(person.say("save"))
    meta = save.picture.metadata()
    assert meta["Description"] == meta["alt"] == "a lighthouse on a cliff at sunset"
    assert (meta["style"], meta["painting_id"], meta["strength"], meta["genre"]) == ("Realism", "met-1", "0.75", "landscape")
    assert meta["painting_credit"] == "Painting met-1 by An Artist, 1870" and meta["painting_licence"] == "CC0"
    assert save.picture.source == 1 and meta["picture"] == "3"


def test_again_picks_another_painting_of_the_same_style_with_a_new_seed():
    person = showing()
    first = person.session.view.picture
    (job,) = runs(person.say("Another one, please."))
    assert (job.style, job.exclude, job.painting_id) == ("Realism", first.painting_id, None)
    assert job.seed != first.seed and job.image is person.session.history[0].image
    person.stylized()
    assert person.session.view.picture.painting_id != first.painting_id
    assert said(person.last) == "Here it is in Realism, after Painting met-2 by An Artist, 1870."  # no hint the second time


def test_again_before_a_style_draws_the_scene_anew():
    person = Person()
    person.say("a red boat on a lake")
    first = person.job()
    person.drawn()
    (job,) = runs(person.say("again"))
    assert isinstance(job, Draw) and job.description == first.description and job.seed != first.seed


def test_stronger_and_weaker_keep_the_painting_and_stop_at_the_limits():
    person = showing()
    painting = person.session.view.picture.painting_id
    actions = person.say("More style.")
    assert runs(actions) == [] and said(actions) == "The style is already as strong as it goes. Say 'less style' to weaken it."
    strengths = []
    for _ in range(3):
        (job,) = runs(person.say("Less style."))
        assert job.painting_id == painting and job.style == "Realism"
        strengths.append(job.strength)
        person.stylized()
    assert strengths == [0.75, 0.5, 0.25]
    actions = person.say("weaker")
    assert runs(actions) == [] and "already as weak as it goes" in said(actions)
    (job,) = runs(person.key("plus"))
    assert job.strength == 0.5
    person.stylized()
    (job,) = runs(person.say("Baroque"))  # the strength asked for stays for the next style
    assert (job.style, job.strength) == ("Baroque", 0.5)


def test_undo_and_redo_walk_the_pictures_and_delete_nothing():
    person = Person()
    assert said(person.say("undo")) == "There is nothing to undo."
    person = showing(styles=2)
    drawn, first, second = person.session.history
    assert said(person.say("redo")) == "There is nothing to redo."
    actions = person.say("Go back.")
    assert actions[-1].view.picture == first and said(actions) == "Back to picture 2, a lighthouse on a cliff at sunset in Realism."
    person.key("u")
    assert person.session.view.picture == drawn and person.session.state is State.CHOOSING
    assert person.session.numbered == LANDSCAPE  # the list read out for that drawing
    assert said(person.say("undo")) == "There is nothing to undo."
    person.say("redo")
    person.say("redo")
    assert person.session.view.picture == second and person.session.state is State.SHOWING
    person.say("undo")
    person.say("Romanticism")  # a new picture after undo: what could be redone is left behind, not deleted
    person.stylized()
    assert said(person.say("redo")) == "There is nothing to redo."
    person.say("undo")
    assert person.session.view.picture == first  # back to where the new picture was made from
    assert [p.number for p in person.session.history] == [1, 2, 3, 4]
    assert person.session.history[:3] == (drawn, first, second)


def test_a_style_from_showing_repaints_the_drawing_and_the_same_style_gives_another_painting():
    person = showing()
    drawing, styled = person.session.history
    (job,) = runs(person.say("Impressionism."))
    assert (job.style, job.exclude) == ("Impressionism", None) and job.image is drawing.image
    person.stylized()
    assert person.session.view.picture.source == 1
    (job,) = runs(person.key("3"))
    assert job.style == "Romanticism"
    person.stylized()
    (job,) = runs(person.say("Romanticism"))
    assert job.exclude == person.session.view.picture.painting_id


def test_results_of_replaced_and_cancelled_jobs_are_ignored():
    person = Person()
    (first,) = runs(person.say("a lighthouse"))
    actions = person.say("a windmill in a field of tulips")
    (second,) = runs(actions)
    assert second.job > first.job and said(actions) == "Drawing a windmill in a field of tulips instead."
    assert person.drawn(first) == []
    assert person.session.history == () and person.session.state is State.DRAWING
    (picture,) = kept(person.drawn(second))
    assert picture.description == "a windmill in a field of tulips"

    person.say("Realism")
    stylize = person.job()
    actions = person.say("Cancel.")
    assert said(actions).startswith("Cancelled. Say a style name or its number")
    assert person.session.state is State.CHOOSING and person.session.view.busy == ""
    assert person.stylized(stylize) == []
    assert person.session.history == (picture,)


def test_a_failed_job_loses_nothing_and_says_why():
    person = showing()
    history, current = person.session.history, person.session.view.picture
    job = runs(person.say("again"))[0]
    actions = person.do(Failed(job.job, "The painting file could not be read."))
    assert actions[-2] == Say("The painting file could not be read. Say 'again' for another painting of this style, "
                              "'save' to keep it, or name another style.", "error")
    assert person.session.history == history and person.session.view.picture == current
    assert person.session.state is State.SHOWING and person.session.view.busy == ""

    draw = runs(person.say("draw a castle in the snow"))[0]
    person.do(Failed(draw.job, "The drawing model ran out of memory."))
    assert person.session.state is State.SHOWING and person.session.history == history

    save = runs(person.say("save"))[0]
    actions = person.do(Failed(save.job, "The disk is full."))
    assert said(actions) == "The disk is full. Picture 2 is still here in this session."
    assert person.session.history == history and person.session.view.picture == current


def test_a_style_said_while_drawing_is_used_when_the_drawing_is_ready():
    person = Person()
    person.say("a lighthouse at night")
    assert said(person.say("Baroque")) == "I will paint it in Baroque as soon as it is drawn."
    actions = person.drawn()
    (picture,) = kept(actions)
    (job,) = runs(actions)
    assert (job.style, job.image) == ("Baroque", picture.image)
    assert said(actions) == "Here is a lighthouse at night. Now painting it in Baroque."
    assert person.session.state is State.STYLING
    person.stylized()
    assert person.session.view.picture.style == "Baroque"


def test_commands_that_wait_for_the_picture_in_progress():
    person = showing()
    person.say("Impressionism")
    for text in ("again", "more style", "less style", "undo", "redo"):
        actions = person.say(text)
        assert runs(actions) == [] and said(actions) == "Still painting, one moment. Say cancel to stop."
    person.say("a horse in a meadow")
    assert said(person.say("number one")) == "Still drawing, one moment. I will read the styles out when the picture is ready."
    assert isinstance(runs(person.say("save"))[0], Save)  # what is on screen can be saved meanwhile


def test_unsure_input_is_asked_and_yes_acts_no_hints():
    person = Person()
    person.say("a quiet harbour at dawn")
    person.drawn()
    actions = person.say("I think impressionism would be nice")
    assert said(actions) == "Did you mean Impressionism?" and runs(actions) == []
    assert person.session.expecting is Expecting.YES_NO
    assert said(person.say("Pardon?")) == "Did you mean Impressionism?"
    (job,) = runs(person.say("Yes."))
    assert job.style == "Impressionism"

    person.say("cancel")
    person.say("I think impressionism would be nice")
    actions = person.say("No.")
    assert runs(actions) == [] and said(actions).startswith("Alright. Say a style name or its number: 1, Impressionism")
    assert person.session.expecting is Expecting.STYLE

    person.say("I think impressionism would be nice")
    assert said(person.say("mumble grumble")) == "Please say yes or no."
    (job,) = runs(person.say("No, Baroque."))  # a correction answers the question
    assert job.style == "Baroque"


def test_another_style_reads_the_styles_again_and_keeps_the_picture():
    person = showing()
    picture = person.session.view.picture
    actions = person.say("Another style.")
    assert said(actions) == CHOOSE and runs(actions) == []
    assert person.session.state is State.CHOOSING and actions[-1].view.picture == picture
    assert person.session.expecting is Expecting.STYLE and person.session.numbered == LANDSCAPE
    (job,) = runs(person.say("Number three."))
    assert job.style == "Romanticism" and job.image is person.session.history[0].image

    person = Person()
    person.say("a lighthouse")
    assert said(person.key("l")) == "Still drawing, one moment. I will read the styles out when the picture is ready."
    person.drawn()
    assert said(person.say("list the styles")) == CHOOSE and person.session.state is State.CHOOSING
    person.say("Realism")
    assert said(person.say("which styles")).startswith("Still painting, one moment.")
    assert said(Person().say("a different style")) == "Describe a scene first; then I will suggest styles for it."


def test_a_short_scene_while_showing_or_choosing_is_a_new_scene():
    person = showing()
    (draw,) = runs(person.say("A lighthouse."))
    assert draw.description == "A lighthouse"
    person.drawn()
    actions = person.say("A boat.")
    assert said(actions) == "Shall I draw A boat?" and runs(actions) == []
    (draw,) = runs(person.say("yes"))
    assert draw.description == "A boat"


def test_a_style_named_in_a_sentence_while_showing_is_asked_and_chosen():
    person = showing()
    actions = person.say("I think baroque would be nice.")
    assert said(actions) == "Did you mean Baroque?" and runs(actions) == []
    (job,) = runs(person.say("Yes."))
    assert isinstance(job, Stylize) and job.style == "Baroque"


def test_a_guess_that_makes_no_sense_is_not_asked():
    person = Person()
    assert said(person.session.handle(Heard(Command("save", confidence=0.7, question="Did you mean 'save'?")))) == \
        "There is no picture to save yet. Describe a scene first."
    assert person.session.expecting is Expecting.DESCRIPTION


def test_nothing_understood_gets_a_hint_never_silence():
    person = Person()
    person.say("a lighthouse")
    person.drawn()
    assert said(person.say("hmm the")) == "Say a style name, like Impressionism, or a number from 1 to 3."
    assert said(person.say("Number seven.")) == "There are 3 choices; say a number from 1 to 3."
    assert said(person.key("7")) == "There are 3 styles; say a number from 1 to 3."
    assert said(person.do(Heard(Command("none")))).startswith("Say a style name or its number")


def test_asleep_only_wake_up_is_acted_on():
    person = showing()
    assert said(person.say("Stop listening.")) == "Going to sleep. Say 'wake up' when you need me."
    assert person.session.state is State.ASLEEP and person.session.view.commands == ("wake up",)
    assert person.session.expecting is Expecting.ASLEEP
    for text in ("save", "a lighthouse", "undo", "help", "Impressionism"):
        actions = person.say(text)
        assert actions == [Show(person.session.view)] and person.session.view.heard == text
    assert said(person.say("wake up")).startswith("I am listening again. Say 'again'")
    assert person.session.state is State.SHOWING


def test_results_that_arrive_asleep_are_kept_shown_and_told_on_waking():
    person = Person()
    person.say("a lighthouse")
    person.say("go to sleep")
    actions = person.drawn()
    assert said(actions) == "" and len(kept(actions)) == 1 and actions[-1].view.picture == kept(actions)[0]
    actions = person.say("weak up")  # misheard: asked, even asleep
    assert said(actions) == "Did you mean 'wake up'?"
    actions = person.say("yes")
    assert said(actions) == f"I am listening again. {SENTENCE} {CHOOSE}"
    assert person.session.state is State.CHOOSING


def test_a_session_can_start_asleep():
    person = Person(Session(asleep=True))
    assert said(person.last) == "voiceart is asleep. Say 'wake up' when you need me."
    assert person.say("a lighthouse") == [Show(person.session.view)]
    person.key("w")
    assert person.session.state is State.DESCRIBING


def test_start_over_keeps_the_pictures_and_cancel_goes_back():
    person = showing()
    history, current = person.session.history, person.session.view.picture
    actions = person.say("Start over.")
    assert said(actions).startswith("Starting over. Your pictures are kept. Describe a new scene")
    assert person.session.state is State.DESCRIBING and person.session.expecting is Expecting.DESCRIPTION
    assert person.session.history == history and person.session.numbered == ()
    assert said(person.say("Never mind.")) == "Back to picture 2, a lighthouse on a cliff at sunset in Realism."
    assert person.session.state is State.SHOWING and person.session.view.picture == current

    person.say("start over")
    (draw,) = runs(person.say("save the whales at sea"))  # a description now, not "save"
    assert draw.description == "save the whales at sea"
    person.say("new")  # the drawing in progress is dropped
    assert person.drawn(draw) == [] and person.session.history == history
    assert said(person.say("cancel")) == "There is nothing to cancel."


def test_repeat_help_and_problems():
    person = showing()
    person.say("less style")
    person.stylized()
    last = said(person.last)
    assert said(person.say("say that again")) == last
    help = said(person.say("What can I say?"))
    assert help.startswith("Say 'again' for another painting") and "more style" in help and "undo" in help
    assert said(Person().say("help")) == ("Describe a scene, for example 'a lighthouse by the sea at sunset'. "
                                          "You can also say repeat or stop listening.")
    actions = person.do(Problem("The microphone stopped working; keys still work."))
    assert actions[-2] == Say("The microphone stopped working; keys still work.", "error")
    assert person.session.state is State.SHOWING


@pytest.mark.parametrize("state", ["describing", "drawing", "choosing", "styling", "showing", "question"])
@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_in_every_state_is_answered(state, name):
    person = Person()
    if state != "describing":
        person.say("a lighthouse")
    if state in ("choosing", "styling", "showing", "question"):
        person.drawn()
    if state in ("styling", "showing", "question"):
        person.say("Realism")
    if state in ("showing", "question"):
        person.stylized()
    if state == "question":
        person.say("I think impressionism would be nice")
    argument = {"describe": "a cat", "style": "Baroque", "choose": "2"}.get(name)
    actions = person.do(Heard(Command(name, argument)))
    assert said(actions), f"silence for {name} while {state}"
    assert isinstance(actions[-1], Show) and actions[-1].view == person.session.view
    assert all(isinstance(a, Say | Run | Keep) for a in actions[:-1])


@pytest.mark.parametrize("state", ["describing", "drawing", "choosing", "showing", "question"])
def test_the_commands_on_show_are_the_ones_that_work_now(state):
    person = showing() if state in ("showing", "question") else Person()
    if state in ("drawing", "choosing"):
        person.say("a lighthouse")
    if state == "choosing":
        person.drawn()
    if state == "question":
        person.say("I think impressionism would be nice")
    commands = person.session.view.commands
    assert commands and "what can I say" in commands or state == "question"
    for phrase in commands:
        name = parse(phrase, Expecting.ANYTHING).name
        answer = said(copy.deepcopy(person.session).handle(Heard(Command(name))))
        assert not answer.startswith(("There is", "Still", "The style is already", "I am already")), (phrase, answer)
    if state == "describing":
        assert "save" not in commands and "undo" not in commands
    if state == "showing":
        assert {"again", "save", "undo", "less style"} <= set(commands) and "more style" not in commands


def test_job_ids_increase_and_a_seed_replays_the_same_session():
    def seeds(seed):
        person = Person(Session(seed=seed))
        jobs = [person.job() for _ in [person.say("a lighthouse")]]
        person.drawn()
        jobs.append(runs(person.say("Realism"))[0])
        person.stylized()
        jobs.append(runs(person.say("again"))[0])
        return [j.job for j in jobs], [j.seed for j in jobs]

    ids, first = seeds(3)
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert seeds(3)[1] == first and seeds(4)[1] != first


def test_a_starting_strength_outside_the_steps_is_one_sentence():
    with pytest.raises(StrengthError, match="between 0.25 and 1, not 1.5"):
        Session(strength=1.5)


def _doc_rows() -> dict[str, tuple[list[str], str]]:
    rows = {}
    for line in DOCS.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = (re.findall(r'"([^"]+)"', cells[1]), cells[3])
    return rows


def test_the_command_reference_lists_every_command_and_key():
    rows = _doc_rows()
    assert set(rows) == set(COMMANDS) - {"none"}
    for key, command in KEYS.items():
        shown = "1 to 9" if key.isdigit() else label(key)
        assert shown in rows[command.name][1], f"docs/commands.md lacks the key {shown} for {command.name}"


def test_every_example_in_the_command_reference_parses_to_its_command():
    expecting = {"describe": Expecting.DESCRIPTION, "choose": Expecting.STYLE, "yes": Expecting.YES_NO, "no": Expecting.YES_NO}
    for name, (examples, _) in _doc_rows().items():
        assert examples, name
        for text in examples:
            command = parse(text, expecting.get(name, Expecting.ANYTHING), STYLES, LANDSCAPE)
            assert command.sure and command.name == name, (text, command)


# --- is it a scene? (the real word bridge of the shipped scene model, as the app passes it) ---------

@pytest.fixture(scope="module")
def knows():
    from voiceart import weights
    from voiceart.config import Settings
    from voiceart.text2image.bridge import WordBridge
    from voiceart.text2image.vocab import load_captions

    words = WordBridge.of(load_captions(weights.find_dmgan(Settings(), "scenes")[2]).vocab)
    return lambda description: words(description).scene


MISHEARD = ["Donate down.", "Tony Down.", "Can do that.", "Sleeve it.", "One can do.", "Same this picture."]


@pytest.mark.parametrize("heard", MISHEARD)
def test_a_misheard_command_is_never_drawn(knows, heard):
    """Whisper's "Sleeve it." for "save it": no scene, so a hint or a question, never a drawing."""
    fresh = Person(Session(seed=7, knows=knows))
    on_screen = Person(Session(seed=7, knows=knows))
    on_screen.say("a lighthouse on a cliff at sunset")
    on_screen.drawn()
    for person in (fresh, on_screen):
        state = person.session.state
        actions = person.say(heard)
        assert not any(isinstance(job, Draw) for job in runs(actions)), (heard, said(actions))
        assert person.session.state is state and said(actions)  # a hint or a question
    assert said(fresh.last) == f"I did not catch a command or a scene in '{heard.rstrip('.')}'. Describe a scene, " \
                               f"for example 'a lighthouse by the sea at sunset'."


def test_a_clear_description_is_still_drawn(knows):
    person = Person(Session(seed=7, knows=knows))
    (draw,) = runs(person.say("a red boat on a calm lake at sunset"))
    assert isinstance(draw, Draw) and draw.description == "a red boat on a calm lake at sunset"
    person.drawn()
    (draw,) = runs(person.say("draw a windmill in a field at night"))
    assert draw.description == "a windmill in a field at night"


def test_the_words_drawn_for_others_and_left_out_are_said_in_one_sentence_and_kept_with_the_picture():
    from voiceart.text2image.bridge import Bridged, Change

    person = Person()
    job = runs(person.say("a cottage by the ocean with a zorblax"))[0]
    bridged = Bridged(job.description, ("a", "house", "by", "the", "sea", "with", "a"),
                      (Change("cottage", "house", "meaning"), Change("ocean", "sea", "meaning")), ("zorblax",))
    actions = person.do(Drawn(job.job, Image.new("RGB", (64, 64)), ("zorblax",), "landscape", LANDSCAPE, SENTENCE, bridged))
    assert said(actions) == (f"I drew house for cottage and sea for ocean; I do not know the word zorblax, so I left it "
                             f"out. {SENTENCE} {CHOOSE}")
    (picture,) = kept(actions)
    assert picture.metadata()["word_changes"] == "cottage -> house; ocean -> sea; left out: zorblax"
