"""The app on real models: the stage runner (draw, repaint, save), failures said in one sentence
while the session keeps its pictures, the session folder, and ``voiceart start`` in a terminal."""
from __future__ import annotations

import errno
import io
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime

import pytest
from PIL import Image, ImageChops

from voiceart.app.loop import App
from voiceart.app.session_folder import SessionFolder, session_path
from voiceart.app.stages import STYLE_SIDE, Stages
from voiceart.app.terminal import TerminalOutput
from voiceart.cli import main
from voiceart.config import Settings
from voiceart.images import png_metadata
from voiceart.paintings.catalogue import Catalogue
from voiceart.session.events import Draw, Drawn, Failed, Picture, Save, Saved, Stylize, Stylized
from voiceart.session.machine import Session
from voiceart.text2image.bridge import Change

DESCRIPTION = "a red circle on a white background"  # words the test model knows

# The test model and the style network are small: one thread is as fast as two, and far faster on a busy machine.
pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def shapes_model(monkeypatch, text2image_models):
    monkeypatch.setenv("VOICEART_MODELS", str(text2image_models))
    monkeypatch.setenv("VOICEART_TEXT2IMAGE", "shapes")


@pytest.fixture
def stages(shapes_model):
    return Stages(Settings())


def styled_picture(drawn: Drawn, styled: Stylized, number: int = 2) -> Picture:
    return Picture(number, styled.image, DESCRIPTION, genre=drawn.genre, style=styled.style, painting_id=styled.painting_id,
                   painting_credit=styled.painting_credit, painting_licence=styled.painting_licence, strength=1.0,
                   seed=5, source=1)


def test_draw_then_repaint_then_save_carries_what_was_made(stages, tmp_path):
    drawn = stages.run(Draw(1, DESCRIPTION, seed=3))
    assert isinstance(drawn, Drawn), drawn
    assert drawn.image.size == (128, 128) and drawn.unknown_words == ()
    assert len(drawn.image.getcolors(128 * 128)) > 50  # a picture, not a flat colour
    catalogue = Catalogue.load(Settings())
    assert drawn.genre in catalogue.genres() and len(drawn.styles) == 3
    assert all(style in catalogue.styles() and style in drawn.sentence for style in drawn.styles)

    styled = stages.run(Stylize(2, drawn.image, drawn.styles[0], 1.0, seed=5))
    assert isinstance(styled, Stylized), styled
    painting = catalogue.get(styled.painting_id)
    assert styled.style == painting.style == drawn.styles[0] and styled.painting_credit == painting.credit
    assert styled.image.size == (STYLE_SIDE, STYLE_SIDE)  # scaled up to the size the style network was made for
    plain = drawn.image.resize(styled.image.size, Image.LANCZOS)
    assert ImageChops.difference(plain, styled.image).getbbox() is not None  # repainted, not copied

    first = stages.run(Save(3, styled_picture(drawn, styled)))
    second = stages.run(Save(4, styled_picture(drawn, styled)))
    assert isinstance(first, Saved) and isinstance(second, Saved)
    assert first.path.parent == tmp_path / "pictures" and first.path != second.path  # never overwritten
    meta = png_metadata(first.path)
    assert meta["Description"] == meta["alt"] == DESCRIPTION
    assert meta["style"] == styled.style and meta["painting_credit"] == styled.painting_credit
    assert meta["painting_id"] == styled.painting_id and meta["strength"] == "1" and meta["genre"] == drawn.genre
    assert Image.open(first.path).size == styled.image.size


def test_again_takes_another_painting_and_a_seed_repeats_one(stages):
    drawn = stages.run(Draw(1, DESCRIPTION, seed=3))
    style = max(Catalogue.load(Settings()).styles().items(), key=lambda kv: kv[1])[0]  # the best-stocked style
    first = stages.run(Stylize(2, drawn.image, style, 1.0, seed=1))
    again = stages.run(Stylize(3, drawn.image, style, 1.0, seed=1, exclude=first.painting_id))
    same = stages.run(Stylize(4, drawn.image, style, 1.0, seed=1))
    assert again.painting_id != first.painting_id
    assert same.painting_id == first.painting_id and same.image.tobytes() == first.image.tobytes()
    weaker = stages.run(Stylize(5, drawn.image, style, 0.25, seed=1, painting_id=first.painting_id))
    assert weaker.painting_id == first.painting_id and weaker.image.tobytes() != first.image.tobytes()


