"""
Recognitions and nested programmes in the credentials (docs/decisions/0040, issue 10: must-haves 1, 3 and 6).

From the demo catalog, issued through the real api: the chamber's CME certification of a Dr. med. KI course (its
70 %, 12 CME), a university's ECTS recognition after an on-site exam recorded for the learner (2 ECTS), and the
ki-bildung certificate that nests the AI_VET micro-degree, an elective group and a capstone taken last.

Each recognition is a credential of its own, issued and signed by its recognising body (its did:web, its status
list), valid against the 1EdTech OB 3.0 schema and accepted by the specification verifier of
tests/credentials_helpers.py; its evidence names the rule, the body's threshold, the learner's grade and the recorded
condition (never who recorded it). The nesting degree's criteria say its whole requirement, and its CLR bundles the
nested degree and its courses with their associations. (The JavaScript verifier takes the same kinds in
tests/credentials/test_node_verifier.py.)
"""
from __future__ import annotations

import copy
import io
import json
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
from django.contrib.auth import get_user_model
from pypdf import PdfReader

from microdegree_xblock import api
from microdegree_xblock.api.europass import get_edc_credential
from microdegree_xblock.catalog import validate_catalog
from microdegree_xblock.credentials import statuslist
from microdegree_xblock.models import Award
from tests.credentials.demo import (
    BASICS,
    CAPSTONE,
    ETHIK,
    VET,
    demo_catalog,
    earn,
    load_demo,
    nested_degrees,
    record_condition,
)
from tests.credentials.test_edc import _validate, shapes  # noqa: F401  # pylint: disable=unused-import
from tests.credentials_helpers import SpecVerifier, schema

pytestmark = pytest.mark.django_db

ROOT = "http://127.0.0.1:8000/microdegree"
DID = "did:web:127.0.0.1%3A8000:microdegree:issuers:"
OB3_SCHEMA = jsonschema.Draft201909Validator(schema("ob_v3p0_achievementcredential.json"))
CLR_SCHEMA = jsonschema.Draft4Validator(schema("clr_v2p0_clrcredential_schema_draft4.json"))


@pytest.fixture
def anna(db):  # pylint: disable=unused-argument
    """Anna, with the demo catalog loaded."""
    load_demo()
    return get_user_model().objects.create_user("anna", "anna@example.org", "pw", first_name="Anna",
                                                last_name="Schmidt")


def _award(user, kind: str, *, program: str, course_key: str | None = None, rule: str = "") -> Award:
    found = Award.objects.filter(user=user, kind=kind, program__slug=program, rule=rule)
    return found.get(course_key=course_key) if course_key else found.get()


def _ob3(client, award: Award) -> dict:
    response = client.get(f"/microdegree/credentials/{award.uuid}/ob3/")
    assert response.status_code == 200, response.status_code
    return json.loads(response.content)


@pytest.fixture
def cme(anna):
    """Anna's 80 % in Basics: the platform's achievement record (60 %) and the chamber's CME certification (70 %)."""
    earn(anna, BASICS, 0.8)
    return _award(anna, "recognition", program="dr-med-ki", course_key=BASICS, rule="lak-bw-cme")


@pytest.fixture
def ects(anna):
    """Anna's on-site exam at Mannheim (recorded), then her 90 % in AI_VET I: the university's 2 ECTS."""
    record_condition(anna, "ai-vet", "uma-ects", VET[0])
    earn(anna, VET[0], 0.9)
    return _award(anna, "recognition", program="ai-vet", course_key=VET[0], rule="uma-ects")


