"""Check the CI workflow files as far as this machine can: the YAML reads, the jobs have steps,
and every file of the repository a step names exists.

    python packaging/check_workflow.py [.github/workflows/windows.yml ...]

A workflow runs only on the hosting service; a step naming a script that was renamed fails
there, after the build. Paths under dist/ and build/ (made by the run) and paths with wildcards
are not looked for. PyYAML reads the file when it is installed; without it a careful line check
stands in (no tabs, the top-level keys present) and the paths are still checked.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
TOP_LEVEL = ("packaging", "tests", "gui", "db", "cli", "reports", "docs", "bench", ".github", ".ci")
ROOT_FILES = ("main.py", "pyproject.toml", "README.md", "CHANGELOG.md")
GENERATED = ("dist/", "build/")
_PATH = re.compile(
    r"(?<![\w.$/\\-])("
    + "|".join(re.escape(d) for d in TOP_LEVEL)
    + r")((?:[/\\][\w.*?\-]+)+)|(?<![\w./\\-])("
    + "|".join(re.escape(f) for f in ROOT_FILES)
    + r")(?![\w-])"
)


def named_paths(text: str) -> list[str]:
    """Repository paths a piece of workflow text names (forward slashes)."""
    found = []
    for match in _PATH.finditer(text):
        path = match.group(3) or (match.group(1) + match.group(2))
        found.append(path.replace("\\", "/").rstrip("/."))
    return found


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def structure_problems(workflow: Any) -> list[str]:
    """What is missing from a parsed workflow: triggers, jobs, and steps in each job."""
    if not isinstance(workflow, dict):
        return ["not a mapping at the top level"]
    problems = []
    # YAML 1.1 reads a bare `on` key as the boolean true.
    if "on" not in workflow and True not in workflow:
        problems.append("no `on:` (what starts the workflow)")
    jobs = workflow.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        return [*problems, "no jobs"]
    for name, job in jobs.items():
        if not isinstance(job, dict) or "runs-on" not in job:
            problems.append(f"job {name}: no runs-on")
            continue
        steps = job.get("steps")
        if not isinstance(steps, list) or not steps:
            problems.append(f"job {name}: no steps")
            continue
        for number, step in enumerate(steps, 1):
            if not isinstance(step, dict) or not ("run" in step or "uses" in step):
                problems.append(f"job {name}, step {number}: neither run nor uses")
    return problems


def _minimal_problems(text: str) -> list[str]:
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        if "\t" in line[: len(line) - len(line.lstrip())]:
            problems.append(f"line {number}: a tab in the indent (YAML allows spaces only)")
    for key in ("on", "jobs"):
        if not re.search(rf"^{key}:", text, re.MULTILINE):
            problems.append(f"no top-level `{key}:`")
    if not re.search(r"^\s+steps:", text, re.MULTILINE):
        problems.append("no steps")
    return problems


def check_workflow(path: Path, root: Path = ROOT) -> list[str]:
    """The problems of one workflow file (empty when it is fine)."""
    text = path.read_text(encoding="utf-8")
    try:
        import yaml
    except ImportError:
        problems = _minimal_problems(text)
        strings = [text]
    else:
        try:
            workflow = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            return [f"not valid YAML: {exc}"]
        problems = structure_problems(workflow)
        strings = list(_strings(workflow))
    seen: set[str] = set()
    for string in strings:
        for rel in named_paths(string):
            if rel in seen or rel.startswith(GENERATED) or any(c in rel for c in "*?"):
                continue
            seen.add(rel)
            if not (root / rel).exists():
                problems.append(f"names {rel}, which does not exist")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check CI workflow files.")
    parser.add_argument("files", nargs="*", type=Path, help="default: .github/workflows/*.yml")
    args = parser.parse_args(argv)
    files = args.files or sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
    if not files:
        print(f"no workflow files in {WORKFLOWS}", file=sys.stderr)
        return 1
    failed = 0
    for path in files:
        problems = check_workflow(path)
        failed += bool(problems)
        for problem in problems:
            print(f"{path}: {problem}", file=sys.stderr)
        if not problems:
            print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
