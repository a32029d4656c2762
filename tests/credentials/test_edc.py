"""
The European Digital Credential export (``credentials.edc``, ``api.europass``; docs/decisions/0033).

Every award kind is validated with pyshacl against the ELM 3 shapes, both files loaded together (the CV file's
``owl:imports`` of the other is not followed offline), and a copy missing a mandatory element must fail. The Annex I
elements are looked up one by one with the award's own values. The JSON-LD is read with the package's bundled ELM
context and the test copy of the VC 1.1 context: nothing is fetched.
"""
from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib
from pyld import jsonld
from pyshacl import validate

from microdegree_xblock import api, conf
from microdegree_xblock.api.europass import get_edc_credential
from microdegree_xblock.catalog.checks import COUNTRIES
from microdegree_xblock.credentials import edc
from microdegree_xblock.credentials.dates import iso_z
from microdegree_xblock.models import Award, Issuer, Program
from tests.conftest import BASICS, VET, send_grade

STANDARDS = Path(__file__).resolve().parent.parent / "standards" / "elm"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
ELM = "http://data.europa.eu/snb/model/elm/"
CRED = "https://www.w3.org/2018/credentials#"
OUTCOMES = ("Explain what a model can and cannot do", "Plan an AI-supported diagnosis")
EU_ELEMENTS = {"learning_outcomes": "\n".join(OUTCOMES), "eqf_level": 6, "participation_form": "online, self-paced",
               "assessment_type": "Graded online quizzes", "quality_assurance": "Reviewed by the faculty board"}


def _loader(url, options=None):  # pylint: disable=unused-argument
    documents = {edc.ELM_CONTEXT: edc.elm_context,
                 edc.VC_V1: lambda: json.loads((STANDARDS / "credentials-v1.jsonld").read_text(encoding="utf-8"))}
    if url not in documents:
        raise jsonld.JsonLdError(f"{url} is not available offline", "jsonld.LoadDocumentError")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": documents[url]()}


def _graph(document: dict) -> rdflib.Graph:
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": _loader})
    return rdflib.Graph().parse(data=nquads, format="nt")  # one default graph: its N-Quads are N-Triples


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    graph = rdflib.Graph()
    for name in ("EDC-generic-no-cv.ttl", "EDC-generic-full.ttl"):
        graph.parse(STANDARDS / name, format="turtle")
    return graph


def _validate(document: dict, shapes: rdflib.Graph) -> tuple[bool, rdflib.Graph, str]:
    conforms, results, text = validate(_graph(document), shacl_graph=shapes, inference="none")
    return bool(conforms), results, text


def _failed_paths(results: rdflib.Graph) -> set[str]:
    return {str(path) for path in results.objects(None, SH.resultPath)}


# ---------------------------------------------------------------------------------------------------------------
# The awards of the 'mini' degree (co-issued by Charité and KI-Campus, three courses earned at 95 %)


@pytest.fixture
def mini(degree, learner, django_capture_on_commit_callbacks):
    """Anna's awards in the 'mini' program by kind (the course ones of Basics), its EU elements declared."""
    with django_capture_on_commit_callbacks(execute=True):
        api.record_completion(user_id=learner.pk, course_key=BASICS, completion=0.9, event_type="test")
    Program.objects.filter(slug="mini").update(**EU_ELEMENTS)
    awards = [a for a in api.get_learner_awards(user_id=learner.pk) if a.program_id == "mini"]
    found = {a.kind: a for a in awards if a.course_key in (None, BASICS)}
    found["courses"] = [a for a in awards if a.kind == "achievement"]
    return found


def _export(award, **kwargs) -> dict:
    return json.loads(get_edc_credential(award_id=award.id, **kwargs))


