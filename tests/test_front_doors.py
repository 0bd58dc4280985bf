"""Each stage has one front door, ``voiceart.<stage>.load(settings)`` (as ``whisper.load_model``): it gives the
working stage, and importing the package to reach it costs nothing (no torch) until it is called."""
import random
import subprocess
import sys

from PIL import Image

from voiceart import genre, paintings, style, text2image
from voiceart.config import Settings


def test_importing_the_stages_loads_no_model_library():
    code = ("import sys, voiceart.style, voiceart.genre, voiceart.text2image, voiceart.paintings; "
            "print(sorted(m for m in ('torch', 'whisper', 'PIL.ImageTk') if m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_each_front_door_gives_its_working_stage():
    settings = Settings(device="cpu")
    drawn = text2image.load(settings).generate("a red boat on a lake at sunset", seed=0).largest[0]
    assert drawn.size == (128, 128)
    catalogue = paintings.load(settings)
    painting = catalogue.pick(next(iter(catalogue.styles())), random.Random(0))
    repainted = style.load(settings).stylize(drawn, [Image.open(painting.path)])
    assert repainted.size == drawn.size and repainted.tobytes() != drawn.tobytes()
    result = genre.load(settings, catalogue).classify(drawn, "a red boat on a lake at sunset")
    assert result.genre in catalogue.genres() and result.styles and result.sentence
