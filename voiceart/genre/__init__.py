"""The genre stage: which genre a picture and the words spoken show, and which styles suit it.

``voiceart.genre.classify.GenreStage`` is the entry point; ``cli`` holds the command line
(``classify``, ``train genre``, ``eval genre``). Nothing heavy is imported here.
"""
