"""Problems a person can act on. Each message is one plain sentence, fit to be shown and spoken."""


class VoiceartError(Exception):
    """Base class: the command line prints the message, never a traceback."""


class ModelFileError(VoiceartError):
    """A model file is missing or damaged; the message names the command that makes it."""


class ImageError(VoiceartError):
    """An image could not be read."""


class UnknownStyleError(VoiceartError):
    """A style name matched nothing; ``suggestions`` holds the closest known styles."""

    def __init__(self, message: str, suggestions: list[str]):
        super().__init__(message)
        self.suggestions = suggestions
