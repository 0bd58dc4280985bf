"""Text to image: DM-GAN (Zhu et al. 2019) in PyTorch, compatible with the released files.

- ``config``: sizes (the ``bird`` and ``coco`` presets as released, ``tiny`` for tests, JSON for others)
- ``generator``, ``discriminator``, ``text_encoder``, ``image_encoder``: the networks, with the
  official module and parameter names
- ``losses``: DAMSM word and sentence losses, GAN losses, the KL loss of conditioning augmentation
- ``vocab``: tokenising as the official code, ``captions.pickle``
- ``bridge``: words the vocabulary lacks mapped to ones it has (form, spelling, meaning, sound) or left out
- ``checkpoints``: strict loading of released and trained files
- ``sample``: the stage API (``TextToImage``; ``load(settings)`` here is the front door)
- ``data``, ``train_damsm``, ``train_dmgan``, ``evaluate``: training and measuring
- ``cli``: ``voiceart generate``, ``voiceart train damsm|dmgan``, ``voiceart eval dmgan``

See docs/text2image.md.
"""


def load(settings=None, preset=None):
    """The stage's front door: the text-to-image model of ``settings`` (or ``preset``), ready to draw
    (``.generate(text)``); every missing or damaged file is one sentence."""
    from voiceart.text2image.sample import TextToImage

    return TextToImage.load(settings, preset)
