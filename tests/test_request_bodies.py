"""
Every JSON body the plugin parses is bounded: size, encoding and nesting, with a 400 and a message.

The visibility API (DRF) and the block's JSON handlers (``refresh``, ``submit_studio_edits``) share one check
(``payloads.body_problem``), so a hostile body never reaches a parser that could exhaust the stack.
"""
from __future__ import annotations

import json

import pytest

from microdegree_xblock import api
from microdegree_xblock.payloads import MAX_BODY_BYTES, MAX_BODY_DEPTH, body_problem
from tests.conftest import BASICS, send_grade
from tests.test_panel import call_refresh, make_block
from tests.test_studio import submit

pytestmark = pytest.mark.django_db

DEEP = b"[" * 5_000 + b"]" * 5_000  # 10 kB; deep enough to exhaust the json module without the check
HUGE = json.dumps({"private": True, "pad": "x" * MAX_BODY_BYTES}).encode()
HOSTILE = [
    (DEEP, "nested deeper than"),
    (b'{"a":' * 2_000 + b"1" + b"}" * 2_000, "nested deeper than"),
    (HUGE, "larger than"),
    (b'{"private": "\xff"}', "not UTF-8"),
]


def test_the_check_measures_nesting_outside_strings_only():
    assert body_problem(json.dumps({"title": "[" * 1_000 + '\\"{'}).encode()) is None
    assert body_problem(json.dumps([[1]] * 3).encode()) is None
    assert body_problem(b"[" * MAX_BODY_DEPTH + b"]" * MAX_BODY_DEPTH) is None
    assert "nested deeper than 16" in body_problem(b"[" * (MAX_BODY_DEPTH + 1))


@pytest.mark.parametrize(("body", "says"), HOSTILE)
def test_the_visibility_api_answers_400(catalog, learner, client, body, says):
    send_grade(learner.pk, BASICS, 0.9)
    award = api.get_learner_awards(user_id=learner.pk)[0]
    client.force_login(learner)
    response = client.post(f"/microdegree/api/v1/awards/{award.id}/visibility/", body,
                           content_type="application/json")
    assert response.status_code == 400 and says in response.json()["detail"]
    assert api.get_award(award.id).private is False


@pytest.mark.parametrize(("body", "says"), HOSTILE)
def test_the_blocks_handlers_answer_400(catalog, learner, body, says):
    block = make_block('<microdegree program="dr-med-ki"/>', learner.pk)
    response = call_refresh(block, body=body)
    assert response.status_code == 400 and says in response.json["error"]
    response = submit(block, body)
    assert response.status_code == 400 and says in response.json["error"]
    assert block.program == "dr-med-ki"
    assert call_refresh(block).status_code == 200  # a normal body still works


def test_a_studio_edit_is_checked_as_the_block_stores_it(catalog, learner):
    """XBlock's String fields drop what XML cannot hold (U+0008, NUL, lone surrogates): the check sees the same."""
    block = make_block('<microdegree program="dr-med-ki"/>', learner.pk)
    response = submit(block, {"display_name": "\x08\x0b", "program": "ai-vet"})  # an empty name, once stored
    assert response.status_code == 400 and response.json["field"] == "display_name"
    response = submit(block, {"display_name": " A\x00B ", "program": "ai-vet\ud800"})  # the escape "\ud800"
    assert response.status_code == 200 and (block.display_name, block.program) == ("AB", "ai-vet")
    assert (response.json["display_name"], response.json["program"]) == ("AB", "ai-vet")
