"""packaging/check_workflow.py: the Windows workflow names only files that exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.packaging.scripts import load

check_workflow = load("check_workflow")
WORKFLOW = check_workflow.ROOT / ".github" / "workflows" / "windows.yml"

GOOD = """\
name: t
on: [push]
jobs:
  build:
    runs-on: windows-2022
    steps:
      - uses: actions/checkout@v4
      - run: python packaging/build.py
      - run: python {named} dist/SoTheoDoi "dist/*.zip"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "w.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_windows_workflow_passes() -> None:
    assert check_workflow.check_workflow(WORKFLOW) == []


def test_the_windows_workflow_runs_the_packaging_steps() -> None:
    named = set(check_workflow.named_paths(WORKFLOW.read_text(encoding="utf-8")))
    assert {
        "packaging/build.py",
        "packaging/smoke.py",
        "packaging/installer.py",
        "packaging/portable.py",
        "packaging/sums.py",
    } <= named


def test_a_missing_script_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.format(named="packaging/renamed_smoke.py"))
    assert check_workflow.check_workflow(path) == [
        "names packaging/renamed_smoke.py, which does not exist"
    ]


def test_generated_paths_and_wildcards_are_not_looked_for(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.format(named="packaging/smoke.py"))
    assert check_workflow.check_workflow(path) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("on: [push]\njobs: {}\n", "no jobs"),
        ("on: [push]\njobs:\n  a:\n    steps: [{run: x}]\n", "job a: no runs-on"),
        ("on: [push]\njobs:\n  a:\n    runs-on: x\n    steps: [{name: y}]\n", "step 1"),
        ("jobs:\n  a:\n    runs-on: x\n    steps: [{run: y}]\n", "no `on:`"),
        ("on: [push\n", "not valid YAML"),
    ],
)
def test_a_broken_workflow_is_reported(tmp_path: Path, text: str, problem: str) -> None:
    pytest.importorskip("yaml")
    problems = check_workflow.check_workflow(write(tmp_path, text))
    assert any(problem in p for p in problems), problems


def test_without_pyyaml_the_line_check_still_finds_missing_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_yaml(name: str, *args: object, **kwargs: object) -> object:
        if name == "yaml":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_yaml)
    text = GOOD.format(named="packaging/nowhere.py").replace("    steps:", "\tsteps:")
    problems = check_workflow.check_workflow(write(tmp_path, text))
    assert "names packaging/nowhere.py, which does not exist" in problems
    assert any("a tab" in p for p in problems)