def test_a_missing_model_is_one_sentence_not_a_crash(monkeypatch):
    monkeypatch.setenv("VOICEART_TEXT2IMAGE", "nothing-here")
    result = Stages(Settings()).run(Draw(7, "a lighthouse on a rocky coast at night", seed=0))
    assert isinstance(result, Failed) and result.job == 7
    assert result.message.startswith("No text-to-image model called 'nothing-here' is installed")


def test_the_scene_model_draws_the_words_it_knows_for_others_and_tells_a_scene_from_a_misheard_command():
    stages = Stages(Settings())  # the shipped scene model, as the app runs it
    drawn = stages.run(Draw(1, "a lighthose by the sea and a zorblax", seed=0))
    assert isinstance(drawn, Drawn), drawn
    assert drawn.said.changes == (Change("lighthose", "lighthouse", "spelling"),) and drawn.unknown_words == ("zorblax",)
    assert stages.knows("a red boat on a calm lake at sunset")
    assert not stages.knows("Sleeve it.") and not stages.knows("Same this picture.") and not stages.knows("Can do that.")


def test_words_the_model_cannot_draw_are_said(stages):
    result = stages.run(Draw(1, "lighthouse rocky coast", seed=0))
    assert isinstance(result, Failed) and "None of the words" in result.message


def test_a_pictures_folder_that_is_a_file_is_said_plainly(stages, tmp_path):
    (tmp_path / "pictures").write_text("my notes")
    picture = Picture(1, Image.new("RGB", (32, 32), "red"), DESCRIPTION)
    result = stages.run(Save(1, picture))
    assert isinstance(result, Failed)
    assert result.message == (f"voiceart cannot write to {tmp_path / 'pictures'}: {tmp_path / 'pictures'} is a file, "
                              f"not a folder; set VOICEART_PICTURES to a folder.")
    assert (tmp_path / "pictures").read_text() == "my notes"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_pictures_folder_is_said_plainly(stages, tmp_path):
    folder = tmp_path / "pictures"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = stages.run(Save(1, Picture(1, Image.new("RGB", (32, 32), "red"), DESCRIPTION)))
    finally:
        folder.chmod(0o700)
    assert isinstance(result, Failed) and "voiceart may not write there" in result.message
    assert list(folder.iterdir()) == []


