"""
Real browser tests: Playwright (Python) driving Debian's Chromium, headless.

They run against the LMS stand-in served by pytest-django's ``live_server`` (the XBlock workbench is mounted in it
at ``/workbench/``).

No browser is ever downloaded. The browser is ``$MICRODEGREE_CHROMIUM``, else ``chromium`` (or
``chromium-browser``) on the PATH, else ``/usr/bin/chromium``. Without one the tests skip and say how to run them;
under CI (``CI=true``) a missing browser fails the run. Screenshots and axe-core reports go to ``artifacts/``.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from ..services import missing_service

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}
HOW_TO_RUN = (
    "no Chromium found for the browser tests: install Debian's chromium (`apt-get install chromium`) or set "
    "MICRODEGREE_CHROMIUM=/path/to/chromium, then run `make test` (or `pytest tests/browser`)"
)


def find_chromium() -> str | None:
    """The Chromium to drive, or None."""
    candidates = [os.environ.get("MICRODEGREE_CHROMIUM", ""), shutil.which("chromium") or "",
                  shutil.which("chromium-browser") or "", "/usr/bin/chromium"]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


def require_chromium() -> str:
    """The Chromium to drive; without one, skip the test, or fail it under CI (``CI=true``)."""
    path = find_chromium()
    if path is None:
        missing_service(HOW_TO_RUN)
    return path


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium; skip (fail under CI) without one."""
    return require_chromium()


@pytest.fixture(scope="module")
def browser(chromium_executable) -> Iterator[Any]:
    """A headless Chromium for the module's tests."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements/test.txt)")
    # Playwright's sync API runs its event loop in this thread; the tests' own database set-up stays synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=chromium_executable, headless=True,
                                                  args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server):
    """Open pages: ``new_page(locale="de-DE", viewport=PHONE, user=learner)``; closed after the test."""
    contexts = []

    def open_page(*, locale: str = "en-US", viewport: dict | None = None, user: Any = None, clock: bool = False):
        context = browser.new_context(viewport=viewport or DESKTOP, locale=locale, base_url=live_server.url)
        if user is not None:
            client = Client()
            client.force_login(user)
            context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                  "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors
        if clock:
            page.clock.install()
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def workbench_scenarios(db):  # pylint: disable=unused-argument
    """The workbench's scenarios, loaded again into this test's database: {program id or "": scenario name}."""
    from workbench import scenarios

    from lms_host.xblock_workbench import reload_scenarios

    reload_scenarios()
    found = {}
    for name, scenario in scenarios.get_scenarios().items():
        if name.startswith("microdegree."):
            program = scenario.xml.split('program="')[1].split('"')[0] if 'program="' in scenario.xml else ""
            found[program] = name
    return found


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot as artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def axe_script() -> str:
    """axe-core's axe.min.js, as bundled by the axe-playwright-python package (offline)."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def run_axe(page, name: str, *, include: str | None = None) -> list[dict]:
    """
    Run axe-core (WCAG 2.0/2.1 A and AA rules and best practices); return the serious and critical violations.

    Checks the page, or the elements matching ``include``, and saves the report as artifacts/axe-<name>.json.
    """
    page.evaluate(axe_script())
    results = page.evaluate(
        """async (include) => axe.run(include ? {include: [include]} : document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
            resultTypes: ['violations'],
        })""",
        include,
    )
    ARTIFACTS.mkdir(exist_ok=True)
    summary = {
        "url": results["url"], "axe": results["testEngine"]["version"], "include": include,
        "passes": len(results["passes"]), "incomplete": len(results["incomplete"]),
        "violations": [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"]),
                        "targets": [n["target"] for n in v["nodes"]][:5]} for v in results["violations"]],
    }
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return [v for v in summary["violations"] if v["impact"] in ("serious", "critical")]


def tab_until(page, predicate: str, *, limit: int = 40) -> list[str]:
    """Press Tab until the focused element matches the JS ``predicate`` (on ``el``); the focused elements' texts."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("() => (document.activeElement.innerText || document.activeElement.name || "
                                  "document.activeElement.tagName).trim()"))
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!({predicate}); }}"):
            return seen
    raise AssertionError(f"never focused {predicate!r}; focused in turn: {seen}")
