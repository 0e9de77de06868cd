"""The command line: `python main.py <command>` for scripts and checks without a screen."""
