"""URLs of the LMS stand-in: the admin, the demo pages, and every plugin's URLs as the LMS mounts them."""
from django.contrib import admin
from django.urls import path
from edx_django_utils.plugins import get_plugin_url_patterns

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("demo/grade/", views.send_grade, name="demo-grade"),
    path("admin/", admin.site.urls),
    *get_plugin_url_patterns("lms.djangoapp"),
]
