"""
The public verification page, the PDF certificate, LinkedIn, privacy, hostile titles, and the progress API links.
"""
from __future__ import annotations

import io
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from pypdf import PdfReader

from microdegree_xblock import api
from microdegree_xblock.catalog import parse_catalog

from .conftest import BASICS, VET, send_grade

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'


@pytest.fixture
def award(catalog, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_grade(learner.pk, BASICS, 0.82)
    return next(a for a in api.get_learner_awards(user_id=learner.pk) if a.kind == "achievement")


def test_the_page_shows_everything(award, client):
    page = client.get(f"/microdegree/verify/{award.id}/").content.decode()
    for text in ("Anna Schmidt", "Achievement record: Basics", "Dr. med. KI", "Charité Berlin", "KI-Campus",
                 "Valid", "82 % (required: 70 %)", "21 hours", "1 ECTS", "Type of assessment",
                 "Form of participation", "online", "<svg", f"/microdegree/credentials/{award.id}/ob3/",
                 f"/microdegree/ob2/assertions/{award.id}/", f"/microdegree/credentials/{award.id}/certificate.pdf",
                 f"/microdegree/credentials/{award.id}/badge/", "https://www.linkedin.com/profile/add?startTask="):
        assert text in page, text


def test_unknown_and_malformed_ids_are_404(catalog, client):
    assert client.get(f"/microdegree/verify/{uuid.uuid4()}/").status_code == 404
    assert client.get("/microdegree/verify/not-a-uuid/").status_code == 404
    assert client.get("/microdegree/verify/%3Cscript%3E/").status_code == 404
    assert client.get(f"/microdegree/credentials/{uuid.uuid4()}/certificate.pdf").status_code == 404
    assert client.get(f"/microdegree/ob2/assertions/{uuid.uuid4()}/").status_code == 404


def test_linkedin_gets_every_field(award, client):
    response = client.get(f"/microdegree/credentials/{award.id}/linkedin/")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.netloc == "www.linkedin.com"
    query = parse_qs(target.query)
    assert query["name"] == ["Achievement record: Basics"]
    assert query["organizationName"] == ["Charité Berlin"]
    assert query["issueYear"] == [str(award.issued_on.year)] and query["issueMonth"] == [str(award.issued_on.month)]
    assert query["certUrl"] == [f"http://127.0.0.1:8000/microdegree/verify/{award.id}/"]
    assert query["certId"] == [award.id]


def test_pdf_certificate(award, client):
    response = client.get(f"/microdegree/credentials/{award.id}/certificate.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    text = " ".join(reader.pages[0].extract_text().split())
    for expected in ("Anna Schmidt", "Achievement record: Basics", "Charité Berlin (DE)", "KI-Campus (DE)",
                     "Issued on", "21 hours", "1 ECTS", f"http://127.0.0.1:8000/microdegree/verify/{award.id}/"):
        assert expected in text, expected


def test_a_private_credential_shows_only_that(award, client, learner, other_learner):
    client.force_login(other_learner)
    assert client.post(f"/microdegree/api/v1/awards/{award.id}/visibility/", {"private": True},
                       content_type="application/json").status_code == 404
    client.force_login(learner)
    response = client.post(f"/microdegree/api/v1/awards/{award.id}/visibility/", {"private": True},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["private"] is True
    assert client.get(f"/microdegree/verify/{award.id}/").status_code == 200  # the owner still sees it all
    client.logout()
    page = client.get(f"/microdegree/verify/{award.id}/").content.decode()
    assert "private" in page
    for hidden in ("Anna", "Schmidt", "Basics", "Charité", "linkedin.com", "82 %"):
        assert hidden not in page, hidden
    for path in ("ob3/", "certificate.pdf", "linkedin/"):
        assert client.get(f"/microdegree/credentials/{award.id}/{path}").status_code == 404


def test_the_learners_own_documents_are_never_cached(award, client, learner):
    api.set_award_private(user_id=learner.pk, award_id=award.id, private=True)
    client.force_login(learner)
    for path in ("ob3/", "certificate.pdf", "linkedin/"):
        response = client.get(f"/microdegree/credentials/{award.id}/{path}")
        assert response.status_code in (200, 302), path
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, (path, directives)


def test_svg_badges_run_nothing_in_the_sites_origin(award, client):
    for url in (f"/microdegree/credentials/{award.id}/badge/", "/microdegree/ob2/programs/dr-med-ki/degree/image/"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
        policy = {d.strip().split()[0]: d.strip() for d in response["Content-Security-Policy"].split(";")}
        assert policy["default-src"] == "default-src 'none'" and "sandbox" in policy
        assert response["X-Content-Type-Options"] == "nosniff"


def test_hostile_titles_are_escaped_everywhere(db, learner, client, django_capture_on_commit_callbacks):
    api.load_catalog(parse_catalog(
        "issuers:\n  - {id: evil, name: '" + HOSTILE.replace("'", "''") + "', url: 'https://e.org', country: DE}\n"
        "programs:\n  - id: evil\n    title: '" + HOSTILE + "'\n    issuers: [evil]\n    courses:\n"
        + "".join(f"      - {{key: 'course-v1:E+C{n}+1', title: '{HOSTILE}', hours: 30}}\n" for n in range(3))))
    with django_capture_on_commit_callbacks(execute=True):
        send_grade(learner.pk, "course-v1:E+C0+1", 0.9)
    award = next(a for a in api.get_learner_awards(user_id=learner.pk) if a.kind == "achievement")
    for path in (f"/microdegree/verify/{award.id}/", f"/microdegree/credentials/{award.id}/badge/",
                 "/microdegree/ob2/programs/evil/achievement/course-v1:E+C0+1/image/"):
        body = client.get(path).content.decode()
        assert "<script>" not in body and "<b>bold</b>" not in body, path
        assert "&lt;script&gt;" in body, path
    assert client.get(f"/microdegree/credentials/{award.id}/certificate.pdf").status_code == 200


def test_progress_api_carries_the_links(award, learner, client):
    client.force_login(learner)
    programs = client.get("/microdegree/api/v1/progress/").json()["programs"]
    course = next(c for p in programs if p["id"] == "dr-med-ki" for c in p["courses"] if c["course_key"] == BASICS)
    achievement = course["achievement"]
    root = "http://127.0.0.1:8000/microdegree"
    assert achievement["verify_url"] == f"{root}/verify/{award.id}/"
    assert achievement["ob2_url"] == f"{root}/ob2/assertions/{award.id}/"
    assert achievement["ob3_url"] == f"{root}/credentials/{award.id}/ob3/"
    assert achievement["pdf_url"] == f"{root}/credentials/{award.id}/certificate.pdf"
    assert achievement["linkedin_url"] == f"{root}/credentials/{award.id}/linkedin/"
    assert "clr_url" not in achievement


def test_degree_links_include_the_clr(catalog, learner, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for key in VET:
            send_grade(learner.pk, key, 0.9)
    client.force_login(learner)
    program = next(p for p in client.get("/microdegree/api/v1/progress/").json()["programs"] if p["id"] == "ai-vet")
    degree = program["degree"]
    assert degree["clr_url"].endswith(f"/credentials/{degree['id']}/clr/")
    assert client.get(degree["clr_url"].removeprefix("http://127.0.0.1:8000")).status_code == 200


def test_an_old_style_course_keys_badge_class_and_image_are_served(db, client, django_capture_on_commit_callbacks):
    """A course key of the old ``org/course/run`` form: its BadgeClass and image are reachable at their URL."""
    from django.contrib.auth import get_user_model  # pylint: disable=import-outside-toplevel

    api.load_catalog(parse_catalog(
        "issuers:\n  - {id: old, name: Old University, url: \"https://old.example.org\", country: DE}\n"
        "programs:\n  - id: legacy\n    title: Legacy\n    issuers: [old]\n    courses:\n"
        "      - {key: \"OldU/Intro/2019\", title: Intro, hours: 30}\n"
        "      - {key: \"OldU/Second/2019\", title: Second, hours: 30}\n"
        "      - {key: \"OldU/Third/2019\", title: Third, hours: 30}\n"))
    user = get_user_model().objects.create_user("olga", "olga@example.org", "pw")
    with django_capture_on_commit_callbacks(execute=True):
        send_grade(user.pk, "OldU/Intro/2019", 0.9)
    award = next(a for a in api.get_learner_awards(user_id=user.pk) if a.kind == "achievement")
    assertion = client.get(f"/microdegree/ob2/assertions/{award.id}/").json()
    badge = urlsplit(assertion["badge"])
    assert badge.path.endswith("/achievement/OldU/Intro/2019/")
    badge_class = client.get(badge.path)
    assert badge_class.status_code == 200 and badge_class.json()["name"].endswith("Intro")
    assert client.get(urlsplit(badge_class.json()["image"]).path).status_code == 200


def test_wallets_get_the_credential_inline_and_learners_save_it_as_a_file(award, client):
    url = f"/microdegree/credentials/{award.id}/ob3/"
    assert client.get(url)["Content-Disposition"] == f'inline; filename="{award.id}-ob3.json"'
    assert client.get(url + "?download")["Content-Disposition"] == f'attachment; filename="{award.id}-ob3.json"'
    assert client.get(f"/microdegree/credentials/{award.id}/badge.png")["Content-Disposition"].startswith("attachment")


@pytest.fixture
def recognition(db, learner, django_capture_on_commit_callbacks):
    """The chamber's CME certification of Basics (demo catalog: the chamber's 70 %, 12 CME) at 82 %."""
    from tests.credentials.demo import load_demo
    load_demo()
    with django_capture_on_commit_callbacks(execute=True):
        send_grade(learner.pk, BASICS, 0.82)
    return next(a for a in api.get_learner_awards(user_id=learner.pk) if a.kind == "recognition")


def test_a_recognitions_page_says_who_recognised_what_with_its_credits_and_threshold(recognition, client):
    page = client.get(f"/microdegree/verify/{recognition.id}/").content.decode()
    for text in ("Anna Schmidt", "CME certification: Dr. med. KI – Basics", "Recognised by",
                 "Landesärztekammer Baden-Württemberg", "Recognises", "lak-bw-cme", "12 CME",
                 "82 % (required by Landesärztekammer Baden-Württemberg: 70 %)", "Valid",
                 f"/microdegree/credentials/{recognition.id}/certificate.pdf"):
        assert text in page, text
    assert "Charité – Universitätsmedizin Berlin</a>" not in page  # the programme's bodies do not issue it
    response = client.get(f"/microdegree/credentials/{recognition.id}/linkedin/")
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["organizationName"] == ["Landesärztekammer Baden-Württemberg"]
    assert query["name"] == ["CME certification: Dr. med. KI – Basics"]
    text = " ".join(PdfReader(io.BytesIO(client.get(
        f"/microdegree/credentials/{recognition.id}/certificate.pdf").content)).pages[0].extract_text().split())
    assert "Recognised by" in text and "Credits: 12 CME" in text