def _claim(document: dict) -> dict:
    return document["credentialSubject"]["hasClaim"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("declared", [True, False], ids=["eu-elements", "catalog-defaults"])
def test_every_award_kind_conforms_to_the_elm_shapes(mini, shapes, declared):
    if not declared:
        Program.objects.filter(slug="mini").update(learning_outcomes="", eqf_level=None, participation_form="",
                                                   assessment_type="", quality_assurance="")
    for kind in ("participation", "achievement", "degree"):
        document = _export(mini[kind])
        conforms, _results, text = _validate(document, shapes)
        assert conforms, f"{kind}: {text}"
        assert document["@context"] == [edc.VC_V1, edc.ELM_CONTEXT]


def _drop(document: dict, key: str, where=lambda node: True) -> None:
    """Remove ``key`` from every node that ``where`` picks: a node repeated (by its id) is one node in RDF."""
    if isinstance(document, list):
        for item in document:
            _drop(item, key, where)
    elif isinstance(document, dict):
        if where(document):
            document.pop(key, None)
        for value in document.values():
            _drop(value, key, where)


MANDATORY = [
    ("date of issuing", lambda d: d.pop("issued"), CRED + "issued"),
    ("issuer's legal identifier", lambda d: _drop(d, "eIDASIdentifier", lambda n: n.get("id") == d["issuer"]["id"]),
     ELM + "eidasLegalIdentifier"),
    ("issuer's country", lambda d: _drop(d, "countryCode"), ELM + "countryCode"),
    ("awarding body", lambda d: _drop(d, "awardingBody"), ELM + "awardingBody"),
    ("title", lambda d: _claim(d).pop("title"), "http://purl.org/dc/terms/title"),
    ("learner", lambda d: d.pop("credentialSubject"), CRED + "credentialSubject"),
    ("grade of the assessment", lambda d: _claim(d)["provenBy"][0].pop("grade"), ELM + "grade"),
    ("credential profile", lambda d: d.pop("credentialProfiles"), ELM + "credentialProfiles"),
]


@pytest.mark.django_db
def test_a_copy_missing_a_mandatory_element_does_not_conform(mini, shapes):
    exported = _export(mini["degree"])
    for what, remove, path in MANDATORY:
        document = copy.deepcopy(exported)
        remove(document)
        conforms, results, text = _validate(document, shapes)
        assert not conforms, what
        assert path in _failed_paths(results), f"{what}: {text}"


def test_the_shapes_are_not_vacuous_the_commissions_sample_fails_where_it_is_known_to(shapes):
    sample = json.loads((STANDARDS / "Sample-MC-Annex1-unsigned.jsonld").read_text(encoding="utf-8"))
    conforms, results, _text = _validate(sample, shapes)
    assert not conforms
    assert _failed_paths(results) >= {CRED + "issued", ELM + "eidasLegalIdentifier"}


# ---------------------------------------------------------------------------------------------------------------
# Annex I, element by element


def _texts(nodes: list[dict], key: str = "title") -> list[str]:
    return [node[key]["en"] for node in nodes]


def _notes(specification: dict) -> list[str]:
    return _texts(specification["additionalNote"], "noteLiteral")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["participation", "achievement", "degree"])
def test_every_annex_i_element_carries_the_awards_own_values(mini, kind):
    award = mini[kind]
    row = Award.objects.select_related("user").get(uuid=award.id)
    document = _export(award)
    claim = _claim(document)
    specification = claim["specifiedBy"]
    assessment = claim["provenBy"][0]
    expected_title = {"participation": "Participation confirmation: Basics",
                      "achievement": "Achievement record: Basics", "degree": "Mini <Degree>"}[kind]
    charite, ki_campus = (api.get_controller_document(issuer_id=slug) for slug in ("charite", "ki-campus"))
    # learner identification
    assert document["credentialSubject"]["fullName"] == {"en": "Anna Schmidt"}
    # title
    assert claim["title"] == {"en": expected_title} == specification["title"] == document["displayParameter"]["title"]
    # country of the issuer, awarding body
    assert document["issuer"]["location"]["address"]["countryCode"]["id"] == \
        "http://publications.europa.eu/resource/authority/country/DEU"
    assert document["issuer"]["id"] == charite["id"] and document["issuer"]["legalName"] == {"en": "Charité Berlin"}
    bodies = claim["awardedBy"]["awardingBody"]
    assert [b["id"] for b in bodies] == [charite["id"], ki_campus["id"]]
    assert _texts(bodies, "legalName") == ["Charité Berlin", "KI-Campus"]
    # date of issuing
    assert document["issued"] == document["validFrom"] == claim["awardedBy"]["awardingDate"] == iso_z(row.issued_at)
    # learning outcomes
    assert _texts(specification["learningOutcome"]) == list(OUTCOMES)
    # notional workload (ECTS)
    hours, ects = ("PT21H", "1") if kind != "degree" else ("PT47H", "4")
    assert specification["volumeOfLearning"] == hours
    assert specification["creditPoint"][0]["point"] == ects
    assert specification["creditPoint"][0]["framework"]["id"] == "http://data.europa.eu/snb/education-credit/6fcec5c5af"
    # level: the program's EQF level, except on a participation confirmation (it certifies no level)
    if kind == "participation":
        assert specification["type"] == "LearningAchievementSpecification" and "eqfLevel" not in specification
    else:
        assert specification["type"] == "Qualification"
        assert specification["eqfLevel"]["id"] == "http://data.europa.eu/snb/eqf/6"
        assert specification["isPartialQualification"] is (kind != "degree")
    # type of assessment
    expected_assessment = ("Completion of the course content online (no graded assessment)"
                           if kind == "participation" else "Graded online quizzes")
    assert assessment["title"] == {"en": expected_assessment} == assessment["specifiedBy"]["title"]
    grade = assessment["grade"]["noteLiteral"]["en"]
    assert grade.startswith({"participation": "Share of the course content completed: ",
                             "achievement": "Course grade: 95 % (required: ", "degree": "Passed. "}[kind])
    # form of participation: the catalog's text and the Europass mode it names
    assert "Form of participation: online, self-paced" in _notes(specification)
    assert specification["mode"][0]["id"] == "http://data.europa.eu/snb/learning-assessment/920fbb3cbe"
    # type of quality assurance
    assert "Type of quality assurance: Reviewed by the faculty board" in _notes(specification)
    # further information: the public verification page
    assert claim["supplementaryDocument"][0]["contentURL"].endswith(f"/microdegree/verify/{award.id}/")


