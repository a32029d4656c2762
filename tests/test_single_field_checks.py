"""
The catalog's single-field checks, which the program files and the Django admin share.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from microdegree_xblock import catalog


@pytest.mark.parametrize("check,good,bad", [
    (catalog.check_slug, ["ai-vet", "dr_med_ki", "a1"], ["AI-VET", "with space", "-lead", "", None, "x" * 65]),
    (catalog.check_http_url, ["https://www.charite.de", "http://x.org/a"], ["ftp://x.org", "charite.de", "", 3]),
    (catalog.check_email, ["badges@example.org"], ["nope", "a@", ""]),
    (catalog.check_hours, [1, 0.5, "21", Decimal("25.0")], [0, -1, "many", None, True]),
    (catalog.check_share, [0.6, 1, "0.7", Decimal("0.5")], [0, 1.01, -0.1, "x", None]),
    (catalog.check_country, ["DE", "AT", "CH"], ["de", "XX", "GER", None]),
    (catalog.check_course_key, ["course-v1:Org+C+R", "Org/C/R"], ["nope", "", None, "course-v1:"]),
])
def test_checks(check, good, bad):
    for value in good:
        assert check(value) is None, value
    for value in bad:
        message = check(value)
        assert message and isinstance(message, str), value
