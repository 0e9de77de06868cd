"""Sổ theo dõi — start the window, or run a command: `python main.py --help`."""

import sys

from cli.main import main

if __name__ == "__main__":
    sys.exit(main())
