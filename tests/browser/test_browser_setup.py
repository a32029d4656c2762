"""
How the browser tests find their browser: never downloaded; skipped with a how-to without one, failed under CI.
"""
from __future__ import annotations

import pytest

from . import conftest


@pytest.fixture
def no_chromium(monkeypatch):
    monkeypatch.delenv("MICRODEGREE_CHROMIUM", raising=False)
    monkeypatch.setattr(conftest.shutil, "which", lambda name: None)
    monkeypatch.setattr(conftest.os, "access", lambda path, mode: False)


def test_the_browser_is_debians_chromium_or_the_one_named(monkeypatch, tmp_path):
    named = tmp_path / "my-chromium"
    named.write_text("#!/bin/sh\n")
    named.chmod(0o755)
    monkeypatch.setenv("MICRODEGREE_CHROMIUM", str(named))
    assert conftest.find_chromium() == str(named)


def test_without_a_browser_the_tests_skip_and_say_how_to_run_them(no_chromium, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        conftest.require_chromium()


def test_under_ci_a_missing_browser_fails(no_chromium, monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        conftest.require_chromium()


def test_chromium_is_launched_headless_without_sandbox_or_background_traffic():
    assert {"--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"} <= set(conftest.CHROMIUM_ARGS)
