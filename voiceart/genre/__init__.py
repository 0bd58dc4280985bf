"""The genre stage: which genre a picture and the words spoken show, and which styles suit it.

``voiceart.genre.classify.GenreStage`` is the entry point; ``cli`` holds the command line
(``classify``, ``train genre``, ``eval genre``). Nothing heavy is imported here.
"""


def load(settings=None, catalogue=None):
    """The stage's front door: the genre classifier and the styles' table of ``catalogue`` (default: the
    catalogue of ``settings``), ready to say which genre a picture and its words show."""
    from voiceart.genre.classify import GenreStage

    return GenreStage(settings, catalogue)
