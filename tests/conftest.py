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
