"""Where the project is, for tests that run `main.py` or read its shipped files."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
