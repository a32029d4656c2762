"""
The one public Python interface of the micro-degree plugin.

Receivers, REST views, the XBlock, the admin, the management commands and the Celery tasks call what this module
exports (``__all__``); only the api package (and the pure rules and catalog checks it uses) touches the models.
Each concern has a module of its own; import from here, never from them:

=================  ===================================================================================
``catalog``        the program catalog: public reads, loading a validated file, dumping the stored one
``progress``       a learner's progress and awards (read only)
``recording``      grades, completion and passing status observed; the course awards now due
``effects``        after commit: signing, ``BADGE_AWARDED``, the degrees now due (eager or Celery)
``lifecycle``      revocation, re-issue, the learner's privacy choice, reconciliation, user retirement
``conditions``     recognitions' further conditions (an on-site exam) recorded by their bodies' staff, audited
``portability``    the learner's own data, whole, as JSON (data portability)
``record``         the learner's whole record as one CLR 2.0, signed by the platform (its own did:web)
``reporting``      the admin dashboard's figures (aggregates in the database) and the CSV exports (ADR 37)
``backfill``       the awards due from the platform's past grades and completions, or an export file
``sources``        where a backfill reads: the platform's tables (through compat), export files (internal)
``signing``        the platform's keys, the proofs of every credential, the issuers' status lists
``documents``      the public credential documents and pages (no signing)
``verification``   any credential handed in (OB 3.0, CLR 2.0, a baked OB 2.0 badge), checked
``tracking``       tracking-log events of awards and credentials, for the platform's analytics (via compat)
``certificate``    the PDF certificate
``europass``       the European Digital Credential (ELM 3) export of an award, for its awarding body's e-seal
``facts``          what credentials say, gathered from the database (internal)
``_internal``      shared private helpers (internal)
=================  ===================================================================================

Names: ``*_id`` is always a public id (a program's or an issuer's slug, an award's UUID); ``*_pk`` a database
primary key, used only between the api and its Celery tasks. Errors are the named classes of
:mod:`microdegree_xblock.exceptions`, re-exported here.
"""
from __future__ import annotations

from ..conf import default_thresholds
from ..exceptions import (
    AwardReissued,
    AwardsAreKept,
    CredentialNotReady,
    MicrodegreeError,
    NotFound,
    PrivateCredential,
    SigningKeyConfigured,
    UnknownAward,
    UnknownBadge,
    UnknownCredential,
    UnknownIssuer,
    UnknownStatusList,
)
from ._internal import BADGE_ORIGIN, template_uuid
from .backfill import BACKFILL_BATCH_SIZE, SET_BATCH_SIZE, BackfillReport, backfill, describe_backfill, queue_backfill
from .catalog import (
    CatalogLoadReport,
    catalog_changed,
    catalog_problems,
    connect_catalog_signals,
    dump_catalog,
    get_program,
    get_programs,
    is_program_course,
    known_issuer_ids,
    known_programs,
    load_catalog,
    program_edit_problems,
    program_warnings,
)
from .certificate import get_certificate_pdf
from .conditions import (
    CONDITION_COLUMNS,
    CONDITION_SOURCES,
    MAX_CONDITION_ROWS,
    MAX_LISTED_CONDITIONS,
    RECORD_ANY_PERMISSION,
    ConditionInfo,
    ConditionRecorded,
    ConditionsReport,
    InvalidCondition,
    NotAllowedToRecord,
    UnknownRecognition,
    list_conditions,
    may_record,
    record_condition,
    record_conditions,
    recordable_recognitions,
)
from .documents import (
    CredentialPage,
    get_badge_image,
    get_baked_badge,
    get_baked_badge_png,
    get_controller_document,
    get_credential_page,
    get_extension_context,
    get_ob2_assertion,
    get_ob2_badge_class,
    get_ob2_issuer,
    get_revocation_list,
    get_signed_credential,
    get_status_list_credential,
    linkedin_url,
    qr_code_svg,
)
from .effects import process_awards
from .europass import get_edc_credential
from .lifecycle import reconcile, reissue_award, retire_user, revoke_award, set_award_private
from .portability import export_learner_data
from .progress import get_award, get_learner_awards, get_learner_progress
from .record import get_learner_record, get_platform_controller_document
from .recording import record_completion, record_grade, record_passing_status, refresh_completion
from .reporting import (
    AWARD_CSV_COLUMNS,
    COURSE_KINDS,
    FUNNEL_CSV_COLUMNS,
    FUNNEL_STEPS,
    REPORTED_KINDS,
    CourseReport,
    FunnelStep,
    KindCounts,
    ProgramReport,
    Report,
    ReportFilters,
    award_csv_rows,
    funnel_csv_rows,
    get_report,
    program_choices,
    read_report_filters,
)
from .signing import (
    SigningKeyInfo,
    ensure_signing_key,
    generate_signing_key_pem,
    get_signing_keys,
    issue_credentials,
    rotate_signing_key,
)
from .tracking import track_credential_use, track_verification
from .verification import MAX_CREDENTIAL_BYTES, Verification, too_large, verify_credential

