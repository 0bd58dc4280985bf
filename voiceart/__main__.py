from voiceart.cli import entry

entry()
