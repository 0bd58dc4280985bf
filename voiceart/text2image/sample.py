"""The text-to-image stage: a sentence in, pictures at every stage (64, 128, 256 px) out.

    from voiceart.config import Settings
    from voiceart.text2image.sample import TextToImage

    t2i = TextToImage.load(Settings(), preset="bird")   # finds bird_DMGAN.pth, text_encoder200.pth, captions.pickle
    result = t2i.generate("a small red bird with black wings", variants=4, seed=7)
    result.images[256][0].save("bird.png")                # also result.images[64], [128]
    result.said.summary()                                 # words it does not know, mapped or left out:
                                                          # "ocean -> sea; left out: zorblax"

Noise is drawn on the CPU from the seed, so a seed gives the same pictures on CPU and CUDA
(up to floating point). The models run in eval mode: batch norm uses its running statistics,
so one picture does not depend on the others drawn with it.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import torch
from PIL import Image

from voiceart.config import Settings
from voiceart.errors import ModelFileError, VoiceartError
from voiceart.text2image.bridge import Bridged, WordBridge
from voiceart.text2image.config import DMGANConfig, get_preset
from voiceart.text2image.vocab import Vocabulary


@dataclass
class Generation:
    text: str
    words: list[str]  # the words the model read, in order
    unknown: list[str]  # the words it does not know and could not map (left out)
    seed: int
    images: dict[int, list[Image.Image]] = field(default_factory=dict)  # stage size -> one picture per variant
    said: Bridged | None = None  # how the text reached the model: the words changed and left out

    @property
    def size(self) -> int:
        return max(self.images)

    @property
    def largest(self) -> list[Image.Image]:
        return self.images[self.size]


def to_pil(batch: torch.Tensor) -> list[Image.Image]:
    """B x 3 x H x W in [-1, 1] -> PIL pictures (the official (x + 1) * 127.5, rounded)."""
    array = ((batch.detach().float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    array = array.permute(0, 2, 3, 1).cpu().numpy()
    return [Image.fromarray(a) for a in array]


class TextToImage:
    """A DM-GAN generator with its text encoder and vocabulary, ready to draw sentences."""

    def __init__(self, generator, text_encoder, vocab: Vocabulary, device: torch.device | str = "cpu", name: str = "",
                 files: dict[str, Path] | None = None, bridge: WordBridge | None = None):
        self.device = torch.device(device)
        self.generator = generator.to(self.device).eval()
        self.text_encoder = text_encoder.to(self.device).eval()
        self.vocab = vocab
        self.config: DMGANConfig = generator.config
        self.name = name or self.config.name
        self.files = files or {}
        self.bridge = bridge or WordBridge.of(vocab)  # free speech to the words this model knows
        if self.device.type == "cpu":
            # channels-last convolutions are faster on CPUs with oneDNN (the output is the same)
            self.generator.to(memory_format=torch.channels_last)

    @classmethod
    def load(cls, settings: Settings | None = None, preset: str | None = None, netg: Path | None = None,
             text_encoder: Path | None = None, captions: Path | None = None, device: torch.device | None = None) -> "TextToImage":
        """Find and load the three files (see voiceart.weights.find_dmgan); every problem is one sentence."""
        from voiceart import weights
        from voiceart.text2image.checkpoints import load_generator, load_text_encoder
        from voiceart.text2image.vocab import load_captions

        settings = settings or Settings()
        device = device or settings.torch_device()
        config = None
        if preset is not None or netg is None and settings.dmgan_netg is None:
            name = preset or settings.text2image_preset
            try:
                config = get_preset(name)
            except VoiceartError:
                config = None  # a model trained here and installed under this name: its file has its sizes
        netg_path, encoder_path, captions_path = weights.find_dmgan(settings, preset, netg, text_encoder, captions)
        captions_file = load_captions(captions_path)
        generator = load_generator(netg_path, config)
        encoder = load_text_encoder(encoder_path, len(captions_file.vocab), generator.config)
        files = {"netG": netg_path, "text_encoder": encoder_path, "captions": captions_path}
        # how often each word is in the training captions: the bridge prefers words the model saw often
        counts = Counter(i for caption in captions_file.train_captions for i in caption)
        # a trained folder's generator is netG.pth: the folder's name says which model it is
        file_name = netg_path.parent.name if netg_path.stem == "netG" else netg_path.stem
        return cls(generator, encoder, captions_file.vocab, device, name=preset or (config.name if config else file_name),
                   files=files, bridge=WordBridge.of(captions_file.vocab, counts, settings))

    @torch.inference_mode()
    def generate(self, text: str, variants: int = 1, seed: int | None = None, stages: int | None = None) -> Generation:
        """``variants`` pictures of ``text`` (different noise), at every stage up to ``stages``."""
        if variants < 1:
            raise VoiceartError("Ask for at least one picture.")
        said = self.bridge(text)
        if not said.words:
            raise VoiceartError(f"None of the words of \"{text.strip()}\" are in the {self.name} model's vocabulary, "
                                f"so it cannot draw them.")
        ids = [self.vocab.wordtoix[w] for w in said.words]
        seed = random.SystemRandom().randrange(2**31) if seed is None else int(seed)
        rng = torch.Generator().manual_seed(seed)
        z = torch.randn(variants, self.config.Z_DIM, generator=rng)
        eps = torch.randn(variants, self.config.CONDITION_DIM, generator=rng)
        captions = torch.tensor([ids] * variants, dtype=torch.int64, device=self.device)
        lengths = torch.full((variants,), len(ids), dtype=torch.int64)
        words_emb, sent_emb = self.text_encoder(captions, lengths)
        mask = captions == 0
        fake_imgs, _, _, _ = self.generator(z.to(self.device), sent_emb, words_emb, mask, eps=eps.to(self.device), stages=stages)
        if not all(bool(torch.isfinite(img).all()) for img in fake_imgs):
            # weights that load but overflow: a black picture would hide it
            raise ModelFileError(f"The {self.name} model drew numbers that are not a picture (not finite): its files are "
                                 f"damaged; bring a good copy or train it again.")
        images = {img.shape[-1]: to_pil(img) for img in fake_imgs}
        return Generation(text, list(said.words), list(said.left_out), seed, images, said)