def test_the_chambers_recognition_is_its_own_credential_issued_and_signed_by_the_chamber(cme, anna, client):
    credential = _ob3(client, cme)
    OB3_SCHEMA.validate(credential)
    assert credential["issuer"]["id"] == DID + "lak-bw"
    assert credential["issuer"]["name"] == "Landesärztekammer Baden-Württemberg"
    assert credential["proof"][0]["verificationMethod"].startswith(DID + "lak-bw#")
    verifier = SpecVerifier(client)
    assert verifier.verify(credential), verifier.refusal
    # Listed in the chamber's own status list, which the chamber signs.
    status = credential["credentialStatus"]
    assert status["statusListCredential"] == f"{ROOT}/status/lak-bw/0/"
    status_list = json.loads(client.get("/microdegree/status/lak-bw/0/").content)
    assert status_list["issuer"] == DID + "lak-bw" and verifier.verify(status_list), verifier.refusal
    assert not statuslist.is_set(status_list["credentialSubject"]["encodedList"], int(status["statusListIndex"]))
    # What it certifies: a Certification with the chamber's credits and threshold.
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Certification"
    assert achievement["name"] == credential["name"] == "CME certification: Dr. med. KI – Basics"
    assert achievement["creditsAvailable"] == 12 and credential["credentialSubject"]["creditsEarned"] == 12
    unit = next(a for a in achievement["alignment"] if a["targetType"] == "ext:CreditUnit")
    assert (unit["targetCode"], unit["targetUrl"]) == ("CME", "https://www.aerztekammer-bw.de")
    assert [b["id"] for b in achievement["http://data.europa.eu/snb/model/elm/awardingBody"]] == [DID + "lak-bw"]
    assert achievement["creator"]["id"] == DID + "lak-bw"
    criteria = achievement["criteria"]["narrative"]
    assert "at least 70 %" in criteria and "the threshold of Landesärztekammer" in criteria
    assert "Charité – Universitätsmedizin Berlin" in achievement["description"]  # whose programme it recognises
    (grade,) = achievement["resultDescription"]
    assert grade["requiredValue"] == "70" and "lak-bw-cme" in grade["name"]
    assert credential["credentialSubject"]["result"] == [
        {"type": ["Result"], "resultDescription": grade["id"], "value": "80"}]
    (evidence,) = credential["evidence"]
    assert "80 % (required: 70 %, the threshold of Landesärztekammer Baden-Württemberg)" in evidence["narrative"]
    assert "Rule applied: lak-bw-cme" in evidence["narrative"]


def test_the_platforms_own_record_of_the_same_grade_names_its_rule_and_threshold(cme, anna, client):
    record = _award(anna, "achievement", program="dr-med-ki", course_key=BASICS)
    credential = _ob3(client, record)
    assert credential["issuer"]["id"] == DID + "charite"
    narrative = credential["evidence"][0]["narrative"]
    assert "80 % (required: 60 %, the threshold of the program Dr. med. KI)" in narrative
    assert "Rule applied: platform" in narrative
    assert credential["credentialSubject"]["achievement"]["achievementType"] == "Course"


def test_below_the_chambers_threshold_there_is_no_recognition(anna):
    earn(anna, BASICS, 0.65)
    assert set(Award.objects.filter(user=anna).values_list("kind", "rule")) == {("achievement", "")}


def test_a_recognition_with_a_recorded_condition_says_what_was_recorded_never_by_whom(ects, client):
    credential = _ob3(client, ects)
    OB3_SCHEMA.validate(credential)
    assert credential["issuer"]["id"] == DID + "uni-mannheim"
    verifier = SpecVerifier(client)
    assert verifier.verify(credential), verifier.refusal
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["creditsAvailable"] == 2 and credential["credentialSubject"]["creditsEarned"] == 2
    unit = next(a for a in achievement["alignment"] if a["targetType"] == "ext:CreditUnit")
    assert unit["targetUrl"] == "http://data.europa.eu/snb/education-credit/6fcec5c5af"  # ECTS, ELM's concept
    grade, exam = achievement["resultDescription"]
    assert (exam["resultType"], exam["name"]) == ("Status", "On-site exam passed at Universität Mannheim")
    assert grade["requiredValue"] == "60"  # no threshold of its own: the course's achievement threshold
    assert credential["credentialSubject"]["result"][1] == {
        "type": ["Result"], "resultDescription": exam["id"], "status": "Completed", "value": "1.7"}
    measured, condition = credential["evidence"]
    assert "Rule applied: uma-ects" in measured["narrative"]
    assert condition["name"] == "On-site exam passed at Universität Mannheim"
    assert "recorded as passed on 2025-03-14 (result: 1.7)" in condition["narrative"]
    text = json.dumps(credential, ensure_ascii=False)
    for recorder in ("exam-office", "Erika", "Prüfer"):
        assert recorder not in text, recorder


