"""The voiceart program: the ``voiceart`` command and ``python -m voiceart``.

voiceart itself is imported inside :func:`entry`, so that Ctrl-C while Python is still loading it
(the first tenth of a second) is one line and exit 130, as it is once a command runs.
"""
import os
import sys


def entry() -> None:
    """main, then its status."""
    try:
        from voiceart.cli import main

        code = main()
    except KeyboardInterrupt:  # before a command ran: while loading, or reading the arguments
        print("voiceart: stopped.", file=sys.stderr)
        code = 130
    if code == 130:
        # After Ctrl-C, worker threads of native libraries (speech, torch) may still run, and ending the
        # interpreter the usual way can then abort ("terminate called without an active exception").
        # Every result is on disk already (written atomically as it is made): leave at once.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
