"""The genre stage: a picture and/or the words spoken -> one genre distribution, styles to suggest, a sentence.

Pure: PIL images and strings in, a ``GenreResult`` out. No files written, no audio, no window.

    stage = GenreStage(settings)
    result = stage.classify(image=picture, text="a lighthouse on a rocky coast at night")
    result.genre, result.probabilities, result.styles, result.sentence
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
from PIL import Image

from voiceart import weights
from voiceart.config import Settings
from voiceart.errors import ModelFileError, VoiceartError
from voiceart.genre import model as genre_model
from voiceart.genre.fuse import fuse, ranked
from voiceart.genre.recommend import recommend_styles, recommendation_sentence
from voiceart.genre.text import TextGenre
from voiceart.paintings.catalogue import Catalogue

FORMAT = "voiceart-genre-head-1"
RESIZE = 256  # shorter side before the centre crop, as torchvision's ImageNet evaluation does
DEFAULT_IMAGE_WEIGHT = 0.5  # for a classifier file without a fitted fusion weight (trained with --folds 0)


def eval_tensor(image: Image.Image, mean, std, size: int = genre_model.IMAGE_SIZE, resize: int = RESIZE) -> torch.Tensor:
    """A picture as the classifier sees it: shorter side to ``resize``, centre ``size`` square, normalised (3, H, W)."""
    from torchvision.transforms import functional as TF

    image = TF.center_crop(TF.resize(image.convert("RGB"), resize), size)
    return TF.normalize(TF.to_tensor(image), mean, std)


@dataclass
class GenreResult:
    genre: str
    probabilities: dict[str, float]  # most likely first
    styles: list[str]
    sentence: str
    image_probabilities: dict[str, float] | None = field(default=None, repr=False)
    text_probabilities: dict[str, float] | None = field(default=None, repr=False)

    def to_json(self) -> dict:
        return {"genre": self.genre, "probabilities": {g: round(p, 4) for g, p in self.probabilities.items()},
                "styles": list(self.styles), "sentence": self.sentence}


class ImageGenre:
    """Picture -> genre probabilities: a backbone (ImageNet weights, or fine-tuned ones in the file) and the genre head."""

    def __init__(self, settings: Settings | None = None, weights_path: Path | None = None, device: torch.device | None = None):
        settings = settings or Settings()
        path = weights.find(weights.GENRE_HEAD, settings, explicit=weights_path)
        checkpoint = weights.load_checkpoint(path, weights.GENRE_HEAD)
        remake = weights.GENRE_HEAD.make_command
        if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT:
            raise ModelFileError(f"{path} is not a voiceart genre classifier; make one with: {remake}")
        try:
            self.genres = list(checkpoint["genres"])
            name = checkpoint["backbone"]
            self.mean, self.std = tuple(checkpoint["mean"]), tuple(checkpoint["std"])
            self.size, self.resize = int(checkpoint["image_size"]), int(checkpoint["resize"])
            backbone_state = checkpoint.get("backbone_state")
            self.backbone = genre_model.backbone(name, settings, pretrained=backbone_state is None)
            if backbone_state is not None:
                self.backbone.load_state_dict(backbone_state)
            self.head = genre_model.GenreHead(self.backbone.feature_dim, len(self.genres))
            self.head.load_state_dict(checkpoint["head"])
        except (KeyError, TypeError, ValueError, RuntimeError):
            raise ModelFileError(f"{path} does not hold a usable genre classifier; remake it with: {remake}") from None
        self.device = device or settings.torch_device()
        self.backbone.eval()
        if hasattr(self.backbone, "fuse_batchnorm"):
            self.backbone.fuse_batchnorm()  # inference only: batch norms folded into the convolutions
        # Channels-last lets oneDNN / cuDNN run the depthwise convolutions faster (measured: about 1.3x on 2 CPU cores).
        self.backbone.to(self.device, memory_format=torch.channels_last)
        self.head.eval().to(self.device)
        self.checkpoint_info = {k: checkpoint.get(k) for k in ("backbone", "recipe", "cv", "trained_on")}
        weight = checkpoint.get("image_weight")
        self.fusion_weight = float(weight) if isinstance(weight, (int, float)) else DEFAULT_IMAGE_WEIGHT
        self.weights_path = path

    def tensor(self, image: Image.Image) -> torch.Tensor:
        return eval_tensor(image, self.mean, self.std, self.size, self.resize)

    @torch.inference_mode()
    def probabilities_batch(self, images: list[Image.Image]) -> torch.Tensor:
        x = torch.stack([self.tensor(im) for im in images]).to(self.device, memory_format=torch.channels_last)
        return self.head(self.backbone(x)).float().softmax(-1).cpu()

    def probabilities(self, image: Image.Image) -> dict[str, float]:
        p = self.probabilities_batch([image])[0]
        return ranked({g: float(v) for g, v in zip(self.genres, p)})


class GenreStage:
    """Genre and style advice from a picture, the words spoken, or both. Models load on first use."""

    def __init__(self, settings: Settings | None = None, catalogue=None, image_weights: Path | None = None):
        self.settings = settings or Settings()
        self._catalogue = catalogue
        self._image_weights = image_weights
        self._image: ImageGenre | None = None
        self._text = None

    @property
    def catalogue(self):
        if self._catalogue is None:
            self._catalogue = Catalogue.load(self.settings)
        return self._catalogue

    @property
    def image_model(self) -> ImageGenre:
        if self._image is None:
            self._image = ImageGenre(self.settings, self._image_weights)
        return self._image

    @property
    def text_model(self):
        if self._text is None:
            self._text = TextGenre(self.settings)
        return self._text

    def image_probabilities(self, image: Image.Image) -> dict[str, float]:
        return self.image_model.probabilities(image)

    def text_probabilities(self, text: str) -> dict[str, float]:
        return ranked(self.text_model.probabilities(text))

    def recommend(self, genre: str, probabilities: dict[str, float] | None = None) -> tuple[list[str], str]:
        styles = recommend_styles(self.catalogue, genre, probabilities)
        return styles, recommendation_sentence(genre, styles)

    def classify(self, image: Image.Image | None = None, text: str | None = None) -> GenreResult:
        text = " ".join((text or "").split())
        if image is None and not text:
            raise VoiceartError("Genre advice needs a picture, a description, or both.")
        image_p = self.image_probabilities(image) if image is not None else None
        text_p = self.text_probabilities(text) if text else None
        if image_p is not None and text_p is not None:
            probabilities = fuse([image_p, text_p], [self.image_model.fusion_weight, 1.0])
        else:
            probabilities = image_p or text_p
        genre = next(iter(probabilities))
        styles, sentence = self.recommend(genre, probabilities)
        return GenreResult(genre, probabilities, styles, sentence, image_p, text_p)