def test_the_verification_page_says_who_recognised_what(cme, ects, client):
    page = client.get(f"/microdegree/verify/{cme.uuid}/").content.decode()
    for text in ("Recognised by", "Landesärztekammer Baden-Württemberg", "CME certification: Dr. med. KI – Basics",
                 "Dr. med. KI – Basics", "lak-bw-cme", "12 CME", "80 % (required by Landesärztekammer "
                 "Baden-Württemberg: 70 %)", "Valid"):
        assert text in page, text
    page = client.get(f"/microdegree/verify/{ects.uuid}/").content.decode()
    for text in ("Universität Mannheim", "2 ECTS", "On-site exam passed at Universität Mannheim: passed on",
                 "result: 1.7"):
        assert text in page, text
    assert "exam-office" not in page


def test_the_pdf_and_linkedin_name_the_recognising_body(cme, client):
    response = client.get(f"/microdegree/credentials/{cme.uuid}/certificate.pdf")
    assert response.status_code == 200
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    for expected in ("RECOGNITION", "CME certification: Dr. med. KI – Basics", "Recognised by",
                     "Landesärztekammer Baden-Württemberg (DE)", "Credits: 12 CME",
                     "Result: 80 % (required by Landesärztekammer Baden-Württemberg: 70 %)"):
        assert expected in text, expected
    assert "Charité – Universitätsmedizin Berlin (DE)" not in text  # the programme's bodies do not issue it
    response = client.get(f"/microdegree/credentials/{cme.uuid}/linkedin/")
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["name"] == ["CME certification: Dr. med. KI – Basics"]
    assert query["organizationName"] == ["Landesärztekammer Baden-Württemberg"]


def test_the_ob2_badge_class_of_a_recognition_names_its_rule_and_is_the_bodys(cme, client):
    assertion = json.loads(client.get(f"/microdegree/ob2/assertions/{cme.uuid}/").content)
    badge_url = f"{ROOT}/ob2/programs/dr-med-ki/recognition/lak-bw-cme/{BASICS}/"
    assert assertion["badge"] == badge_url
    assert "Rule applied: lak-bw-cme" in assertion["evidence"][0]["narrative"]
    badge = json.loads(client.get(urlsplit(badge_url).path).content)
    assert badge["id"] == badge_url and badge["issuer"] == f"{ROOT}/ob2/issuers/lak-bw/"
    assert badge["name"] == "CME certification: Dr. med. KI – Basics" and "lak-bw-cme" in badge["tags"]
    image = client.get(urlsplit(badge["image"]).path)
    assert image.status_code == 200 and b"RECOGNITION" in image.content
    issuer = json.loads(client.get("/microdegree/ob2/issuers/lak-bw/").content)
    assert issuer["name"] == "Landesärztekammer Baden-Württemberg"
    for unknown in ("recognition/lak-bw-cme/course-v1:Charite+DrMedKI_Ethics+2025/",  # a course it does not name
                    "recognition/no-such-rule/" + BASICS + "/", "recognition/lak-bw-cme/"):
        assert client.get(f"/microdegree/ob2/programs/dr-med-ki/{unknown}").status_code == 404, unknown


def test_the_badge_event_is_named_as_the_credential(anna, badge_events):
    earn(anna, BASICS, 0.8)
    names = {badge.template.name for badge in badge_events.awarded}
    assert "CME certification: Dr. med. KI – Basics" in names


def test_the_europass_export_of_a_recognition_conforms_and_carries_its_credits(cme, ects, shapes):  # noqa: F811
    for award, credits in ((cme, None), (ects, "2")):
        document = json.loads(get_edc_credential(award_id=award.uuid))
        conforms, _results, text = _validate(document, shapes)
        assert conforms, text
        assert document["issuer"]["id"] == DID + ("lak-bw" if award is cme else "uni-mannheim")
        claim = document["credentialSubject"]["hasClaim"][0]
        specification = claim["specifiedBy"]
        assert [p["point"] for p in specification.get("creditPoint", [])] == ([credits] if credits else [])
        notes = [n["noteLiteral"]["en"] for n in specification["additionalNote"]]
        assert ("Credits: 12 CME, granted by Landesärztekammer Baden-Württemberg" in notes) is (award is cme)
        grade = claim["provenBy"][0]["grade"]["noteLiteral"]["en"]
        assert f"Rule applied: {award.rule}" in grade


# ---------------------------------------------------------------------------------------------------------------
# The nesting degree: ki-bildung = the AI_VET micro-degree + 1 of 2 electives + a capstone taken last


