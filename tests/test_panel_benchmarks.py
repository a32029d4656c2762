"""
Benchmarks of the panel's server time against the REST progress API, for the same learner (``make bench``).

Group "panel vs REST API", one learner with an earned record, a course under way and a planned course:

* ``api_only``: :func:`api.get_learner_progress` for the panel's program, the part both share;
* ``student_view``: the block's ``student_view`` (the api read, the panel's template, its CSS, JS and arguments);
* ``runtime_render``: the same through XBlock's reference runtime (``runtime.render``), whose wrapping and aside
  lookup (it scans the installed entry points on every render) cost about as much again;
* ``refresh_handler_http``: the panel's ``refresh`` handler as a full HTTP request through the workbench runtime;
* ``rest_progress_api_http``: ``GET /microdegree/api/v1/progress/`` as a full HTTP request (every program).

The two HTTP figures compare like with like (Django's whole request path); ``student_view`` against
``api_only`` shows what rendering costs. With 20 programs in the catalog the panel still reads one program and the
REST API all of them. Under ``make test`` each runs once, as a plain test.
"""
from __future__ import annotations

import pytest
import yaml
from workbench import scenarios

from lms_host.xblock_workbench import reload_scenarios
from microdegree_xblock import api
from microdegree_xblock.catalog import validate_catalog

from .conftest import BASICS, CATALOG, CLINICS, send_grade
from .test_panel import make_block

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[0, 18], ids=["2-programs", "20-programs"])
def learner_in_catalog(request, learner):
    """The test catalog, with ``param`` more programs of four courses, and a learner with some progress."""
    data = yaml.safe_load(CATALOG)
    template = data["programs"][0]
    for n in range(request.param):
        program = dict(template, id=f"extra{n}", title=f"Extra {n}")
        program["courses"] = [dict(c, key=c["key"].replace("+2024", f"+X{n}")) for c in template["courses"]]
        data["programs"].append(program)
    api.load_catalog(validate_catalog(data))
    send_grade(learner.pk, BASICS, 0.82)
    send_grade(learner.pk, CLINICS, 0.45)
    return learner


def test_bench_panel_api_only(benchmark, learner_in_catalog):
    benchmark.group = "panel vs REST API"
    result = benchmark(api.get_learner_progress, user_id=learner_in_catalog.pk, program_id="dr-med-ki")
    assert result[0].earned_count == 1


def test_bench_panel_student_view(benchmark, learner_in_catalog):
    benchmark.group = "panel vs REST API"
    block = make_block('<microdegree program="dr-med-ki"/>', learner_in_catalog.pk)
    fragment = benchmark(block.student_view)
    assert "1 of 3 courses earned" in fragment.body_html()


def test_bench_panel_runtime_render(benchmark, learner_in_catalog):
    benchmark.group = "panel vs REST API"
    block = make_block('<microdegree program="dr-med-ki"/>', learner_in_catalog.pk)
    fragment = benchmark(block.runtime.render, block, "student_view")
    assert "1 of 3 courses earned" in fragment.body_html()


def test_bench_panel_refresh_handler_http(benchmark, client, learner_in_catalog):
    benchmark.group = "panel vs REST API"
    reload_scenarios()
    usage = next(s.usage_id for name, s in scenarios.get_scenarios().items()
                 if name.startswith("microdegree.") and 'program="dr-med-ki"' in s.xml)
    url = f"/workbench/handler/{usage}/refresh/?student={learner_in_catalog.username}"
    response = benchmark(client.post, url, "{}", content_type="application/json")
    assert response.status_code == 200 and response.json()["state"]["earned_count"] == 1


def test_bench_rest_progress_api_http(benchmark, client, learner_in_catalog):
    benchmark.group = "panel vs REST API"
    client.force_login(learner_in_catalog)
    response = benchmark(client.get, "/microdegree/api/v1/progress/")
    assert response.status_code == 200 and len(response.json()["programs"]) >= 2
