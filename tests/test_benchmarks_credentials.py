"""
Benchmarks of credential signing and of the verification page (``make bench`` prints the figures).

The baseline is one raw Ed25519 signature; signing an OB 3.0 credential adds two strict JSON-LD checks and RDF
canonicalisations (docs/decisions/0032), and a degree adds its CLR with the member credentials. The page only
reads: it never signs.
"""
from __future__ import annotations

import pytest

from microdegree_xblock import api
from microdegree_xblock.credentials import keys
from microdegree_xblock.models import SignedCredential

from .conftest import BASICS, VET, send_grade

pytestmark = pytest.mark.django_db


def test_bench_signing_baseline_raw_ed25519(benchmark):
    benchmark.group = "credential signing"
    key = keys.generate_private_key()
    benchmark(key.sign, b"\0" * 64)


def test_bench_signing_an_ob3_credential(benchmark, catalog, learner):
    benchmark.group = "credential signing"
    send_grade(learner.pk, BASICS, 0.9)  # no after-commit run here: the benchmark signs
    award = next(a for a in api.get_learner_awards(user_id=learner.pk) if a.kind == "achievement")
    award_pk = SignedCredential._meta.get_field("award").related_model.objects.get(uuid=award.id).pk
    api.ensure_signing_key()

    def setup():
        SignedCredential.objects.filter(award_id=award_pk).delete()
        return ([award_pk],), {}

    benchmark.pedantic(lambda ids: api.issue_credentials(award_pks=ids), setup=setup, rounds=20)
    assert SignedCredential.objects.filter(award_id=award_pk, format="ob3").exists()


def test_bench_signing_a_degree_with_its_clr(benchmark, catalog, learner, django_capture_on_commit_callbacks):
    benchmark.group = "credential signing"
    with django_capture_on_commit_callbacks(execute=True):
        for key in VET:
            send_grade(learner.pk, key, 0.9)
    degree = next(a for a in api.get_learner_awards(user_id=learner.pk) if a.kind == "degree")
    degree_pk = SignedCredential._meta.get_field("award").related_model.objects.get(uuid=degree.id).pk

    def setup():
        SignedCredential.objects.filter(award_id=degree_pk).delete()
        return ([degree_pk],), {}

    benchmark.pedantic(lambda ids: api.issue_credentials(award_pks=ids), setup=setup, rounds=10)
    assert SignedCredential.objects.filter(award_id=degree_pk, format="clr").exists()


def test_bench_verification_page(benchmark, catalog, learner, client, django_capture_on_commit_callbacks):
    benchmark.group = "verification page"
    with django_capture_on_commit_callbacks(execute=True):
        send_grade(learner.pk, BASICS, 0.9)
    award = next(a for a in api.get_learner_awards(user_id=learner.pk) if a.kind == "achievement")
    response = benchmark(client.get, f"/microdegree/verify/{award.id}/")
    assert response.status_code == 200
