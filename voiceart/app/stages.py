"""The real stages behind the session's jobs: Draw, Stylize and Save in, the session's answers out.

``Stages.run(job)`` never raises: whatever goes wrong becomes :class:`Failed` with one sentence
to say, and the session keeps every picture it has. Models load on first use (``prepare`` loads
them ahead, off the Tk thread), and stay loaded for the session.
"""
from __future__ import annotations

import random
import re
import threading
from datetime import datetime
from pathlib import Path

from PIL import Image

from voiceart.config import Settings, check_folder
from voiceart.errors import logged
from voiceart.session.events import Draw, Drawn, Failed, Picture, Save, Saved, Stylize, Stylized

# The Magenta lite transformer was made for 384 px pictures; its brush strokes have a size in pixels,
# so a smaller drawing (DM-GAN's 256 px, a trained model's 128 px) is scaled up to this before it is
# repainted, or the strokes would be as big as the things drawn. It costs about 0.1 s on one CPU thread.
STYLE_SIDE = 384

WHAT = {Draw: "Drawing", Stylize: "Repainting", Save: "Saving"}


class Stages:
    """Text to image, genre, style transfer and saving, as the session's jobs."""

    def __init__(self, settings: Settings, catalogue=None):
        self.settings = settings
        self._catalogue = catalogue
        self._text2image = None
        self._loading = threading.Lock()  # the worker loads the models while the session may ask `knows`
        self._genre = None
        self._stylizer = None

    # -- the models, loaded once -----------------------------------------------------------------
    @property
    def catalogue(self):
        if self._catalogue is None:
            from voiceart import paintings

            self._catalogue = paintings.load(self.settings)
        return self._catalogue

    @property
    def text2image(self):
        with self._loading:
            if self._text2image is None:
                from voiceart import text2image

                self._text2image = text2image.load(self.settings)
            return self._text2image

    def knows(self, description: str) -> bool:
        """Whether the text-to-image model can draw anything of ``description``: the session's test of
        a scene ("Sleeve it." is none). True when the model will not load, so that drawing says why."""
        try:
            return self.text2image.bridge(description).scene
        except Exception:  # noqa: BLE001 - the draw job says what is wrong, in context
            return True

    @property
    def genre(self):
        if self._genre is None:
            from voiceart import genre

            self._genre = genre.load(self.settings, self.catalogue)
        return self._genre

    @property
    def stylizer(self):
        if self._stylizer is None:
            from voiceart import style

            self._stylizer = style.load(self.settings)
        return self._stylizer

    def prepare(self) -> list[str]:
        """Load every model and run it once now, so that the first picture comes sooner (the first call
        of the genre network alone costs about a second on one thread: oneDNN picks its kernels then).
        Returns the sentences of what would not load; the job that needs it says it again, in context."""
        blank = Image.new("RGB", (64, 64), (128, 128, 128))
        warm_ups = (
            lambda: self.stylizer.stylize(blank, [blank]),
            lambda: self.genre.classify(blank, "a picture"),
            lambda: self.text2image.generate(self.text2image.vocab.ixtoword[1], seed=0),
            lambda: self.text2image.bridge.embeddings(),  # the vocabulary's meanings, for words it lacks
        )
        problems = []
        for warm_up in warm_ups:
            try:
                warm_up()
            except Exception as exc:
                problems.append(logged(exc))
        return problems

    # -- the jobs ----------------------------------------------------------------------------------
    def run(self, job: Draw | Stylize | Save) -> Drawn | Stylized | Saved | Failed:
        try:
            if isinstance(job, Draw):
                return self.draw(job)
            if isinstance(job, Stylize):
                return self.stylize(job)
            if isinstance(job, Save):
                return self.save(job)
            raise TypeError(f"not a job: {job!r}")
        except Exception as exc:
            return Failed(job.job, logged(exc, WHAT.get(type(job), "That")))

    def draw(self, job: Draw) -> Drawn:
        generation = self.text2image.generate(job.description, seed=job.seed)
        image = generation.largest[0]
        advice = self.genre.classify(image, job.description)
        return Drawn(job.job, image, tuple(generation.unknown), advice.genre, tuple(advice.styles), advice.sentence,
                     generation.said)

    def stylize(self, job: Stylize) -> Stylized:
        from voiceart.images import load_image

        if job.painting_id:
            painting = self.catalogue.get(job.painting_id)
        else:
            painting = self.catalogue.pick(job.style, random.Random(job.seed), exclude=job.exclude)
        art, _ = load_image(painting.path, self.settings.max_side)
        image = self.stylizer.stylize(at_least(job.image, STYLE_SIDE), [art], job.strength)
        return Stylized(job.job, image, painting.style, painting.id, painting.credit, painting.licence)

    def save(self, job: Save) -> Saved:
        from voiceart.images import save_png

        folder = Path(self.settings.pictures_dir)
        check_folder(folder, "VOICEART_PICTURES")
        path = unused(folder, picture_stem(job.picture, datetime.now()), ".png")
        return Saved(job.job, save_png(job.picture.image, path, job.picture.metadata()))


def at_least(image: Image.Image, side: int) -> Image.Image:
    """``image`` scaled up (never down) so that its longest side is ``side``."""
    longest = max(image.size)
    if longest >= side:
        return image
    scale = side / longest
    return image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)


def slug(text: str, limit: int = 40) -> str:
    """File-name words: "A lighthouse, at night!" -> "a-lighthouse-at-night"."""
    out = ""
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if out and len(out) + 1 + len(word) > limit:
            break
        out = f"{out}-{word}" if out else word[:limit]
    return out or "picture"


def picture_kind(picture: Picture) -> str:
    """"drawn" for a drawn picture, else its style as a file name."""
    return slug(picture.style) if picture.style else "drawn"


def picture_stem(picture: Picture, when: datetime) -> str:
    return f"{when:%Y%m%d-%H%M%S}-{slug(picture.description, 32)}-{picture_kind(picture)}"


def unused(folder: Path, name: str, suffix: str = "") -> Path:
    """``folder/name+suffix``, or ``name-2``, ``name-3`` ... when that exists: voiceart never writes
    over a picture or another session's folder."""
    path, n = Path(folder) / f"{name}{suffix}", 1
    while path.exists():
        n += 1
        path = Path(folder) / f"{name}-{n}{suffix}"
    return path
