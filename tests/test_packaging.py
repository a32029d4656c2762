"""
The built wheel, and a NON-editable install of it.

The wheel carries the templates, static files, migrations and entry points, and the installed package finds its
templates and static files without the source tree. Builds with ``python -m build --wheel --no-isolation``
(no network), so the virtualenv needs ``build`` and the build backend of ``pyproject.toml`` (setuptools >= 69,
wheel).
"""
from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
# Everything a developer's checkout may hold besides the sources; the build must not depend on any of it.
IGNORED = shutil.ignore_patterns(".git", ".venv*", ".tox", ".demo", "build", "dist", "*.egg-info", "__pycache__",
                                 "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".benchmarks", "artifacts")
ENTRY_POINTS = {
    "xblock.v1": "microdegree_xblock.block:MicrodegreeXBlock",
    "lms.djangoapp": "microdegree_xblock.apps:MicrodegreeConfig",
    "cms.djangoapp": "microdegree_xblock.apps:MicrodegreeConfig",
}


def _run(args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the source tree (the build writes build/ and *.egg-info beside setup.py)."""
    pytest.importorskip("build")
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    _run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(work / "dist"), str(source)],
         cwd=work)
    wheels = list((work / "dist").glob("microdegree_xblock-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_contains_templates_static_files_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "microdegree_xblock/templates/microdegree/panel.html",
        "microdegree_xblock/static/css/panel.css",
        "microdegree_xblock/migrations/__init__.py",
        "microdegree_xblock/migrations/0001_initial.py",
        "microdegree_xblock/py.typed",
        "microdegree_xblock/management/commands/microdegree_programs.py",
        "microdegree_xblock/settings/production.py",
    ):
        assert required in names, required
    migrations = {n for n in names if n.startswith("microdegree_xblock/migrations/") and n.endswith(".py")}
    in_source = {f"microdegree_xblock/migrations/{path.name}"
                 for path in (ROOT / "microdegree_xblock" / "migrations").glob("*.py")}
    assert migrations == in_source
    # Nothing from the development tree leaks into the wheel.
    assert not [n for n in names if n.startswith(("tests/", "lms_host/", "static/", "templates/"))]


def test_wheel_declares_the_three_entry_points(wheel):
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")))
    parser = configparser.ConfigParser()
    parser.read_string(text.decode())
    assert {group: dict(parser[group]) for group in parser.sections()} == {
        group: {"microdegree": target} for group, target in ENTRY_POINTS.items()
    }


PROBE = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    import django
    from django.conf import settings

    settings.configure(USE_I18N=True, LANGUAGE_CODE="en", INSTALLED_APPS=[])
    django.setup()

    import microdegree_xblock
    from microdegree_xblock import resources

    html = resources.render_template("microdegree/panel.html", {
        "program": {"title": "Probe <program>", "issuers": [{"name": "Issuer A"}, {"name": "Issuer B"}],
                    "earned_count": 1, "required_count": 3,
                    "courses": [{"title": "C1", "hours": 25, "status": "earned"}]},
        "program_id": "probe", "signed_in": True,
    })
    print(json.dumps({
        "file": microdegree_xblock.__file__,
        "templates": str(resources.resource_dir("templates")),
        "static": str(resources.resource_dir("static")),
        "html": html,
        "css": resources.read_text("css/panel.css"),
        "source_importable": any(Path(p, "lms_host").is_dir() for p in sys.path if p),
    }))
""")


def test_non_editable_install_finds_its_templates_and_static_files(wheel, tmp_path):
    target = tmp_path / "site"
    _run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile", "--target", str(target),
          str(wheel)])
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = _run([sys.executable, "-c", PROBE], cwd=tmp_path, env=env)
    found = json.loads(result.stdout.strip().splitlines()[-1])

    assert Path(found["file"]).resolve().is_relative_to(target.resolve()), found["file"]
    assert Path(found["templates"]) == (target / "microdegree_xblock" / "templates").resolve()
    assert Path(found["static"]) == (target / "microdegree_xblock" / "static").resolve()
    assert not found["source_importable"]
    assert "Probe &lt;program&gt;" in found["html"] and "Issuer A" in found["html"] and "Issuer B" in found["html"]
    assert "1 of 3 courses earned" in found["html"]
    assert found["css"] == (ROOT / "static" / "css" / "panel.css").read_text(encoding="utf-8")
