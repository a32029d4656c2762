"""
Generated request bodies: to the visibility API, the achievements page's form, and the block's JSON handlers.

Whoever sends them (the award's owner, another learner, an anonymous visitor), whatever they hold:

* no answer is a server error (5xx), and no exception escapes;
* a malformed body (not UTF-8, not JSON, too large, nested too deep, not an object, no boolean ``private``) gets a
  400 with a message;
* the award's ``private`` flag changes only for its owner's valid body, and then to what the body says; the block's
  fields change only for a valid Studio edit (checked as its fields store text), and then hold what was answered.

The oracle for "valid" is Python's ``json`` module within the documented limits (``payloads.MAX_BODY_BYTES``,
``MAX_BODY_DEPTH``): DRF parses strictly (no NaN or Infinity), the block's handlers as XBlock does; for duplicate
keys both keep the last value, as ``json`` does.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import TooManyFieldsSent
from django.http import QueryDict
from django.test import Client
from hypothesis import example, given, settings
from hypothesis import strategies as st
from xblock.fields import String

from microdegree_xblock.models import Award
from microdegree_xblock.payloads import MAX_BODY_BYTES, MAX_BODY_DEPTH
from tests.conftest import BASICS, send_grade
from tests.test_panel import call_refresh, make_block
from tests.test_studio import submit

from .cases import budget, count
from .isolation import rolled_back
from .strategies import declared_charset_bodies, form_bodies, json_bodies

pytestmark = pytest.mark.django_db

INVALID = object()
WHO = st.sampled_from(["owner", "other", "anonymous"])
VISIBILITY = st.fixed_dictionaries({"private": st.booleans()}, optional={"note": st.text(max_size=5)})
PROGRAMS = ("ai-vet", "dr-med-ki")
STUDIO_EDITS = st.fixed_dictionaries({
    "display_name": st.one_of(st.sampled_from(["Progress", "  Fortschritt  ", "", " ", "x" * 255, "x" * 256, "\x08",
                                               "A\x00B", "\ud800", "Name\ud83d"]), st.text(max_size=20)),
    "program": st.sampled_from([*PROGRAMS, " ai-vet ", "unknown", "", "ai_vet", "ai-vet\x00", "ai-vet\ud800"]),
})


def _refuse_constant(name: str) -> Any:
    """DRF's strict JSON: NaN and the infinities are no JSON numbers."""
    raise ValueError(f"{name} is no JSON number")


def _depth(value: object) -> int:
    """How deep lists and objects nest in a parsed JSON value (a scalar: 0)."""
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


def parsed(body: bytes, *, strict: bool) -> object:
    """What a JSON endpoint must make of a body: its value, or INVALID (a 400), within the documented limits."""
    if len(body) > MAX_BODY_BYTES:
        return INVALID
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant if strict else None)
    except (ValueError, RecursionError):
        return INVALID
    return value if _depth(value) <= MAX_BODY_DEPTH else INVALID


def _message(data: object) -> str:
    """The message of a 400: a DRF ``detail`` or a field's list of errors, or the block's ``error``."""
    if isinstance(data, dict):
        found = data.get("detail") or data.get("error") or data.get("private")
        return " ".join(found) if isinstance(found, list) else str(found or "")
    return ""


def _post(client: Client, url: str, body: bytes, content_type: str):
    """POST ``body`` as it is (``Client.post`` would re-encode it to the declared charset)."""
    return client.generic("POST", url, body, content_type=content_type)


@pytest.fixture
def award(catalog, learner):  # pylint: disable=unused-argument
    """Anna's achievement record of Basics, public."""
    send_grade(learner.pk, BASICS, 0.9)
    return Award.objects.get(user=learner)


@pytest.fixture
def clients(learner, other_learner) -> dict[str, Client]:
    """A signed-in client for the award's owner, one for another learner, and an anonymous one."""
    owner, other = Client(), Client()
    owner.force_login(learner)
    other.force_login(other_learner)
    return {"owner": owner, "other": other, "anonymous": Client()}


@settings(max_examples=budget(900))
@given(body=json_bodies(VISIBILITY), who=WHO,
       content_type=st.sampled_from(["application/json", "application/json; charset=utf-8"]))
def test_the_visibility_api_changes_only_the_owners_award_for_a_valid_body(award, clients, body: bytes, who: str,
                                                                         content_type: str):
    """The visibility API: 401/403 for anonymous, 400 with a message for a bad body, 404 for another's award."""
    count("request body (visibility API)")
    value = parsed(body, strict=True)
    valid = isinstance(value, dict) and isinstance(value.get("private"), bool)
    with rolled_back():
        response = _post(clients[who], f"/microdegree/api/v1/awards/{award.uuid}/visibility/", body, content_type)
        private = Award.objects.get(pk=award.pk).private
    if who == "anonymous":
        assert response.status_code in (401, 403)
    elif not valid:
        assert response.status_code == 400 and _message(response.json()), (response.status_code, response.content)
    elif who == "other":
        assert response.status_code == 404
    else:
        assert response.status_code == 200 and response.json()["private"] is value["private"]
        assert private is value["private"]
        return
    assert private is False


