"""
Settings common to every environment. Each is only set when the host has not set it already.
"""
from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    # .. setting_name: MICRODEGREE_ACHIEVEMENT_THRESHOLD
    # .. setting_default: "0.60"
    # .. setting_description: Share of a course's graded points (0 to 1) that earns its achievement record,
    #   unless the program course sets its own threshold.
    "MICRODEGREE_ACHIEVEMENT_THRESHOLD": "0.60",
    # .. setting_name: MICRODEGREE_PARTICIPATION_THRESHOLD
    # .. setting_default: "0.50"
    # .. setting_description: Share of a course's content accessed (0 to 1) that earns its participation
    #   confirmation, unless the program course sets its own threshold.
    "MICRODEGREE_PARTICIPATION_THRESHOLD": "0.50",
    # .. setting_name: MICRODEGREE_ASYNC_TASKS
    # .. setting_default: False
    # .. setting_description: Run the after-award work (degree check, BADGE_AWARDED) in Celery instead of
    #   eagerly after commit.
    "MICRODEGREE_ASYNC_TASKS": False,
    # .. setting_name: MICRODEGREE_COMPLETABLE_BLOCKS
    # .. setting_default: {}
    # .. setting_description: Course key -> number of completable blocks. Overrides the count read from the
    #   LMS's block structure; the only source outside the LMS.
    "MICRODEGREE_COMPLETABLE_BLOCKS": {},
    # .. setting_name: MICRODEGREE_SIGNING_KEY
    # .. setting_default: ""
    # .. setting_description: Ed25519 private key (PKCS#8 PEM) that signs the credentials. Empty: a key is
    #   generated on first use and kept in the database (docs/decisions/0020). Also read from the environment.
    "MICRODEGREE_SIGNING_KEY": "",
    # .. setting_name: MICRODEGREE_PARTICIPATION_FORM
    # .. setting_default: "online"
    # .. setting_description: Form of participation named in credentials when the program sets none.
    "MICRODEGREE_PARTICIPATION_FORM": "online",
    # .. setting_name: MICRODEGREE_ASSESSMENT_TYPE
    # .. setting_default: "Graded online assessments"
    # .. setting_description: Type of assessment named in achievement credentials when the program sets none.
    "MICRODEGREE_ASSESSMENT_TYPE": "Graded online assessments",
    # .. setting_name: MICRODEGREE_QUALITY_ASSURANCE
    # .. setting_default: ""
    # .. setting_description: Type of quality assurance named in credentials when the program sets none.
    "MICRODEGREE_QUALITY_ASSURANCE": "",
    # .. setting_name: MICRODEGREE_LINKEDIN_ORGANIZATION_ID
    # .. setting_default: ""
    # .. setting_description: LinkedIn company id for "Add to profile" links (else the issuer's name is sent).
    "MICRODEGREE_LINKEDIN_ORGANIZATION_ID": "",
}


def plugin_settings(settings: Any) -> None:
    """Apply the defaults the host has not set."""
    for name, value in DEFAULTS.items():
        if not hasattr(settings, name):
            setattr(settings, name, value)
