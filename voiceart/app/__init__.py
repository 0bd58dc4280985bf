"""The app: microphone, Whisper, session, stages, voice and window wired together (``voiceart start``),
and ``voiceart demo``, a spoken session without a microphone."""
from voiceart.app.commands import register

__all__ = ["register"]