@pytest.mark.django_db
def test_what_the_catalog_does_not_declare_is_said_so_or_derived(degree, learner):
    document = _export(degree)
    specification = _claim(document)["specifiedBy"]
    assert "learningOutcome" not in specification and "eqfLevel" not in specification
    assert specification["learningOutcomeSummary"]["noteLiteral"]["en"] == _claim(document)["description"]["en"]
    assert f"Type of quality assurance: {edc.QA_NOT_DECLARED}" in _notes(specification)
    assert "Form of participation: online" in _notes(specification)  # the platform default (conf)
    legal = document["issuer"]["eIDASIdentifier"]
    assert legal["notation"] == document["issuer"]["id"] and legal["schemeName"] == "did:web"


@pytest.mark.django_db
def test_a_degree_names_its_course_credentials_as_its_parts(mini):
    parts = _claim(_export(mini["degree"]))["hasPart"]
    courses = mini["courses"]
    assert len(parts) == len(courses) == 3
    assert [p["id"] for p in parts] == [edc.achievement_id(c.id) for c in courses]
    assert [p["identifier"][0]["notation"] for p in parts] == [edc.credential_id(c.id) for c in courses]
    assert [p["supplementaryDocument"][0]["contentURL"] for p in parts] == \
        [f"{conf.lms_root_url()}/microdegree/credentials/{c.id}/edc/" for c in courses]
    assert _texts(parts) == ["Achievement record: Basics", "Achievement record: Clinics", "Achievement record: Third"]
    # Each part is the very achievement its own export certifies.
    own = _export(courses[0])
    assert _claim(own)["id"] == parts[0]["id"] and own["id"] == parts[0]["identifier"][0]["notation"]
    # Course credentials have no parts.
    assert "hasPart" not in _claim(own) and "hasPart" not in _claim(_export(mini["participation"]))


@pytest.mark.django_db
def test_a_stored_country_the_catalog_would_refuse_is_served_and_fails_the_shapes(mini, shapes):
    Issuer.objects.filter(slug="charite").update(country="")  # no check lets this through; a script might
    conforms, results, _text = _validate(_export(mini["achievement"]), shapes)
    assert not conforms and ELM + "location" in _failed_paths(results)


# ---------------------------------------------------------------------------------------------------------------
# Visibility: exactly as the signed credential's


@pytest.mark.django_db
def test_a_private_award_is_refused_to_anyone_but_its_learner(mini, learner, other_learner):
    award = mini["achievement"]
    api.set_award_private(user_id=learner.pk, award_id=award.id, private=True)
    for viewer in (None, other_learner.pk):
        with pytest.raises(api.PrivateCredential):
            get_edc_credential(award_id=award.id, viewer_id=viewer)
        with pytest.raises(api.PrivateCredential):
            api.get_signed_credential(award_id=award.id, fmt="ob3", viewer_id=viewer)
    assert _export(award, viewer_id=learner.pk)["credentialSubject"]["fullName"] == {"en": "Anna Schmidt"}


@pytest.mark.django_db
def test_a_private_course_credential_is_named_in_its_learners_degree_export_only(mini, learner, other_learner):
    hidden = mini["courses"][1]
    api.set_award_private(user_id=learner.pk, award_id=hidden.id, private=True)
    for viewer, count in ((None, 2), (other_learner.pk, 2), (learner.pk, 3)):
        parts = _claim(_export(mini["degree"], viewer_id=viewer))["hasPart"]
        assert len(parts) == count and (edc.achievement_id(hidden.id) in [p["id"] for p in parts]) is (count == 3)


