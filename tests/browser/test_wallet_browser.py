"""
Taking a credential into a wallet, in a real browser (docs/decisions/0036).

The QR code that the achievements page and the verification page show is read back from a screenshot by an
independent decoder (ZXing's C++ port, ``zxing-cpp``), as a wallet's camera would: it holds the OB 3.0 credential's
URL, and fetching that URL without a session (as a wallet does) gives the signed credential. The download link
saves the same credential as a JSON file. axe-core checks the wallet section.
"""
from __future__ import annotations

import io
import json

import pytest
import zxingcpp
from PIL import Image

from microdegree_xblock import api

from ..conftest import VET, send_grade
from .conftest import PHONE, run_axe, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_root(settings, live_server):
    """The platform's address is the live server's, so that its links and QR codes lead there."""
    settings.LMS_ROOT_URL = live_server.url
    return live_server.url


@pytest.fixture
def degree_holder(live_root, catalog, learner):  # pylint: disable=unused-argument
    """A learner with the AI_VET micro-degree, signed (the after-commit work runs: a transaction test)."""
    for key in VET:
        send_grade(learner.pk, key, 0.9)
    return learner


def _degree(learner):
    return next(a for a in api.get_learner_awards(user_id=learner.pk) if a.kind == "degree")


def _scan(locator) -> str:
    """What a camera reads in the QR code shown by ``locator``."""
    image = Image.open(io.BytesIO(locator.screenshot())).convert("L")
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, found
    return found[0].text


def test_the_achievements_page_offers_the_credential_to_a_wallet(new_page, degree_holder, live_root):
    degree = _degree(degree_holder)
    page = new_page(user=degree_holder, viewport=PHONE)
    page.goto("/microdegree/achievements/")
    card = page.locator(f"#award-{degree.id}")
    card.get_by_text("Add to a digital wallet").click()
    scanned = _scan(card.locator(".microdegree-award-qr"))
    assert scanned == f"{live_root}/microdegree/credentials/{degree.id}/ob3/"
    screenshot(page, "achievements-wallet-360", full_page=False)
    # A wallet fetches the scanned URL without the learner's session.
    fetched = new_page().request.get(scanned)
    credential = fetched.json()
    assert fetched.status == 200 and "OpenBadgeCredential" in credential["type"] and credential["proof"]
    with page.expect_download() as download:
        card.get_by_role("link", name="Download the Open Badges 3.0 credential (JSON)").click()
    saved = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert saved == credential and download.value.suggested_filename == f"{degree.id}-ob3.json"


def test_the_verification_page_offers_it_too(new_page, degree_holder, live_root):
    degree = _degree(degree_holder)
    page = new_page()
    page.goto(f"/microdegree/verify/{degree.id}/")
    section = page.locator("section.wallet")
    assert _scan(section.locator(".qr")) == f"{live_root}/microdegree/credentials/{degree.id}/ob3/"
    assert run_axe(page, "verify-wallet", include="section.wallet") == []
    screenshot(page, "verify-wallet-desktop")
