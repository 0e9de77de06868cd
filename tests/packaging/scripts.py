"""Loading a script of packaging/ as a module.

packaging/ is a folder of scripts, not a package: an `import packaging` would find the PyPI
library of that name. Scripts import their neighbours by plain name (smoke.py → pdfcheck), as
they do when run, so the folder goes on sys.path while one loads.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

FOLDER = Path(__file__).resolve().parents[2] / "packaging"


def load(name: str) -> ModuleType:
    """packaging/<name>.py, loaded once under the module name `sotd_packaging_<name>`."""
    module_name = f"sotd_packaging_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, FOLDER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(FOLDER))
    try:
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(FOLDER))
    return module
