"""The window: a minimal, keyboard-usable Tk view of the session (it draws a View and sends Heard)."""
