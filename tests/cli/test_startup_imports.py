"""A command starts quickly: it imports what it needs, not ReportLab, Qt or Excel (issue 12).

Checked in a fresh interpreter: the modules already loaded by this test process would hide an
eager import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from db.persons.people import add_person
from db.store.register import open_register

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("reportlab", "PySide6", "openpyxl", "python_calamine", "pypdf")


def _loaded_after(code: str) -> set[str]:
    """The top-level packages loaded in a new interpreter after running `code`."""
    names = "sorted({m.split('.')[0] for m in sys.modules})"
    probe = f"import json, sys\n{code}\nprint(json.dumps({names}))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
        timeout=120,
    )  # fmt: skip
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_command_line_loads_no_reportlab_or_qt() -> None:
    loaded = _loaded_after("import cli.main")
    assert "cli" in loaded  # the probe did import it
    assert not loaded & {*HEAVY, "sqlite_utils", "cryptography", "sqlcipher3"}


def test_help_loads_neither_the_register_nor_the_reports() -> None:
    loaded = _loaded_after(
        "import contextlib, io\nfrom cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])"
    )
    assert not loaded & {*HEAVY, "sqlite_utils", "cryptography", "sqlcipher3"}


def test_find_loads_the_register_but_no_reportlab_or_qt(tmp_path: Path) -> None:
    path = tmp_path / "so.db"
    with open_register(path, create=True) as reg:
        add_person(reg, {"full_name": "Lò Văn Đức"})
    loaded = _loaded_after(
        "import contextlib, io\nfrom cli.main import main\nout = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    code = main(['find', '--db', {str(path)!r}, 'duc'])\n"
        "assert code == 0 and 'Lò Văn Đức' in out.getvalue(), out.getvalue()"
    )
    assert "sqlite_utils" in loaded  # it did open the register and search
    assert not loaded & set(HEAVY)