__all__ = [
    "BACKFILL_BATCH_SIZE",
    "SET_BATCH_SIZE",
    "AwardReissued",
    "AwardsAreKept",
    "BackfillReport",
    "BADGE_ORIGIN",
    "CatalogLoadReport",
    "CredentialNotReady",
    "MAX_CREDENTIAL_BYTES",
    "CredentialPage",
    "MicrodegreeError",
    "NotFound",
    "PrivateCredential",
    "SigningKeyConfigured",
    "SigningKeyInfo",
    "UnknownAward",
    "UnknownBadge",
    "UnknownCredential",
    "UnknownIssuer",
    "UnknownStatusList",
    "Verification",
    "backfill",
    "catalog_changed",
    "catalog_problems",
    "connect_catalog_signals",
    "default_thresholds",
    "describe_backfill",
    "dump_catalog",
    "export_learner_data",
    "ensure_signing_key",
    "generate_signing_key_pem",
    "get_award",
    "get_badge_image",
    "get_baked_badge",
    "get_baked_badge_png",
    "get_certificate_pdf",
    "get_controller_document",
    "get_credential_page",
    "get_edc_credential",
    "get_extension_context",
    "get_learner_awards",
    "get_learner_progress",
    "get_learner_record",
    "get_ob2_assertion",
    "get_ob2_badge_class",
    "get_ob2_issuer",
    "get_platform_controller_document",
    "get_program",
    "get_programs",
    "get_revocation_list",
    "get_signed_credential",
    "get_signing_keys",
    "get_status_list_credential",
    "issue_credentials",
    "is_program_course",
    "known_issuer_ids",
    "known_programs",
    "program_edit_problems",
    "program_warnings",
    "linkedin_url",
    "load_catalog",
    "process_awards",
    "qr_code_svg",
    "queue_backfill",
    "reconcile",
    "record_completion",
    "record_grade",
    "record_passing_status",
    "refresh_completion",
    "retire_user",
    "reissue_award",
    "revoke_award",
    "rotate_signing_key",
    "set_award_private",
    "template_uuid",
    "too_large",
    "track_credential_use",
    "track_verification",
    "verify_credential",
    "AWARD_CSV_COLUMNS",
    "COURSE_KINDS",
    "FUNNEL_CSV_COLUMNS",
    "FUNNEL_STEPS",
    "REPORTED_KINDS",
    "CourseReport",
    "FunnelStep",
    "KindCounts",
    "ProgramReport",
    "Report",
    "ReportFilters",
    "award_csv_rows",
    "funnel_csv_rows",
    "get_report",
    "program_choices",
    "read_report_filters",
    "CONDITION_COLUMNS",
    "CONDITION_SOURCES",
    "MAX_CONDITION_ROWS",
    "MAX_LISTED_CONDITIONS",
    "RECORD_ANY_PERMISSION",
    "ConditionInfo",
    "ConditionRecorded",
    "ConditionsReport",
    "InvalidCondition",
    "NotAllowedToRecord",
    "UnknownRecognition",
    "list_conditions",
    "may_record",
    "record_condition",
    "record_conditions",
    "recordable_recognitions",
]
