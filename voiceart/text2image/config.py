"""Sizes and training settings of DM-GAN, with the released presets and room for the project's own.

Field names follow the official configuration (``cfg.GAN.GF_DIM`` becomes ``GF_DIM``) so a
reader can hold this beside the paper's code. The ``bird`` and ``coco`` presets are the
values the released files were trained with (code/cfg/bird_DMGAN.yml, coco_DMGAN.yml and
the DAMSM configs); ``tiny`` is this project's test-sized model, small enough to train a few
steps on a CPU; a JSON file of fields makes another.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from voiceart.errors import VoiceartError


@dataclass(frozen=True)
class DMGANConfig:
    name: str = "custom"
    # --- the networks (these decide the shapes in the state dicts)
    GF_DIM: int = 64  # generator channels at 64 px (the first stage starts from 16 * GF_DIM at 4 px)
    DF_DIM: int = 32  # discriminator base channels
    Z_DIM: int = 100  # noise
    CONDITION_DIM: int = 100  # conditioning augmentation output (c)
    EMBEDDING_DIM: int = 256  # DAMSM sentence / word feature size (text encoder hidden, both directions)
    WORD_DIM: int = 300  # word embedding of the text encoder (the official RNN_ENCODER's ninput)
    TEXT_DROPOUT: float = 0.5  # dropout on the word embeddings while DAMSM trains (the official 0.5)
    BRANCH_NUM: int = 3  # stages: 64, 128, 256 px
    R_NUM: int = 2  # residual blocks per refinement stage
    BASE_SIZE: int = 64  # first stage's size
    # --- text
    WORDS_NUM: int = 18  # longest caption in training (longer ones keep a random, ordered subset)
    CAPTIONS_PER_IMAGE: int = 10
    # --- DAMSM image encoder: "inception_v3" (official; torchvision's network), "lite0" (frozen ImageNet
    # EfficientNet-Lite0, whose weights a package ships) or "small" (this project's from-scratch encoder)
    IMAGE_ENCODER: str = "inception_v3"
    ENCODER_SIZE: int = 0  # the image encoder's input size; 0: 299 for inception_v3, the largest stage otherwise
    # --- losses (cfg.TRAIN.SMOOTH)
    GAMMA1: float = 4.0
    GAMMA2: float = 5.0
    GAMMA3: float = 10.0
    LAMBDA: float = 5.0  # weight of the DAMSM loss in the generator's loss
    # The DAMSM judges the generated picture softened and shifted at random (losses.damsm_view), so the
    # generator cannot please a frozen pretrained encoder with texture; off in the official code.
    DAMSM_AUGMENT: bool = False
    # Kinds of thing the discriminators are told a caption names (a projection term, Miyato & Koyama 2018,
    # beside the sentence feature), so a picture that lacks a named thing looks fake; 0 in the official code.
    KIND_DIM: int = 0
    # The generator is also asked to come close, seen at PAIRED_SIZE px, to the training picture its caption was
    # written for (an L1 term, as pix2pix pairs L1 with its GAN loss): where a thing stands, its size and colour
    # are learned from pixels, not only from the judges. 0 in the official code.
    PAIRED_WEIGHT: float = 0.0
    PAIRED_SIZE: int = 32
    # --- training
    BATCH_SIZE: int = 10
    GENERATOR_LR: float = 2e-4
    DISCRIMINATOR_LR: float = 2e-4
    ENCODER_LR: float = 2e-3
    RNN_GRAD_CLIP: float = 0.25
    EMA_DECAY: float = 0.999

    @property
    def sizes(self) -> list[int]:
        return [self.BASE_SIZE * 2**i for i in range(self.BRANCH_NUM)]

    @property
    def image_size(self) -> int:
        return self.sizes[-1]

    @property
    def encoder_size(self) -> int:
        return self.ENCODER_SIZE or (299 if self.IMAGE_ENCODER == "inception_v3" else self.image_size)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "DMGANConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise VoiceartError(f"The DM-GAN configuration has fields voiceart does not know: {', '.join(unknown)}.")
        return cls(**data)

    def with_(self, **changes) -> "DMGANConfig":
        return replace(self, **changes)


PRESETS: dict[str, DMGANConfig] = {
    "bird": DMGANConfig(name="bird", GF_DIM=64, DF_DIM=32, R_NUM=2, WORDS_NUM=18, CAPTIONS_PER_IMAGE=10,
                        LAMBDA=5.0, BATCH_SIZE=10),
    "coco": DMGANConfig(name="coco", GF_DIM=64, DF_DIM=32, R_NUM=3, WORDS_NUM=12, CAPTIONS_PER_IMAGE=5,
                        LAMBDA=50.0, BATCH_SIZE=16),
    # Test-sized: 64 and 128 px, a few thousand times cheaper than bird; trains on a CPU.
    "tiny": DMGANConfig(name="tiny", GF_DIM=8, DF_DIM=8, Z_DIM=16, CONDITION_DIM=16, EMBEDDING_DIM=32,
                        WORD_DIM=32, BRANCH_NUM=2, R_NUM=1, WORDS_NUM=12, CAPTIONS_PER_IMAGE=5,
                        IMAGE_ENCODER="small", ENCODER_SIZE=64, LAMBDA=1.0, BATCH_SIZE=8, ENCODER_LR=2e-3),
    # The model voiceart ships (models/dmgan/scenes): 64 and 128 px, sized to train on a 2-core CPU in
    # about four and a half hours on the procedural scene data (voiceart data scenes); tools/train_scene_model.sh.
    "scenes": DMGANConfig(name="scenes", GF_DIM=16, DF_DIM=16, Z_DIM=64, CONDITION_DIM=64, EMBEDDING_DIM=128,
                          WORD_DIM=128, BRANCH_NUM=2, R_NUM=1, WORDS_NUM=16, CAPTIONS_PER_IMAGE=5,
                          IMAGE_ENCODER="small", ENCODER_SIZE=128, LAMBDA=5.0, BATCH_SIZE=16),
}

# The released DAMSM encoders were trained with these caption lengths (cfg/DAMSM/*.yml) and
# evaluated with these (cfg/eval_*.yml).
DAMSM_WORDS_NUM = {"bird": 18, "coco": 15}
EVAL_WORDS_NUM = {"bird": 25, "coco": 20}


def get_preset(name_or_path: str | Path) -> DMGANConfig:
    """A preset by name (bird, coco, tiny) or a JSON file of DMGANConfig fields."""
    key = str(name_or_path)
    if key in PRESETS:
        return PRESETS[key]
    path = Path(key).expanduser()
    if path.suffix == ".json" or path.is_file():
        if not path.is_file():
            raise VoiceartError(f"There is no configuration file {path}.")
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise VoiceartError(f"The configuration file {path} cannot be read ({exc}).") from None
        data.setdefault("name", path.stem)
        return DMGANConfig.from_dict(data)
    raise VoiceartError(f"There is no DM-GAN preset '{key}'; use one of {', '.join(PRESETS)} or a JSON configuration file.")


def save_config(config: DMGANConfig, path: Path) -> None:
    path.write_text(json.dumps(config.to_dict(), indent=2) + "\n")
