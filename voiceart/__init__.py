"""voiceart: speak a scene, get a painting."""

__version__ = "0.1.0"