def test_a_full_disk_is_said_plainly(stages, tmp_path, monkeypatch):
    def disk_full(self, fp, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", disk_full)
    result = stages.run(Save(1, Picture(1, Image.new("RGB", (32, 32), "red"), DESCRIPTION)))
    assert isinstance(result, Failed) and result.message.endswith("the disk is full.")
    assert list((tmp_path / "pictures").iterdir()) == []  # no half-written file


def test_every_picture_goes_to_the_session_folder_as_it_is_made(tmp_path):
    path = session_path(tmp_path / "cache", datetime(2025, 1, 2, 3, 4, 5))
    assert path == tmp_path / "cache" / "sessions" / "20250102-030405"
    folder = SessionFolder(path)
    drawn = Picture(1, Image.new("RGB", (64, 64), "red"), DESCRIPTION, genre="landscape", seed=3)
    styled = Picture(2, Image.new("RGB", (64, 64), "blue"), DESCRIPTION, style="Post-Impressionism", painting_id="met-1",
                     painting_credit="Irises by Vincent van Gogh, 1890", strength=0.75, source=1)
    assert folder.keep(drawn) == (path / "001-drawn.png", None)
    assert folder.keep(styled) == (path / "002-post-impressionism.png", None)
    meta = png_metadata(path / "002-post-impressionism.png")
    assert meta["Description"] == DESCRIPTION and meta["style"] == "Post-Impressionism" and meta["strength"] == "0.75"
    path.mkdir(exist_ok=True)
    assert session_path(tmp_path / "cache", datetime(2025, 1, 2, 3, 4, 5)).name == "20250102-030405-2"  # a new one


def test_a_session_folder_that_cannot_be_written_is_said_once(tmp_path):
    (tmp_path / "cache").write_text("")
    folder = SessionFolder(tmp_path / "cache" / "sessions" / "now")
    picture = Picture(1, Image.new("RGB", (64, 64), "red"), DESCRIPTION)
    path, problem = folder.keep(picture)
    assert path is None and problem.endswith("so this session's pictures are only kept in memory; say save to keep one.")
    assert folder.keep(picture) == (None, None)  # said once


def test_nothing_is_lost_when_files_cannot_be_written(shapes_model, tmp_path):
    """The pictures folder and the session folder are blocked: the app says so, keeps every picture,
    and saves once the folder is fixed."""
    blocker = tmp_path / "pictures"
    blocker.write_text("")
    settings = Settings()
    out = io.StringIO()
    session = Session(seed=2)
    app = App(settings, session, Stages(settings), TerminalOutput(out), folder=SessionFolder(blocker / "session"),
              styles=Catalogue.load(settings).styles())
    try:
        app.start()
        for said in (DESCRIPTION, "number one", "save"):
            app.hear(said)
            assert app.wait_idle(120)
        lines = out.getvalue()
        assert lines.count("only kept in memory") == 1, lines
        assert "is a file, not a folder" in lines and "Picture 2 is still here in this session" in lines
        assert [p.style is None for p in session.history] == [True, False]
        blocker.unlink()
        app.hear("save")
        assert app.wait_idle(60)
    finally:
        app.close()
    (saved,) = blocker.glob("*.png")
    assert png_metadata(saved)["style"] == session.history[1].style
    assert app.failures[-1].startswith("voiceart cannot write to")


def test_start_without_a_display_runs_in_the_terminal_on_typed_commands(shapes_model, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{DESCRIPTION}\nnumber one\nagain\nsave\n"))
    assert main(["start", "--no-mic", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "voiceart runs in the terminal: no display was found (DISPLAY is not set)" in out
    assert "choose: 1. " in out and "picture 3:" in out
    (saved,) = (tmp_path / "pictures").glob("*.png")
    meta = png_metadata(saved)
    assert meta["Description"] == DESCRIPTION and meta["style"] and meta["picture"] == "3"
    (session,) = (tmp_path / "cache" / "sessions").iterdir()
    assert [p.name.split("-")[0] for p in sorted(session.glob("*.png"))] == ["001", "002", "003"]


def test_start_opens_the_window_where_a_display_works_and_its_keys_drive_the_session(shapes_model, tmp_path):
    """The whole app in its window on a virtual screen: a typed description, then keys 1 (the first
    style), A (again) and S (save), then "quit" closes it."""
    if not (shutil.which("Xvfb") and shutil.which("xdotool")):
        pytest.skip("Xvfb and xdotool are needed (tools/setup.sh installs them)")
    from voiceart.ui.xvfb import virtual_display

    with virtual_display() as display:
        env = {**os.environ, "DISPLAY": display, "VOICEART_THREADS": "1"}
        app = subprocess.Popen([sys.executable, "-m", "voiceart", "start", "--no-mic", "--quiet"], env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            app.stdin.write(DESCRIPTION + "\n")
            app.stdin.flush()
            sessions = tmp_path / "cache" / "sessions"

            def kept(count: int) -> bool:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    if sessions.is_dir() and len(list(sessions.glob("*/*.png"))) >= count:
                        return True
                    time.sleep(0.2)
                return False

            assert kept(1)
            for key, count in (("1", 2), ("a", 3)):
                subprocess.run(["xdotool", "search", "--class", "voiceart", "windowfocus", "--sync", "key", key],
                               env=env, check=True, timeout=30)
                assert kept(count), key
            subprocess.run(["xdotool", "search", "--class", "voiceart", "windowfocus", "--sync", "key", "s"],
                           env=env, check=True, timeout=30)
            deadline = time.monotonic() + 30
            while not list((tmp_path / "pictures").glob("*.png")) and time.monotonic() < deadline:
                time.sleep(0.2)
            app.stdin.write("quit\n")
            app.stdin.flush()
            out, _ = app.communicate(timeout=30)
        finally:
            if app.poll() is None:
                app.kill()
    assert app.returncode == 0, out
    assert "voiceart's window is open" in out
    (saved,) = (tmp_path / "pictures").glob("*.png")
    meta = png_metadata(saved)
    assert meta["Description"] == DESCRIPTION and meta["picture"] == "3" and meta["style"]


def test_push_to_talk_wakes_a_sleeping_session(shapes_model):
    settings = Settings()
    out = io.StringIO()
    session = Session(asleep=True)
    app = App(settings, session, Stages(settings), TerminalOutput(out), styles=Catalogue.load(settings).styles())
    try:
        app.start()
        app.hear(DESCRIPTION)  # asleep: not acted on
        assert app.wait_idle(60)
        assert session.history == () and "Drawing" not in out.getvalue()
        app.talk()
        app.hear(DESCRIPTION)
        assert app.wait_idle(60)
    finally:
        app.close()
    assert "I am listening again" in out.getvalue() and len(session.history) == 1
