"""End to end with real models and real (synthesized) speech: `voiceart demo` plays a spoken
session through voice activity, Whisper, the grammar, the session and the stages; and the live
microphone path hears a described scene through the fake microphone and draws it."""
from __future__ import annotations

import io
import time

import pytest

from fake_microphone import build_recording, fake_mic, have_audio_tools, sound_devices  # noqa: F401
from voiceart.app.loop import App, Listener
from voiceart.app.session_folder import SessionFolder
from voiceart.app.stages import Stages, slug
from voiceart.app.terminal import TerminalOutput
from voiceart.cli import main
from voiceart.config import Settings
from voiceart.images import png_metadata
from voiceart.paintings.catalogue import Catalogue
from voiceart.session.machine import Session

pytestmark = [pytest.mark.skipif(not have_audio_tools(), reason="needs espeak-ng and sox (tools/setup.sh installs them)"),
              pytest.mark.usefixtures("one_torch_thread")]

DESCRIPTION = "a red circle on a white background"  # words the test model knows


@pytest.fixture
def real_models(monkeypatch, text2image_models, whisper_tiny):
    """The small trained text-to-image model and Whisper tiny.en."""
    monkeypatch.setenv("VOICEART_MODELS", str(text2image_models))
    monkeypatch.setenv("VOICEART_TEXT2IMAGE", "shapes")
    monkeypatch.setenv("VOICEART_WHISPER_CHECKPOINT", str(whisper_tiny))


@pytest.fixture
def shipped_scene_model(monkeypatch, whisper_tiny):
    """The shipped scene model, which knows the built-in demo's words, and Whisper tiny.en."""
    monkeypatch.setenv("VOICEART_WHISPER_CHECKPOINT", str(whisper_tiny))


@pytest.mark.slow
def test_the_built_in_demo_describes_chooses_again_and_saves(shipped_scene_model, tmp_path, capsys):
    out = tmp_path / "demo"
    code = main(["demo", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    (saved,) = out.glob("*.png")
    meta = png_metadata(saved)
    assert "lighthouse on the coast at night" in meta["Description"].lower() and meta["alt"] == meta["Description"]
    styles = Catalogue.load(Settings()).styles()
    assert meta["style"] in styles and meta["painting_credit"] and meta["picture"] == "3"
    # The style was said by name, as the first one recommended, and "again" took another painting of it.
    assert f"2. says \"{meta['style']}\"" in printed
    kept = sorted((out / "session").glob("*.png"))
    assert [p.name for p in kept] == ["001-drawn.png", f"002-{slug(meta['style'])}.png", f"003-{slug(meta['style'])}.png"]
    first, again = png_metadata(kept[1]), png_metadata(kept[2])
    assert first["style"] == again["style"] == meta["style"] and first["painting_id"] != again["painting_id"]
    assert again["painting_id"] == meta["painting_id"]
    for step in ("Whisper heard", "drew a 128 px picture", "repainted in", "saved "):
        assert step in printed, printed


@pytest.mark.slow
def test_the_demo_says_what_it_is_told(real_models, tmp_path, capsys):
    out = tmp_path / "demo"
    code = main(["demo", "--out", str(out), "--say", DESCRIPTION, "--say", "the first one", "--say", "save"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    (saved,) = out.glob("*.png")
    meta = png_metadata(saved)
    assert "red circle" in meta["Description"].lower() and meta["style"] in Catalogue.load(Settings()).styles()


def test_a_demo_without_a_text_to_image_model_says_so_and_fails(monkeypatch, whisper_tiny, tmp_path, capsys):
    monkeypatch.setenv("VOICEART_WHISPER_CHECKPOINT", str(whisper_tiny))
    monkeypatch.setenv("VOICEART_TEXT2IMAGE", "nothing-here")
    assert main(["demo", "--out", str(tmp_path / "demo"), "--say", DESCRIPTION]) == 1
    captured = capsys.readouterr()
    assert "says: No text-to-image model called 'nothing-here' is installed" in captured.out
    assert captured.err.startswith("voiceart: No text-to-image model called 'nothing-here' is installed")


@pytest.mark.slow
def test_a_scene_said_into_the_microphone_is_drawn(fake_mic, real_models, tmp_path):
    recording = build_recording([(DESCRIPTION, "en-us")], [], lead=1.0, trail=2.0)
    fake_mic(recording.samples)
    settings = Settings()
    out = io.StringIO()
    session = Session(seed=1)
    folder = SessionFolder(tmp_path / "session")
    app = App(settings, session, Stages(settings), TerminalOutput(out), folder=folder,
              styles=Catalogue.load(settings).styles())
    try:
        app.start()
        listener = Listener(app, settings).start()
        deadline = time.monotonic() + 120
        while not session.history and time.monotonic() < deadline and not listener.problem:
            time.sleep(0.2)
        assert app.wait_idle(60)
    finally:
        app.close()
    assert listener.problem is None
    (picture,) = session.history
    assert "circle" in picture.description.lower(), out.getvalue()  # base hears "red" or "round" (espeak-ng)
    assert len(session.view.styles) == 3 and (tmp_path / "session" / "001-drawn.png").is_file()


def test_no_microphone_is_said_once_and_typing_still_works(fake_mic, real_models, tmp_path, monkeypatch, capsys):
    fake_mic(None)
    if sound_devices():
        pytest.skip("this machine has real sound devices")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{DESCRIPTION}\nthe first one\nsave\n"))
    assert main(["start", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("No microphone was found") == 1, printed
    (saved,) = (tmp_path / "pictures").glob("*.png")
    assert png_metadata(saved)["Description"] == DESCRIPTION
