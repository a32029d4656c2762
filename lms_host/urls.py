"""
URLs of the LMS stand-in: the admin, the demo pages, the XBlock workbench, and the plugins' URLs as the LMS mounts them.
"""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from edx_django_utils.plugins import get_plugin_url_patterns

from . import views, xblock_workbench

urlpatterns = [
    path("", views.index, name="index"),
    path("demo/grade/", views.send_grade, name="demo-grade"),
    path("demo/unit/<str:program_id>/", views.unit, name="demo-unit"),
    path("workbench/", include(xblock_workbench.urlpatterns)),
    path("login/", auth_views.LoginView.as_view(template_name="lms_host/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
    path("admin/", admin.site.urls),
    *get_plugin_url_patterns("lms.djangoapp"),
]
