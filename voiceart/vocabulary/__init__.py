"""voiceart's vocabulary: the words it hears, the sentences it says, and how text is compared.

Called the vocabulary, not the grammar: the grammar (voiceart/speech/grammar.py) is the logic that
reads an utterance, and it is one of several readers of these words; the session, its keys and the
window name commands with them too. Laid out like an OVOS skill's locale folder: ``heard`` holds
the commands and their phrases (its .voc files), ``said.toml`` the sentences (its .dialog files),
``text`` the one normaliser and scorer that commands and style names share.

A leaf: it imports nothing of voiceart, so any stage, the session or the window may import it.
"""
from voiceart.vocabulary.heard import (ARTICLES, CHOOSE_WORDS, COMMANDS, DESCRIBE_LEADS, FILLER_RUNS, FILLERS, NONE,
                                       NUMBER_SOUNDALIKES, NUMBERS, OBJECTS, ORDINALS, PHRASES, SCENE_WORDS, SLIGHT,
                                       SMALL_TALK, SPOKEN, STYLE_CARRIERS, STYLE_FILLERS, STYLE_WORDS, WISH_WORDS, Command,
                                       Expecting)
from voiceart.vocabulary.said import SENTENCES, say
from voiceart.vocabulary.text import ngrams, phonetic, ratio, similarity, words

__all__ = ["ARTICLES", "CHOOSE_WORDS", "COMMANDS", "DESCRIBE_LEADS", "FILLERS", "FILLER_RUNS", "NONE", "NUMBERS",
           "NUMBER_SOUNDALIKES", "OBJECTS", "ORDINALS", "PHRASES", "SCENE_WORDS", "SENTENCES", "SLIGHT", "SMALL_TALK",
           "SPOKEN", "STYLE_CARRIERS", "STYLE_FILLERS", "STYLE_WORDS", "WISH_WORDS", "Command", "Expecting", "ngrams", "phonetic", "ratio",
           "say", "similarity", "words"]
