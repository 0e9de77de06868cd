"""How commands print: results to stdout (JSON on request), messages to stderr."""

from __future__ import annotations

import json


def dump_json(value: object) -> None:
    """Print a value as UTF-8 JSON."""
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))
