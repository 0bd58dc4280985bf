"""The app: microphone, Whisper, session, stages, voice and window wired together (``voiceart start``),
and ``voiceart demo``, a spoken session without a microphone; ``cli`` holds their command line."""
