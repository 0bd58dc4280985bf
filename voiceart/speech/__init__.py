"""Speech: hearing utterances, transcribing them with Whisper, understanding commands, speaking back."""
