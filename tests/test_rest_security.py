"""
The progress API under the LMS stand-in's own JWT configuration: no forged or unsigned token gets in.
"""
from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

PROGRESS_URL = "/microdegree/api/v1/progress/"

pytestmark = pytest.mark.django_db


def payload(user):
    now = int(time.time())
    return {"iss": "http://127.0.0.1:8000/oauth2", "aud": "lms-audience", "exp": now + 600, "iat": now,
            "preferred_username": user.username, "email": user.email, "administrator": True, "version": "1.2.0",
            "scopes": ["read", "email", "profile"], "user_id": user.pk}


@pytest.mark.parametrize("make_token", [
    lambda p: jwt.encode(p, rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS512"),
    lambda p: jwt.encode(p, "a-guessed-secret-of-at-least-32-bytes-long", algorithm="HS256"),
    lambda p: jwt.encode(p, None, algorithm="none"),
])
def test_forged_tokens_are_refused(client, catalog, learner, make_token):
    response = client.get(PROGRESS_URL, HTTP_AUTHORIZATION=f"JWT {make_token(payload(learner))}")
    assert response.status_code == 401
