"""
The XBlock workbench (xblock-sdk) inside the LMS stand-in.

It is the runtime that renders the ``microdegree`` block for the demo and the browser tests.
The workbench knows its learners by a ``?student=`` name; :class:`LmsUserService` gives the block the LMS's user
service for it (``edx-platform.user_id`` of the Django user of that username, anonymous when there is none), so the
block reads the same learner data here as in the LMS. This is a demo and test host: anyone who can reach it can
show any learner's panel by name, as in the workbench itself.
"""
from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import conditional_page
from django.views.i18n import JavaScriptCatalog
from workbench import scenarios
from workbench import views as workbench_views
from xblock.reference.user_service import UserService, XBlockUser

SCENARIO_PREFIX = "microdegree-program"


class LmsUserService(UserService):
    """The LMS's ``user`` service for the workbench: the workbench's student name is a Django username."""

    runtime: Any = None  # set by the workbench runtime when it loads the service

    def get_current_user(self) -> XBlockUser:
        """The learner named by the workbench's ``?student=``, as the LMS describes its users to XBlocks."""
        username = str(getattr(self.runtime, "user_id", "") or "")
        user = get_user_model().objects.filter(username=username, is_active=True).first() if username else None
        xblock_user = XBlockUser(is_current_user=True, emails=[user.email] if user else [],
                                 full_name=user.get_full_name() if user else None)
        xblock_user.opt_attrs.update({
            "edx-platform.user_id": user.pk if user else None,
            "edx-platform.username": user.username if user else None,
            "edx-platform.is_authenticated": user is not None,
        })
        return xblock_user


def reload_scenarios() -> None:
    """Load the workbench's scenarios again (their field data lives in the database, which tests empty)."""
    scenarios.init_scenarios()
    scenarios.get_scenarios.initialized = True


def scenario_for_program(program_id: str) -> str:
    """The workbench scenario that shows ``program_id``'s panel, added on first use."""
    name = f"{SCENARIO_PREFIX}.{program_id}"
    if name not in scenarios.get_scenarios():
        xml = '<microdegree program="{}"/>'.format(program_id.replace("&", "&amp;").replace('"', "&quot;")
                                                   .replace("<", "&lt;"))
        scenarios.add_xml_scenario(name, f"Micro-degree progress {program_id}", xml)
    return name


def studio_scenario() -> str:
    """The scenario of the block's first workbench scenario (to open its Studio editor)."""
    names = sorted(name for name in scenarios.get_scenarios() if name.startswith("microdegree."))
    return names[0] if names else ""


@conditional_page
@cache_control(public=True, no_cache=True)
def package_resource(request: HttpRequest, block_type: str, resource: str) -> HttpResponse:
    """
    The workbench's view of a block's package resource (``runtime.local_resource_url``), made cacheable.

    The workbench answers the file (from the block class's ``open_local_resource``; 404 for anything it refuses)
    with its type and no caching headers. Here it also has an ETag and ``Cache-Control: public, no-cache``: the
    browser keeps the file and asks again with ``If-None-Match``, answered ``304 Not Modified`` while the file is
    unchanged, so an edited script or style sheet shows on the next load of the demo.
    """
    response: HttpResponse = workbench_views.package_resource(request, block_type, resource)
    return response


# The workbench's own URLs (workbench/urls.py), without its second admin site and its media/static helpers.
HANDLER = r"(?P<usage_id>[^/]+)/(?P<handler_slug>[^/]*)(?:/(?P<suffix>.*))?$"
urlpatterns = [
    re_path(r"^$", workbench_views.index, name="workbench_index"),
    re_path(r"^scenario/(?P<scenario_id>[^/]+)/(?P<view_name>[^/]+)/$", workbench_views.show_scenario,
            name="scenario"),
    re_path(r"^scenario/(?P<scenario_id>[^/]+)/$", workbench_views.show_scenario, name="workbench_show_scenario"),
    re_path(r"^view/(?P<scenario_id>[^/]+)/(?P<view_name>[^/]+)/$", workbench_views.show_scenario,
            {"template": "workbench/blockview.html"}),
    re_path(r"^view/(?P<scenario_id>[^/]+)/$", workbench_views.show_scenario,
            {"template": "workbench/blockview.html"}),
    re_path(rf"^handler/{HANDLER}", workbench_views.handler, {"authenticated": True}, name="handler"),
    re_path(rf"^aside_handler/{HANDLER.replace('usage_id', 'aside_id')}", workbench_views.aside_handler,
            {"authenticated": True}, name="aside_handler"),
    re_path(rf"^unauth_handler/{HANDLER}", workbench_views.handler, {"authenticated": False},
            name="unauth_handler"),
    re_path(r"^resource/(?P<block_type>[^/]+)/(?P<resource>.*)$", package_resource, name="package_resource"),
    re_path(r"^reset_state$", workbench_views.reset_state, name="reset_state"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
