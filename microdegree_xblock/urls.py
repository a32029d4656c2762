"""
URLs of the micro-degree plugin; the LMS mounts them under ``/microdegree/`` (namespace ``microdegree``).
"""
from django.urls import include, path

from . import views
from .views.conditions import RecognitionConditionsView

app_name = "microdegree"

# The REST API: what its OpenAPI schema describes, and nothing else.
api_urlpatterns = [
    path("api/v1/programs/", views.ProgramCatalogView.as_view(), name="api-programs"),
    path("api/v1/progress/", views.LearnerProgressView.as_view(), name="api-progress"),
    path("api/v1/awards/<uuid:award_id>/visibility/", views.AwardVisibilityView.as_view(), name="api-visibility"),
    # Staff of a recognising body record its further conditions (an on-site exam), docs/decisions/0040.
    path("api/v1/recognitions/<slug:program_id>/<slug:recognition_id>/conditions/",
         RecognitionConditionsView.as_view(), name="api-recognition-conditions"),
]

urlpatterns = [
    *api_urlpatterns,
    # The schema's paths are the API's as the LMS mounts the plugin's URLs (apps.py: under microdegree/).
    path("api/schema/", views.ApiSchemaView.as_view(patterns=[path("microdegree/", include(api_urlpatterns))]),
         name="api-schema"),
    path("achievements/", views.achievements, name="achievements"),
    path("achievements/export.json", views.achievements_export, name="achievements-export"),
    path("achievements/record.json", views.achievements_record, name="achievements-record"),
    path("achievements/<uuid:award_id>/visibility/", views.set_visibility, name="achievements-visibility"),
    # Reporting for staff: the dashboard and its CSV exports (docs/decisions/0037).
    path("reporting/", views.reporting_dashboard, name="reporting"),
    path("reporting/awards.csv", views.reporting_awards_csv, name="reporting-awards-csv"),
    path("reporting/funnel.csv", views.reporting_funnel_csv, name="reporting-funnel-csv"),
    # Verifiable credentials (docs/decisions/0020-0023).
    path("verify/", views.verify_any, name="verify-any"),
    path("verify/<uuid:award_id>/", views.verify_page, name="verify"),
    path("credentials/<uuid:award_id>/ob3/", views.credential_ob3, name="credential-ob3"),
    path("credentials/<uuid:award_id>/clr/", views.credential_clr, name="credential-clr"),
    path("credentials/<uuid:award_id>/edc/", views.credential_edc, name="credential-edc"),
    path("credentials/<uuid:award_id>/certificate.pdf", views.certificate_pdf, name="credential-pdf"),
    path("credentials/<uuid:award_id>/linkedin/", views.linkedin_redirect, name="credential-linkedin"),
    path("credentials/<uuid:award_id>/badge/", views.baked_badge, name="credential-badge"),
    path("credentials/<uuid:award_id>/badge.png", views.baked_badge_png, name="credential-badge-png"),
    path("ob2/assertions/<uuid:award_id>/", views.ob2_assertion, name="ob2-assertion"),
    path("ob2/issuers/<slug:issuer_id>/", views.ob2_issuer, name="ob2-issuer"),
    path("ob2/programs/<slug:program_id>/degree/", views.ob2_badge_class, name="ob2-badge-degree"),
    path("ob2/programs/<slug:program_id>/degree/image/", views.badge_image, name="ob2-badge-degree-image"),
    # A course key may hold "/" (the old "org/course/run" form): the image's route comes first, as <path:> is greedy.
    path("ob2/programs/<slug:program_id>/<slug:kind>/<path:course_key>/image/", views.badge_image,
         name="ob2-badge-image"),
    path("ob2/programs/<slug:program_id>/<slug:kind>/<path:course_key>/", views.ob2_badge_class,
         name="ob2-badge"),
    path("did.json", views.platform_did_document, name="platform-did"),
    path("issuers/<slug:issuer_id>/did.json", views.did_document, name="issuer-did"),
    path("status/<slug:issuer_id>/revocations/", views.revocation_list, name="revocation-list"),
    path("status/<slug:issuer_id>/<int:number>/", views.status_list, name="status-list"),
    path("contexts/microdegree-v1.jsonld", views.extension_context, name="extension-context"),
]
