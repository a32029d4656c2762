"""
URLs of the micro-degree plugin; the LMS mounts them under ``/microdegree/`` (namespace ``microdegree``).
"""
from django.urls import path

from . import views

app_name = "microdegree"

urlpatterns = [
    path("api/v1/programs/", views.ProgramCatalogView.as_view(), name="api-programs"),
    path("api/v1/progress/", views.LearnerProgressView.as_view(), name="api-progress"),
]
