"""Sample photos shipped with voiceart (see README.md here for their sources)."""
