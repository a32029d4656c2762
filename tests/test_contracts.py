"""
The import contracts (pyproject.toml ``[tool.importlinter]``) fail when the rule they state is broken.

``tests/test_quality.py`` shows that the package keeps every contract. Here a copy of the package gets one
forbidden import per contract, and ``lint-imports`` must report exactly that import as breaking that contract: a
contract that cannot fail would prove nothing.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.test_quality import ROOT, _explain, _tool

# contract id -> (module file of the copy, the forbidden import added to it, the import lint-imports must name)
BREAKS = {
    "layers": ("api/progress.py", "from .. import panel",
               "microdegree_xblock.api.progress -> microdegree_xblock.panel"),
    "api-layers": ("api/signing.py", "from . import recording",
                   "microdegree_xblock.api.signing -> microdegree_xblock.api.recording"),
    "callers-through-api": ("views/__init__.py", "from ..credentials import ob3",
                            "microdegree_xblock.views -> microdegree_xblock.credentials.ob3"),
    "builders-without-signer": ("credentials/ob3.py", "from . import proofs",
                                "microdegree_xblock.credentials.ob3 -> microdegree_xblock.credentials.proofs"),
    "models-behind-api": ("block.py", "from . import models", "microdegree_xblock.block -> microdegree_xblock.models"),
    "pure-rules": ("rules/tree.py", "import django.utils.timezone", "microdegree_xblock.rules.tree -> django"),
    "pure-credentials": ("credentials/linkedin.py", "import rest_framework",
                         "microdegree_xblock.credentials.linkedin -> rest_framework"),
    "platform-behind-compat": ("handlers.py", "import openedx_events",
                               "microdegree_xblock.handlers -> openedx_events"),
    "celery-behind-compat-and-tasks": ("api/effects.py", "import celery", "microdegree_xblock.api.effects -> celery"),
}


def _contract_ids() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [contract["id"] for contract in config["tool"]["importlinter"]["contracts"]]


def test_every_contract_has_a_break_shown_here():
    assert sorted(_contract_ids()) == sorted(BREAKS)


@pytest.fixture(scope="module")
def broken_copy(tmp_path_factory) -> Path:
    """A copy of the package (sources only) and its contracts, with every forbidden import of BREAKS added."""
    root = tmp_path_factory.mktemp("contracts")
    shutil.copytree(ROOT / "microdegree_xblock", root / "microdegree_xblock",
                    ignore=shutil.ignore_patterns("__pycache__", "locale", "contexts", "*.mo", "*.po"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    for module, line, _named in BREAKS.values():
        path = root / "microdegree_xblock" / module
        path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    return root


def _lint(root: Path, contract: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200"}  # the copy shadows the installed package
    return subprocess.run([_tool("lint-imports"), "--no-cache", "--contract", contract], cwd=root, env=environ,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("contract", sorted(BREAKS))
def test_contract_fails_when_broken(broken_copy, contract):
    result = _lint(broken_copy, contract)
    assert result.returncode != 0, _explain(result)
    assert "0 kept, 1 broken" in result.stdout, _explain(result)
    assert BREAKS[contract][2] in " ".join(result.stdout.split()), _explain(result)