@pytest.mark.django_db
@pytest.mark.parametrize("award_id", ["not-a-uuid", "00000000-0000-4000-8000-000000000000"])
def test_an_unknown_award_raises_what_the_signed_credential_raises(db, award_id):  # pylint: disable=unused-argument
    with pytest.raises(api.UnknownAward):
        get_edc_credential(award_id=award_id)
    with pytest.raises(api.UnknownAward):
        api.get_signed_credential(award_id=award_id, fmt="ob3")


@pytest.mark.django_db
def test_an_unsigned_award_is_not_ready_and_a_revoked_one_has_no_export(learner, mini):
    send_grade(learner.pk, VET[0], 0.9)  # the after-commit work does not run: not signed
    unsigned = next(a for a in api.get_learner_awards(user_id=learner.pk) if a.program_id == "ai-vet")
    for fetch in (lambda: get_edc_credential(award_id=unsigned.id),
                  lambda: api.get_signed_credential(award_id=unsigned.id, fmt="ob3")):
        with pytest.raises(api.CredentialNotReady):
            fetch()
    api.revoke_award(award_id=mini["achievement"].id, reason="Grade entered in error")
    with pytest.raises(api.CredentialNotReady):
        get_edc_credential(award_id=mini["achievement"].id)
    parts = _claim(_export(mini["degree"]))["hasPart"]
    assert edc.achievement_id(mini["achievement"].id) not in [p["id"] for p in parts] and len(parts) == 2


# ---------------------------------------------------------------------------------------------------------------
# The pieces


def test_the_bundled_elm_context_is_the_published_one_and_named_in_the_notice():
    assert edc.elm_context() == json.loads((STANDARDS / "edc-ap-context.jsonld").read_text(encoding="utf-8"))
    notice = (Path(edc.__file__).parent / "contexts" / "NOTICE").read_text(encoding="utf-8")
    assert f"{edc.ELM_CONTEXT_FILE}     {edc.ELM_CONTEXT}" in notice


@pytest.mark.django_db
def test_every_term_is_defined_by_the_two_contexts(mini):
    dropped = []
    processor = jsonld.JsonLdProcessor(on_property_dropped=dropped.append)
    expanded = processor.expand(_export(mini["degree"]), {"documentLoader": _loader})
    assert not dropped
    types = set()

    def collect(node):
        if isinstance(node, dict):
            types.update([] if "@value" in node else node.get("@type", []))
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)
    collect(expanded)
    assert types and all(t.startswith(("http://", "https://")) for t in types), types


@pytest.mark.parametrize("hours,duration", [("21", "PT21H"), ("1.5", "PT1H30M"), ("0.1", "PT6M"), ("0", "PT0H")])
def test_workload_is_an_xsd_duration(hours, duration):
    assert edc.workload(Decimal(hours)) == duration


@pytest.mark.parametrize("text,code", [("online", "920fbb3cbe"), ("Online, self-paced", "920fbb3cbe"),
                                       ("blended (online and on site)", "e92d221e4d"), ("on site", "9191af2ed9"),
                                       ("Face-to-face", "9191af2ed9"), ("correspondence", None)])
def test_the_form_of_participation_names_its_europass_mode(text, code):
    found = edc.mode_concept(text)
    assert (found["id"].rsplit("/", 1)[1] if found else None) == code


def test_every_country_the_catalog_accepts_has_its_eu_authority_code():
    from validators.country import _alpha3_to_alpha2  # pylint: disable=import-outside-toplevel

    known = {alpha2: alpha3 for alpha3, alpha2 in _alpha3_to_alpha2.items()}
    for code in COUNTRIES:
        expected = known.get(code) or {"AX": "ALA", "BL": "BLM", "BQ": "BES", "CI": "CIV", "CW": "CUW", "MF": "MAF",
                                       "SS": "SSD", "SX": "SXM"}[code]
        assert edc.country_iri(code) == f"http://publications.europa.eu/resource/authority/country/{expected}"


@pytest.mark.django_db
def test_a_degree_export_reads_the_database_a_fixed_number_of_times(mini, django_assert_num_queries):
    # the award, its signed credential, the program (3), its steps (none), its course awards, its nested degrees
    with django_assert_num_queries(8):
        _export(mini["degree"])
