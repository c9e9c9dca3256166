"""``python -m server.decks validate FILE…`` and ``python -m server.decks schema``."""

import sys

from server.decks.cli import main

if __name__ == "__main__":
    sys.exit(main())
