import sys

from voiceart.cli import main

sys.exit(main())
