"""The style stage: Magenta's arbitrary style transfer (Ghiasi et al. 2017), lite networks in PyTorch.

``model`` holds the networks (``fast`` their inference path), ``convert`` makes voiceart's checkpoint
from the packaged Magenta lite weights, ``stylize`` is the stage (``Stylizer``), ``cli`` its subcommands.
Nothing heavy is imported here.
"""


def load(settings=None):
    """The stage's front door: the style networks of ``settings``, ready to repaint (``.stylize(photo, paintings)``)."""
    from voiceart.style.stylize import Stylizer

    return Stylizer(settings)
