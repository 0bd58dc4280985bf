"""Repaint a picture in the style of one or more paintings (Ghiasi et al. 2017).

Strength follows Magenta: the style vector used is a mix of the painting's and
the photo's own, ``strength * painting + (1 - strength) * photo``, so 0 keeps
the photo's look and 1 gives the full style.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from voiceart import weights
from voiceart.config import Settings
from voiceart.errors import ModelFileError, VoiceartError
from voiceart.style.convert import FORMAT
from voiceart.style.model import PREDICTOR_SIZE, StylePredictor, StyleTransformer, TransformerConfig


def to_tensor(image: Image.Image) -> torch.Tensor:
    """PIL RGB -> (1, 3, H, W) float in [0, 1]."""
    return torch.from_numpy(np.asarray(image, dtype=np.uint8).copy()).permute(2, 0, 1)[None].float().div_(255)


def to_image(x: torch.Tensor) -> Image.Image:
    """(1, 3, H, W) in [0, 1] -> PIL RGB."""
    array = x[0].clamp(0, 1).mul(255).add_(0.5).to(torch.uint8).permute(1, 2, 0).cpu().numpy()
    return Image.fromarray(array)


def style_crop(image: Image.Image) -> Image.Image:
    """The centre square at the predictor's size: the style of a painting is in its texture, not its frame."""
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    return image.crop((left, top, left + side, top + side)).resize((PREDICTOR_SIZE, PREDICTOR_SIZE), Image.LANCZOS)


def mix_styles(vectors: torch.Tensor, blend: Sequence[float] | None = None) -> torch.Tensor:
    """Weighted average of style vectors (K, 100) -> (100,); ``blend`` defaults to equal weights."""
    w = torch.ones(len(vectors)) if blend is None else torch.as_tensor(blend, dtype=torch.float32)
    if w.shape != (len(vectors),) or not torch.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise VoiceartError("Blend weights must be one non-negative number per painting, not all zero.")
    return (w[:, None].to(vectors) * vectors).sum(0) / w.sum()


def check_strength(strength: float) -> float:
    if not 0.0 <= strength <= 1.0:
        raise VoiceartError(f"Style strength must be between 0 and 1, not {strength}.")
    return float(strength)


class Stylizer:
    """The style stage: pictures in, a repainted picture out. No files, no audio, no window."""

    def __init__(self, settings: Settings | None = None, weights_path: Path | None = None):
        settings = settings or Settings()
        path = weights.find(weights.STYLE_LITE, settings, explicit=weights_path or settings.style_weights)
        checkpoint = weights.load_checkpoint(path, weights.STYLE_LITE)
        if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT:
            raise ModelFileError(f"{path} is not a voiceart style checkpoint; make one with: {weights.STYLE_LITE.make_command}")
        self.device = settings.torch_device()
        self.predictor = StylePredictor()
        self.transformer = StyleTransformer(TransformerConfig(widths=tuple(checkpoint["transformer_widths"])))
        try:
            self.predictor.load_state_dict(checkpoint["predictor"])
            self.transformer.load_state_dict(checkpoint["transformer"])
        except (KeyError, RuntimeError):
            raise ModelFileError(f"{path} does not hold the expected style networks; remake it with: {weights.STYLE_LITE.make_command}") from None
        # Channels-last lets oneDNN / cuDNN run the few-channel and depthwise convolutions several times faster.
        self.predictor.eval().to(self.device, memory_format=torch.channels_last)
        self.transformer.eval().to(self.device, memory_format=torch.channels_last)
        self.weights_path = path

    @torch.inference_mode()
    def style_vector(self, image: Image.Image) -> torch.Tensor:
        """The 100-number style of a picture."""
        return self.predictor(to_tensor(style_crop(image)).to(self.device, memory_format=torch.channels_last))[0]

    @torch.inference_mode()
    def apply(self, photo: Image.Image, style: torch.Tensor) -> Image.Image:
        """Run the transformer with a given style vector."""
        x = to_tensor(photo).to(self.device, memory_format=torch.channels_last)
        out = self.transformer(x, style.reshape(1, -1).to(self.device))
        if not bool(torch.isfinite(out).all()):  # weights that load but overflow: a black picture would hide it
            raise ModelFileError(f"The style network {self.weights_path} painted numbers that are not a picture (not "
                                 f"finite): the file is damaged; remake it with: {weights.STYLE_LITE.make_command}")
        return to_image(out)

    def stylize(self, photo: Image.Image, paintings: Sequence[Image.Image], strength: float = 1.0,
                blend: Sequence[float] | None = None) -> Image.Image:
        """Repaint ``photo`` in the style of ``paintings`` (blended by ``blend``) at ``strength``."""
        strength = check_strength(strength)
        if not paintings:
            raise VoiceartError("Stylizing needs at least one painting.")
        style = mix_styles(torch.stack([self.style_vector(p) for p in paintings]), blend)
        if strength < 1.0:
            style = strength * style + (1.0 - strength) * self.style_vector(photo)
        return self.apply(photo, style)
