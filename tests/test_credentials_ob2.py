"""
Open Badges 2.0 hosted verification, checked by 1EdTech's own validator (PyPI ``openbadges``), offline.

The validator runs against a live local server: its copy of the OB 2.0 context is served through its document
loader, and every request that would leave the local server fails the test.
"""
from __future__ import annotations

import io
import json
from urllib.parse import urlsplit

import pytest
import requests
from openbadges_bakery import unbake

from microdegree_xblock import api

from .conftest import BASICS, send_grade

openbadges = pytest.importorskip("openbadges", reason="the 1EdTech validator: requirements/test-nodeps.txt")
from openbadges.verifier import utils as ob_utils  # noqa: E402
from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT, OPENBADGES_CONTEXT_V2_URI  # noqa: E402
from pyld.jsonld import JsonLdError  # noqa: E402


@pytest.fixture
def offline_validator(monkeypatch, live_server):
    """The validator, with the OB 2.0 context served from its own copy and no request beyond the live server."""
    local = urlsplit(live_server.url).netloc
    real_send = requests.adapters.HTTPAdapter.send

    def send(self, request, *args, **kwargs):
        assert urlsplit(request.url).netloc == local, f"the validator tried to reach {request.url}"
        return real_send(self, request, *args, **kwargs)

    def load(self, url, options=None):  # pyld 2+ passes options; the validator's loader predates that
        if url.rstrip("/") == OPENBADGES_CONTEXT_V2_URI.rstrip("/"):
            return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                    "document": OPENBADGES_CONTEXT_V2_DICT}
        if urlsplit(url).netloc != local:
            raise JsonLdError("offline", "jsonld.LoadDocumentError", code="loading document failed")
        response = self.session.get(url, headers={"Accept": "application/ld+json, application/json"})
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": response.json()}

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    monkeypatch.setattr(ob_utils.CachableDocumentLoader, "__call__", load)
    return openbadges.verify


@pytest.fixture
def live_award(transactional_db, live_server, settings, learner):  # pylint: disable=unused-argument
    from microdegree_xblock.catalog import parse_catalog

    from .conftest import CATALOG
    settings.LMS_ROOT_URL = live_server.url
    api.load_catalog(parse_catalog(CATALOG))
    send_grade(learner.pk, BASICS, 0.82)  # autocommit: the after-commit work runs at once
    return next(a for a in api.get_learner_awards(user_id=learner.pk) if a.kind == "achievement")


def _errors(report):
    return [m for m in report["report"]["messages"] if m["messageLevel"] == "ERROR"]


def test_the_1edtech_validator_accepts_the_hosted_assertion(offline_validator, live_award, live_server):
    url = f"{live_server.url}/microdegree/ob2/assertions/{live_award.id}/"
    report = offline_validator(url, recipient_profile={"email": "anna@example.org"}, use_cache=False)
    assert report["report"]["valid"], json.dumps(report["report"], indent=1)
    assert not _errors(report)
    assert report["report"]["recipientProfile"]["email"] == "anna@example.org"
    nodes = {node["type"] if isinstance(node["type"], str) else node["type"][0]: node
             for node in report["graph"] if "type" in node}
    assert nodes["Assertion"]["id"] == url
    assert nodes["BadgeClass"]["name"] == "Achievement record: Basics"
    assert nodes["Issuer"]["name"] == "Charité Berlin"


def test_a_revoked_assertion_answers_gone_and_revoked(offline_validator, live_award, live_server):
    api.revoke_award(award_id=live_award.id, reason="Exam fraud")
    url = f"{live_server.url}/microdegree/ob2/assertions/{live_award.id}/"
    response = requests.get(url, timeout=10)
    assert response.status_code == 410  # Gone, with the reason (OB 2.0 hosted verification)
    assert response.json()["revoked"] is True and response.json()["revocationReason"] == "Exam fraud"
    # openbadges 1.1.2 checks revocation only through a signed assertion's RevocationList: for a hosted one it
    # still reports the (well-formed) revoked assertion as valid. Revocation is shown by the 410 and the body.
    report = offline_validator(url, use_cache=False)
    assert not _errors(report)


def test_the_png_baked_badge_carries_the_assertion_and_validates(offline_validator, live_award, live_server,
                                                                 tmp_path):
    response = requests.get(f"{live_server.url}/microdegree/credentials/{live_award.id}/badge.png", timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    from PIL import Image

    with Image.open(io.BytesIO(response.content)) as image:
        assert image.size == (400, 400)
        image.verify()  # a valid PNG with its chunks' checksums right
    path = tmp_path / "badge.png"
    path.write_bytes(response.content)
    url = f"{live_server.url}/microdegree/ob2/assertions/{live_award.id}/"
    with path.open("rb") as image:
        baked = json.loads(unbake(image))  # the assertion itself, from the iTXt chunk "openbadges"
    assert baked["id"] == url and baked["type"] == "Assertion"
    with path.open("rb") as image:
        report = offline_validator(image, recipient_profile={"email": "anna@example.org"}, use_cache=False)
    assert report["report"]["valid"], json.dumps(report["report"], indent=1)


def test_the_baked_badge_carries_the_assertion_and_validates(offline_validator, live_award, live_server, tmp_path):
    response = requests.get(f"{live_server.url}/microdegree/credentials/{live_award.id}/badge/", timeout=10)
    assert response.headers["Content-Type"].startswith("image/svg+xml")
    path = tmp_path / "badge.svg"
    path.write_bytes(response.content)
    url = f"{live_server.url}/microdegree/ob2/assertions/{live_award.id}/"
    with path.open("rb") as image:
        assert unbake(image) == url  # the hosted assertion's URL, from the verify attribute
    cdata = response.text.split("<![CDATA[", 1)[1].split("]]>", 1)[0]
    assert json.loads(cdata)["id"] == url and json.loads(cdata)["type"] == "Assertion"
    with path.open("rb") as image:
        report = offline_validator(image, recipient_profile={"email": "anna@example.org"}, use_cache=False)
    assert report["report"]["valid"], json.dumps(report["report"], indent=1)


@pytest.fixture
def live_recognition(transactional_db, live_server, settings, learner):  # pylint: disable=unused-argument
    """The chamber's CME certification of Basics (demo catalog: 70 %), issued over a live server."""
    from tests.credentials.demo import load_demo
    settings.LMS_ROOT_URL = live_server.url
    load_demo()
    send_grade(learner.pk, BASICS, 0.82)  # autocommit: the after-commit work runs at once
    return next(a for a in api.get_learner_awards(user_id=learner.pk) if a.kind == "recognition")


def test_the_1edtech_validator_accepts_a_recognition_issued_by_its_body(offline_validator, live_recognition,
                                                                        live_server):
    url = f"{live_server.url}/microdegree/ob2/assertions/{live_recognition.id}/"
    report = offline_validator(url, recipient_profile={"email": "anna@example.org"}, use_cache=False)
    assert report["report"]["valid"], json.dumps(report["report"], indent=1)
    assert not _errors(report)
    nodes = {node["type"] if isinstance(node["type"], str) else node["type"][0]: node
             for node in report["graph"] if "type" in node}
    assert nodes["BadgeClass"]["name"] == "CME certification: Dr. med. KI – Basics"
    assert nodes["BadgeClass"]["id"].endswith(f"/ob2/programs/dr-med-ki/recognition/lak-bw-cme/{BASICS}/")
    assert nodes["Issuer"]["name"] == "Landesärztekammer Baden-Württemberg"
    assert nodes["Issuer"]["id"] == f"{live_server.url}/microdegree/ob2/issuers/lak-bw/"