@settings(max_examples=budget(250))
@given(body=json_bodies(VISIBILITY), who=WHO, content_type=st.sampled_from([
    "application/json; charset=utf-16", "application/json; charset=latin-1", "application/json; charset=cp500",
    "application/json; charset=zlib", "application/json; charset=nonsense", "application/vnd.api+json",
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "",
]))
def test_the_visibility_api_answers_any_content_type_without_a_server_error(award, clients, body: bytes, who: str,
                                                                          content_type: str):
    """
    Whatever the declared type and charset, no server error; the flag changes only when the owner gets a 200.

    DRF decodes a JSON body with the declared charset: the size, encoding and nesting check (on the UTF-8 text)
    must still hold whatever text the charset makes of the bytes.
    """
    count("request body (visibility API, content types)")
    with rolled_back():
        response = _post(clients[who], f"/microdegree/api/v1/awards/{award.uuid}/visibility/", body, content_type)
        private = Award.objects.get(pk=award.pk).private
    assert response.status_code < 500, response.content[:300]
    if who == "owner" and response.status_code == 200:
        assert private is response.json()["private"]
    else:
        assert response.status_code in (400, 401, 403, 404, 415) and private is False


@settings(max_examples=budget(100))
@given(case=declared_charset_bodies(VISIBILITY))
@example(case=("cp500", "[".encode("cp500") * 5_000 + "]".encode("cp500") * 5_000))  # "JJJ...ZZZ" in UTF-8
def test_a_body_in_a_declared_charset_is_bounded_too(award, clients, case: tuple[str, bytes]):
    """
    Whatever charset a body declares, it is bounded as a UTF-8 one is: no server error.

    The check reads the body as UTF-8; were it parsed in the declared charset, nesting written in cp500 ("[" is the
    byte of "J") would pass the check and exhaust the JSON parser.
    """
    count("request body (visibility API, declared charsets)")
    charset, body = case
    with rolled_back():
        response = _post(clients["owner"], f"/microdegree/api/v1/awards/{award.uuid}/visibility/", body,
                         f"application/json; charset={charset}")
    assert response.status_code < 500


FORM_TYPES = ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
              "text/plain", "application/json"]


def _form_private(body: bytes, content_type: str) -> bool | None:
    """What the form must make the award: private when its last ``private`` is "true"; None: too many fields."""
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return False  # no form data: made public again
    try:
        return QueryDict(body).get("private") == "true"
    except TooManyFieldsSent:
        return None


@settings(max_examples=budget(350))
@given(body=form_bodies("private", ["true", "false"]), who=WHO, content_type=st.sampled_from(FORM_TYPES))
def test_the_visibility_form_changes_only_the_owners_award(award, clients, body: bytes, who: str, content_type: str):
    """
    The achievements page's form: sign-in first, 404 for another's award, 400 for more fields than Django reads.

    The owner's post makes the award private exactly when the form's (last) ``private`` value is "true", else
    public again: what a form with an unchecked box says.
    """
    count("request body (visibility form)")
    expected = _form_private(body, content_type)
    with rolled_back():
        response = _post(clients[who], f"/microdegree/achievements/{award.uuid}/visibility/", body, content_type)
        private = Award.objects.get(pk=award.pk).private
    if who == "anonymous":
        assert response.status_code == 302 and "/login" in response["Location"]
    elif expected is None:
        assert response.status_code == 400
    elif who == "other":
        assert response.status_code == 404
    else:
        assert response.status_code == 303 and private is expected
        return
    assert private is False


def _as_stored(value: object) -> object:
    """A text as an XBlock String field stores it: without the characters XML cannot hold."""
    return String().from_json(value) if isinstance(value, str) else value


def _valid_edit(value: object) -> tuple[str, str] | None:
    """(display name, program) that a valid Studio edit stores, or None; checked as the fields store text."""
    if not isinstance(value, dict):
        return None
    name, program = _as_stored(value.get("display_name")), _as_stored(value.get("program"))
    if not (isinstance(name, str) and name.strip() and len(name.strip()) <= 255):
        return None
    if not (isinstance(program, str) and program.strip() in PROGRAMS):
        return None
    return name.strip(), program.strip()


@settings(max_examples=budget(700))
@given(body=json_bodies(STUDIO_EDITS), handler=st.sampled_from(["refresh", "submit_studio_edits"]),
       signed_in=st.booleans())
def test_the_blocks_handlers_answer_every_body(catalog, learner, body: bytes, handler: str, signed_in: bool):
    """
    The block's JSON handlers: 400 with a message for a malformed body, any object answered or saved as it says.

    ``refresh`` answers any JSON object; a Studio edit is saved exactly when valid, checked as the block's fields
    store text, and answered as saved.
    """
    count(f"request body (block {handler})")
    value = parsed(body, strict=False)
    block = make_block('<microdegree program="ai-vet"/>', learner.pk if signed_in else None)
    with rolled_back():
        response = call_refresh(block, body=body) if handler == "refresh" else submit(block, body)
    assert response.status_code < 500
    if handler == "refresh":
        if isinstance(value, dict):
            assert response.status_code == 200 and response.json["signedIn"] is signed_in
        else:
            assert response.status_code == 400 and _message(response.json)
        return
    edit = _valid_edit(value)
    if edit is None:
        assert response.status_code == 400 and _message(response.json)
        assert (block.display_name, block.program) == ("Micro-degree progress", "ai-vet")
    else:
        assert response.status_code == 200 and (block.display_name, block.program) == edit
        assert (response.json["display_name"], response.json["program"]) == edit
