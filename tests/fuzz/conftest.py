"""The generated-input tests: load the profile (tests/fuzz/cases.py) and print the case counts at the end."""
from __future__ import annotations

from .cases import CASES, PROFILE


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # pylint: disable=unused-argument
    if not CASES:
        return
    terminalreporter.section(f"generated cases (hypothesis profile {PROFILE})")
    for target, number in sorted(CASES.items()):
        terminalreporter.write_line(f"{number:>8,}  {target}")
    terminalreporter.write_line(f"{sum(CASES.values()):>8,}  in all")