@pytest.fixture
def nested(anna):
    nested_degrees(anna)
    return _award(anna, "degree", program="ki-bildung"), _award(anna, "degree", program="ai-vet")


def test_the_nesting_degrees_criteria_say_its_whole_requirement(nested, client):
    outer, _inner = nested
    credential = _ob3(client, outer)
    OB3_SCHEMA.validate(credential)
    achievement = credential["credentialSubject"]["achievement"]
    criteria = achievement["criteria"]["narrative"]
    for text in ("1 of the 2 courses of the elective group Vertiefung (KI und Ethik in der Bildung, "
                 "Datenkompetenz für Lehrkräfte)",
                 "the micro-degree AI_VET – KI in der beruflichen Bildung [the achievement record of every course "
                 "of the program: AI_VET I – Grundlagen; AI_VET II – KI im Unterricht;",
                 "the capstone KI in der Bildung – Capstone-Projekt, taken last"):
        assert text in criteria, text
    assert "Requirements: 1 of the 2 courses of the elective group Vertiefung, the micro-degree AI_VET" \
           in achievement["description"]
    # The smallest valid path: AI_VET's 150 hours, the shorter elective's 20 and the capstone's 30.
    assert achievement["http://data.europa.eu/snb/model/elm/volumeOfLearning"]["@value"] == "PT200H"
    assert "Every requirement of KI in der Bildung – Zertifikat is met" in credential["evidence"][0]["narrative"]
    verifier = SpecVerifier(client)
    assert verifier.verify(credential), verifier.refusal


def test_the_nesting_degrees_clr_bundles_the_nested_degree_and_its_courses(nested, client):
    outer, inner = nested
    clr = json.loads(client.get(f"/microdegree/credentials/{outer.uuid}/clr/").content)
    CLR_SCHEMA.validate(clr)
    verifier = SpecVerifier(client)
    assert verifier.verify(clr), verifier.refusal
    members = clr["credentialSubject"]["verifiableCredential"]
    assert all(verifier.verify(member) for member in members), verifier.refusal
    names = [m["credentialSubject"]["achievement"]["name"] for m in members]
    assert names[0] == "KI in der Bildung – Zertifikat" and "AI_VET – KI in der beruflichen Bildung" in names
    assert sum(name.startswith("Achievement record: AI_VET") for name in names) == 4
    ids = {m["credentialSubject"]["achievement"]["name"]: m["credentialSubject"]["achievement"]["id"]
           for m in members}
    links = {(a["sourceId"], a["targetId"]) for a in clr["credentialSubject"]["association"]}
    assert {a["associationType"] for a in clr["credentialSubject"]["association"]} == {"isChildOf"}
    outer_id, inner_id = ids["KI in der Bildung – Zertifikat"], ids["AI_VET – KI in der beruflichen Bildung"]
    assert (inner_id, outer_id) in links
    for name, achievement_id in ids.items():
        if name.startswith("Achievement record: AI_VET"):
            assert (achievement_id, inner_id) in links, name
        elif name.startswith("Achievement record: KI"):
            assert (achievement_id, outer_id) in links, name
    assert len(links) == len(members) - 1
    # A member changed inside the bundle is refused.
    changed = copy.deepcopy(clr)
    changed["credentialSubject"]["verifiableCredential"][-1]["name"] += "!"
    assert not verifier.verify(changed["credentialSubject"]["verifiableCredential"][-1])
    assert inner.kind == "degree"


def test_the_learners_whole_record_links_the_nested_degree_and_holds_the_recognitions(nested, cme, anna, client):
    client.force_login(anna)
    record = json.loads(client.get("/microdegree/achievements/record.json").content)
    CLR_SCHEMA.validate(record)
    verifier = SpecVerifier(client)
    assert verifier.verify(record), verifier.refusal
    members = record["credentialSubject"]["verifiableCredential"]
    assert all(verifier.verify(member) for member in members)
    issuers = {m["credentialSubject"]["achievement"]["name"]: m["issuer"]["id"] for m in members}
    assert issuers["CME certification: Dr. med. KI – Basics"] == DID + "lak-bw"
    ids = {m["credentialSubject"]["achievement"]["name"]: m["credentialSubject"]["achievement"]["id"]
           for m in members}
    links = {(a["sourceId"], a["targetId"]) for a in record["credentialSubject"]["association"]}
    assert (ids["AI_VET – KI in der beruflichen Bildung"], ids["KI in der Bildung – Zertifikat"]) in links


