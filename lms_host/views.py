"""
Demo pages of the LMS stand-in.

An index with the learners' panels, a courseware unit holding the block, and a form that sends a grade event exactly
as the LMS does.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import CourseData, PersistentCourseGradeData
from openedx_events.learning.signals import PERSISTENT_GRADE_SUMMARY_CHANGED
from workbench import views as workbench_views

from microdegree_xblock import api
from microdegree_xblock.payloads import progress_json

from . import xblock_workbench
from .management.commands.demo_history import PREFIX as HISTORY_PREFIX


def index(request: HttpRequest) -> HttpResponse:
    """Links to everything, the demo learners' progress, and the grade form."""
    # The generated history's learners (demo_history) are for the reporting dashboard, not for this picker.
    learners = list(get_user_model().objects.filter(is_staff=False).exclude(username__startswith=HISTORY_PREFIX)
                    .order_by("username"))
    selected = request.GET.get("learner") or (learners[0].username if learners else "")
    learner = next((u for u in learners if u.username == selected), None)
    progress = [progress_json(p) for p in api.get_learner_progress(user_id=learner.pk)] if learner else []
    courses = sorted({c.course_key: c.title for p in api.get_programs() for c in p.courses}.items())
    query = urlencode({"student": learner.username}) if learner else ""
    units = [{"program": program, "src": f"/demo/unit/{program['id']}/?{query}"} for program in progress]
    studio = xblock_workbench.studio_scenario()
    return render(request, "lms_host/index.html", {
        "learners": learners, "learner": learner, "progress": progress, "courses": courses, "units": units,
        "studio_url": f"/workbench/scenario/{studio}/studio_view/" if studio else "",
        "shows_achievements": learner is not None and request.user.is_authenticated and request.user == learner,
    })


def unit(request: HttpRequest, program_id: str) -> HttpResponse:
    """
    A courseware unit holding the ``microdegree`` block for ``program_id``, rendered by the XBlock workbench runtime.

    The index shows it in an iframe, as the learning MFE shows units; ``?student=<username>`` names the learner.
    """
    if api.get_program(program_id) is None:
        raise Http404("no such program")
    scenario = xblock_workbench.scenario_for_program(program_id)
    response: HttpResponse = workbench_views.show_scenario(request, scenario, template="lms_host/unit.html")
    return response


@require_POST
def send_grade(request: HttpRequest) -> HttpResponse:
    """Send ``PERSISTENT_GRADE_SUMMARY_CHANGED`` with real openedx-events data, as the LMS's grades app does."""
    username = request.POST.get("learner", "")
    user = get_user_model().objects.filter(username=username).first()
    try:
        course_key = CourseKey.from_string(request.POST.get("course", ""))
        percent = Decimal(request.POST.get("percent", "")) / 100
        if not 0 <= percent <= 1:
            raise ValueError
    except (InvalidKeyError, InvalidOperation, ValueError):
        messages.error(request, "Pick a course and a percent between 0 and 100.")
        return redirect(f"/?learner={username}")
    if user is None:
        messages.error(request, "Pick a learner.")
        return redirect("/")
    PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(grade=PersistentCourseGradeData(
        user_id=user.pk,
        course=CourseData(course_key=course_key),
        course_edited_timestamp=None,
        course_version="",
        grading_policy_hash="",
        percent_grade=float(percent),
        letter_grade="Pass" if percent >= Decimal("0.5") else "",
        passed_timestamp=None,
    ))
    messages.success(request, f"Sent PERSISTENT_GRADE_SUMMARY_CHANGED: {username}, {course_key}, {percent:.0%}.")
    return redirect(f"/?learner={username}")
