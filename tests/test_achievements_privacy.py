"""
A learner makes a credential private, or public again, from the achievements page.
"""
from __future__ import annotations

import pytest
from django.urls import reverse

from microdegree_xblock import api

from .conftest import VET, send_grade

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_learner_hides_and_shows_a_credential(client, catalog, learner):
    send_grade(learner.pk, VET[0], 0.9)
    award = api.get_learner_awards(user_id=learner.pk)[0]
    verify = reverse("microdegree:verify", kwargs={"award_id": award.id})
    toggle = reverse("microdegree:achievements-visibility", kwargs={"award_id": award.id})
    client.force_login(learner)
    page = client.get(reverse("microdegree:achievements")).content.decode()
    assert f'action="{toggle}"' in page and "Make private" in page
    response = client.post(toggle, {"private": "true"})
    assert response.status_code == 303 and response["Location"].endswith(f"#award-{award.id}")
    assert api.get_award(award.id).private
    assert "Make public" in client.get(reverse("microdegree:achievements")).content.decode()
    client.logout()
    public = client.get(verify).content.decode()
    assert "Its holder has made this credential private" in public and "Anna" not in public
    client.force_login(learner)
    client.post(toggle, {"private": "false"})
    client.logout()
    assert "Anna Schmidt" in client.get(verify).content.decode()


def test_nobody_else_can_toggle_and_anonymous_visitors_are_sent_to_sign_in(client, catalog, learner, other_learner):
    send_grade(learner.pk, VET[0], 0.9)
    award = api.get_learner_awards(user_id=learner.pk)[0]
    toggle = reverse("microdegree:achievements-visibility", kwargs={"award_id": award.id})
    assert client.post(toggle, {"private": "true"}).status_code == 302  # to sign in
    client.force_login(other_learner)
    assert client.post(toggle, {"private": "true"}).status_code == 404
    assert client.get(toggle).status_code == 405
    assert not api.get_award(award.id).private


def test_the_form_needs_the_csrf_token(catalog, learner):
    from django.test import Client

    send_grade(learner.pk, VET[0], 0.9)
    award = api.get_learner_awards(user_id=learner.pk)[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    toggle = reverse("microdegree:achievements-visibility", kwargs={"award_id": award.id})
    assert client.post(toggle, {"private": "true"}).status_code == 403
    page = client.get(reverse("microdegree:achievements")).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert client.post(toggle, {"private": "true", "csrfmiddlewaretoken": token}).status_code == 303
    assert api.get_award(award.id).private