def test_the_capstone_and_elective_records_name_their_rule(nested, anna, client):
    for key in (ETHIK, CAPSTONE):
        credential = _ob3(client, _award(anna, "achievement", program="ki-bildung", course_key=key))
        assert "Rule applied: platform" in credential["evidence"][0]["narrative"]


def test_a_whole_programmes_recognition_is_the_bodys_credential_of_the_degree(db, client):
    data = demo_catalog()
    ai_vet = next(p for p in data["programs"] if p["id"] == "ai-vet")
    ai_vet["recognitions"].append({"id": "ust-degree", "by": "uni-stuttgart", "program": True, "threshold": 0.8,
                                   "credits": {"amount": 6, "unit": "ECTS"}})
    api.load_catalog(validate_catalog(data))
    ben = get_user_model().objects.create_user("ben", "ben@example.org", "pw", first_name="Ben")
    for key, percent in zip(VET, (0.9, 0.85, 0.95, 0.9), strict=True):
        earn(ben, key, percent)
    award = _award(ben, "recognition", program="ai-vet", rule="ust-degree")
    credential = _ob3(client, award)
    OB3_SCHEMA.validate(credential)
    verifier = SpecVerifier(client)
    assert verifier.verify(credential), verifier.refusal
    assert credential["issuer"]["id"] == DID + "uni-stuttgart"
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["name"] == "Recognition by Universität Stuttgart: AI_VET – KI in der beruflichen Bildung"
    assert "humanCode" not in achievement and achievement["creditsAvailable"] == 6
    assert "Hold the micro-degree AI_VET – KI in der beruflichen Bildung, with a course grade of at least 80 %" \
        in achievement["criteria"]["narrative"]
    assert "Lowest course grade counted for the micro-degree AI_VET – KI in der beruflichen Bildung: 85 % " \
           "(required in every course counted: 80 %, the threshold of Universität Stuttgart)" \
        in credential["evidence"][0]["narrative"]
    assert urlsplit(achievement["criteria"]["id"]).path == "/microdegree/ob2/programs/ai-vet/recognition/ust-degree/"
    assert client.get(urlsplit(achievement["criteria"]["id"]).path).status_code == 200
    assert client.get(f"/microdegree/verify/{award.uuid}/").status_code == 200
    assert client.get(f"/microdegree/credentials/{award.uuid}/certificate.pdf").status_code == 200
    document = json.loads(get_edc_credential(award_id=award.uuid))
    assert document["credentialSubject"]["hasClaim"][0]["specifiedBy"]["creditPoint"][0]["point"] == "6"


def test_the_verify_page_checks_a_recognition_and_its_revocation_in_the_bodys_list(cme, client):
    text = client.get(f"/microdegree/credentials/{cme.uuid}/ob3/").content
    checked = api.verify_credential(text)
    assert (checked.outcome, checked.reason, checked.signers) == (
        "valid", "valid", ("Landesärztekammer Baden-Württemberg",))
    assert checked.name == "CME certification: Dr. med. KI – Basics"
    api.revoke_award(award_id=str(cme.uuid), reason="Certified in error")
    assert api.verify_credential(text).outcome == "revoked"
    status = json.loads(text)["credentialStatus"]
    status_list = json.loads(client.get(urlsplit(status["statusListCredential"]).path).content)
    assert statuslist.is_set(status_list["credentialSubject"]["encodedList"], int(status["statusListIndex"]))


def test_the_nesting_degrees_europass_export_names_the_nested_degree_as_a_part(nested, shapes):  # noqa: F811
    outer, inner = nested
    document = json.loads(get_edc_credential(award_id=outer.uuid))
    conforms, _results, text = _validate(document, shapes)
    assert conforms, text
    parts = document["credentialSubject"]["hasClaim"][0]["hasPart"]
    titles = [part["title"]["en"] for part in parts]
    assert titles[-1] == "AI_VET – KI in der beruflichen Bildung" and len(parts) == 3  # elective, capstone, AI_VET
    assert parts[-1]["supplementaryDocument"][0]["id"].endswith(f"/credentials/{inner.uuid}/edc/")
