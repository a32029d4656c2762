"""
Stand-in for ``lms/djangoapps/grades/models.py``: ``PersistentCourseGrade``, shaped like the LMS's.

The same table (``grades_persistentcoursegrade``), fields, types, unique key and indexes as the platform's model, so
that the plugin's backfill (``microdegree_xblock.compat``) reads it in the tests and the demo as it reads the LMS's.
Only what the backfill reads is here; the LMS's grade computation is not (see lms_host/platform_stubs/README).
"""
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField


class PersistentCourseGrade(models.Model):
    """
    A learner's course grade as the LMS persists it (one row per learner and course, updated on recompute).

    .. pii: A learner's id and their grade in a course (the LMS's own table; edx-platform annotates the real one).
    .. pii_types: id, other
    .. pii_retirement: third_party
    """

    id = models.BigAutoField(primary_key=True)
    user_id = models.IntegerField(blank=False, db_index=True)
    course_id = CourseKeyField(blank=False, max_length=255)
    course_edited_timestamp = models.DateTimeField("Last content edit timestamp", blank=True, null=True)
    course_version = models.CharField("Course content version identifier", blank=True, max_length=255)
    grading_policy_hash = models.CharField("Hash of grading policy", blank=False, max_length=255)
    percent_grade = models.FloatField(blank=False)
    letter_grade = models.CharField("Letter grade for course", blank=False, max_length=255)
    passed_timestamp = models.DateTimeField("Date learner earned a passing grade", blank=True, null=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    modified = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        app_label = "grades"
        unique_together = [("course_id", "user_id")]
        indexes = [
            models.Index(fields=["passed_timestamp", "course_id"], name="passed_timestamp_course_id_idx"),
            models.Index(fields=["modified", "course_id"], name="modified_course_id_idx"),
        ]
