"""
Database models of the micro-degree plugin, one module per concern, all importable from here.

Only the api package reads and writes these models (the admin registers them); everything else goes through the
api. Awards are never deleted by configuration changes: they reference their program and course key, not the
program-course row, so a course dropped from a program leaves the learner's records intact.

============  ==============================================================================
``programs``  the catalog: issuers, programs, their issuers (in order), their courses
``awards``    learners' best course states and their awards
``keys``      signing keys, status lists, the signed text of each credential
``conditions``  recognitions' further conditions recorded for learners, their audit trail, who may record
``runs``      backfill runs and where each would resume
============  ==============================================================================
"""
from .awards import Award, LearnerCourseState
from .conditions import ConditionRecorder, RecognitionCondition, RecognitionConditionEntry
from .keys import SignedCredential, SigningKey, StatusList
from .programs import (
    EQF_LEVELS,
    UNIT_INTERVAL,
    Issuer,
    Program,
    ProgramCourse,
    ProgramGroup,
    ProgramIssuer,
    ProgramStep,
    Recognition,
)
from .runs import BackfillRun

__all__ = [
    "EQF_LEVELS", "UNIT_INTERVAL", "Award", "BackfillRun", "ConditionRecorder", "Issuer", "LearnerCourseState",
    "Program", "ProgramCourse", "ProgramGroup", "ProgramIssuer", "ProgramStep", "Recognition",
    "RecognitionCondition", "RecognitionConditionEntry", "SignedCredential", "SigningKey", "StatusList",
]
