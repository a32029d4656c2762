"""
The cheap quality checks, run with the suite so that CI catches them.

* the import contracts (pyproject.toml ``[tool.importlinter]``): the layering of docs/architecture.rst;
* the PII annotations of every model (.pii_annotations.yml) at 100 %;
* no model change without its migration.

Each runs as its own process, exactly as ``make quality`` and tox run it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    """A console script of the running environment (the venv or tox env that runs the tests)."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed (see requirements/test.in)")
    return found


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    environ.pop("MICRODEGREE_TEST_DB_URL", None)  # the checks read no database
    return subprocess.run(args, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300, check=False)


def _explain(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"


def test_import_contracts_are_kept():
    result = _run([_tool("lint-imports"), "--no-cache"])
    assert result.returncode == 0, _explain(result)
    assert "0 broken" in result.stdout, _explain(result)


def test_every_model_has_a_pii_annotation(tmp_path):
    result = _run(
        [_tool("code_annotations"), "django_find_annotations", "--config_file", ".pii_annotations.yml",
         "--lint", "--report", "--coverage", "--report_path", str(tmp_path)],
        DJANGO_SETTINGS_MODULE="lms_host.settings", LMS_HOST_DB=str(tmp_path / "db.sqlite3"),
    )
    assert result.returncode == 0, _explain(result)
    assert "Coverage is 100.0%" in result.stdout, _explain(result)


def test_no_missing_migrations(tmp_path):
    result = _run(
        [sys.executable, "lms_host/manage.py", "makemigrations", "microdegree", "--check", "--dry-run"],
        DJANGO_SETTINGS_MODULE="lms_host.settings", LMS_HOST_DB=str(tmp_path / "db.sqlite3"),
    )
    assert result.returncode == 0, _explain(result)
