"""
Every setting the plugin reads, in one place: its name, its default, its meaning, and its check.

The rest of the package calls the functions here and never reads ``django.conf.settings`` itself. Values are read
at each call (so a changed setting applies at once, and tests can override them). Parsing is cheap.
:func:`check_settings` is a Django system check (registered in ``apps.py``): a bad value is reported when the LMS
starts (``manage.py check``, ``migrate``, ``runserver``) with the setting's name and what is wrong, instead of
failing every grade event and every progress read. A bad value that reaches a read anyway raises
``ImproperlyConfigured`` with the same message.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from . import limits, rules
from .credentials import keys

__all__ = [
    "DEFAULTS",
    "achievement_threshold",
    "assessment_type",
    "async_tasks",
    "check_settings",
    "completable_blocks",
    "default_thresholds",
    "event_bus",
    "linkedin_organization_id",
    "lms_root_url",
    "login_url",
    "participation_form",
    "participation_threshold",
    "quality_assurance",
    "retired_username_prefix",
    "signing_key_pem",
]

DEFAULTS: dict[str, Any] = {
    # .. setting_name: MICRODEGREE_ACHIEVEMENT_THRESHOLD
    # .. setting_default: "0.60"
    # .. setting_description: Share of a course's graded points (more than 0, at most 1) that earns its
    #   achievement record, unless the program course sets its own threshold.
    "MICRODEGREE_ACHIEVEMENT_THRESHOLD": "0.60",
    # .. setting_name: MICRODEGREE_PARTICIPATION_THRESHOLD
    # .. setting_default: "0.50"
    # .. setting_description: Share of a course's content accessed (more than 0, at most 1) that earns its
    #   participation confirmation, unless the program course sets its own threshold.
    "MICRODEGREE_PARTICIPATION_THRESHOLD": "0.50",
    # .. setting_name: MICRODEGREE_ASYNC_TASKS
    # .. setting_default: False
    # .. setting_description: Run the after-award work (signing, degree check, BADGE_AWARDED) in Celery instead
    #   of eagerly after commit.
    "MICRODEGREE_ASYNC_TASKS": False,
    # .. setting_name: MICRODEGREE_BACKFILL_SET_BASED
    # .. setting_default: True
    # .. setting_description: Let the database write a backfill's new learner course states and their awards
    #   itself, straight from the platform's tables (docs/decisions/0041); False: every row through Python.
    "MICRODEGREE_BACKFILL_SET_BASED": True,
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
    # .. setting_name: MICRODEGREE_EVENT_BUS
    # .. setting_default: False
    # .. setting_description: True: the plugin's settings add BADGE_AWARDED and BADGE_REVOKED to the LMS's
    #   EVENT_BUS_PRODUCER_CONFIG (topic "learning-badges-lifecycle", key "badge.uuid", enabled), keeping any entry
    #   the operator configured for them; the LMS's event bus producer then sends them (docs/decisions/0029).
    #   Read when the settings load: set it in the YAML configuration (Tutor: the lms-env patch).
    "MICRODEGREE_EVENT_BUS": False,
}

# The entries MICRODEGREE_EVENT_BUS adds to EVENT_BUS_PRODUCER_CONFIG: openedx-events' badge lifecycle events, on the
# topic the platform and the credentials service name for them, keyed by the badge (the award's public id).
BADGE_EVENT_TYPES = ("org.openedx.learning.badge.awarded.v1", "org.openedx.learning.badge.revoked.v1")
EVENT_BUS_TOPIC = "learning-badges-lifecycle"
EVENT_BUS_KEY_FIELD = "badge.uuid"

# Read, never set: the LMS's own settings.
ROOT_URL_FALLBACK = "http://localhost"
RETIRED_USERNAME_PREFIX_FALLBACK = "retired__user_"
LOGIN_URL_FALLBACK = "/login"


def _raw(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


# ---------------------------------------------------------------------------------------------------------------
# Parsers: each turns a raw value into the value used, or raises ValueError with what is wrong.


def _threshold(name: str, raw: Any) -> Decimal:
    try:
        share = rules.to_share(raw, name=name)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number greater than 0 and at most 1 (e.g. \"0.6\"), got {raw!r}") from exc
    if share <= 0:
        raise ValueError(f"{name} must be a number greater than 0 and at most 1 (e.g. \"0.6\"), got {raw!r}")
    stored = share.quantize(limits.SMALLEST_THRESHOLD)
    if stored != share:
        # An award's evidence stores the threshold it met with four decimals: refused, never rounded.
        raise ValueError(f"{name} has more than {limits.SHARE_PLACES} decimal places; it would be stored as {stored}, "
                         f"got {raw!r}")
    return share


def _bool(name: str, raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise ValueError(f"{name} must be True or False, got {raw!r}")
    return raw


def _text(name: str, raw: Any) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValueError(f"{name} must be a text, got {raw!r}")
    return raw


def _blocks(name: str, raw: Any) -> dict[str, int]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValueError(f"{name} must map course keys to numbers of blocks, got {type(raw).__name__}")
    counts = {}
    for key, count in raw.items():
        try:
            CourseKey.from_string(str(key))
        except InvalidKeyError as exc:
            raise ValueError(f"{name}: {key!r} is not a valid course key") from exc
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"{name}[{key!r}] must be a whole number >= 0, got {count!r}")
        counts[str(key)] = count
    return counts


def _root_url(name: str, raw: Any) -> str:
    text = _text(name, raw).strip().rstrip("/")
    if text and not text.startswith(("http://", "https://")):
        raise ValueError(f"{name} must be an http(s) URL, got {raw!r}")
    return text or ROOT_URL_FALLBACK


def _read(name: str, parse: Callable[[str, Any], Any], raw: Any = None) -> Any:
    value = _raw(name) if raw is None else raw
    try:
        return parse(name, value)
    except ValueError as exc:
        raise ImproperlyConfigured(str(exc)) from exc


# ---------------------------------------------------------------------------------------------------------------
# The readers


@lru_cache(maxsize=32, typed=True)
def _parsed_threshold(name: str, raw: Any) -> Decimal:
    return Decimal(_read(name, _threshold, raw))


def _threshold_setting(name: str) -> Decimal:
    """
    A threshold setting, read at each call; its parse remembered per raw value (every grade event reads two).

    ``typed``: ``True``, ``1`` and ``1.0`` are told apart (a boolean is refused). A bad value is never remembered
    (the parse raises); an unhashable one is parsed each time.
    """
    raw = _raw(name)
    try:
        return _parsed_threshold(name, raw)
    except TypeError:  # unhashable: a list, a dict
        return Decimal(_read(name, _threshold, raw))


def achievement_threshold() -> Decimal:
    """``MICRODEGREE_ACHIEVEMENT_THRESHOLD``: the platform's achievement threshold, a share in (0, 1]."""
    return _threshold_setting("MICRODEGREE_ACHIEVEMENT_THRESHOLD")


def participation_threshold() -> Decimal:
    """``MICRODEGREE_PARTICIPATION_THRESHOLD``: the platform's participation threshold, a share in (0, 1]."""
    return _threshold_setting("MICRODEGREE_PARTICIPATION_THRESHOLD")


def default_thresholds() -> tuple[Decimal, Decimal]:
    """The platform's default (achievement, participation) thresholds."""
    return achievement_threshold(), participation_threshold()


def async_tasks() -> bool:
    """``MICRODEGREE_ASYNC_TASKS``: run the after-award work in Celery."""
    return bool(_read("MICRODEGREE_ASYNC_TASKS", _bool))


def backfill_set_based() -> bool:
    """``MICRODEGREE_BACKFILL_SET_BASED``: the database writes a backfill's new states and awards itself."""
    return bool(_read("MICRODEGREE_BACKFILL_SET_BASED", _bool))


def completable_blocks() -> dict[str, int]:
    """``MICRODEGREE_COMPLETABLE_BLOCKS``: course key -> number of completable blocks (overrides the LMS's count)."""
    return dict(_read("MICRODEGREE_COMPLETABLE_BLOCKS", _blocks))


def signing_key_pem() -> str:
    """``MICRODEGREE_SIGNING_KEY`` from settings, else from the environment; empty when neither sets it."""
    configured = _read("MICRODEGREE_SIGNING_KEY", _text)
    return configured or os.environ.get("MICRODEGREE_SIGNING_KEY", "")


def participation_form() -> str:
    """``MICRODEGREE_PARTICIPATION_FORM``: the form of participation of programs that set none."""
    return str(_read("MICRODEGREE_PARTICIPATION_FORM", _text))


def assessment_type() -> str:
    """``MICRODEGREE_ASSESSMENT_TYPE``: the type of assessment of programs that set none."""
    return str(_read("MICRODEGREE_ASSESSMENT_TYPE", _text))


def quality_assurance() -> str:
    """``MICRODEGREE_QUALITY_ASSURANCE``: the type of quality assurance of programs that set none."""
    return str(_read("MICRODEGREE_QUALITY_ASSURANCE", _text))


def linkedin_organization_id() -> str:
    """``MICRODEGREE_LINKEDIN_ORGANIZATION_ID``: the platform's LinkedIn company id (may be empty)."""
    return str(_read("MICRODEGREE_LINKEDIN_ORGANIZATION_ID", _text))


def event_bus() -> bool:
    """``MICRODEGREE_EVENT_BUS``: the plugin's settings add the badge events to the LMS's event bus producer."""
    return bool(_read("MICRODEGREE_EVENT_BUS", _bool))


def lms_root_url() -> str:
    """
    The LMS's ``LMS_ROOT_URL`` without a trailing slash: the root of every absolute link the plugin makes.

    Unset (never so in an LMS): ``http://localhost``, and the system check warns.
    """
    return str(_read("LMS_ROOT_URL", _root_url, getattr(settings, "LMS_ROOT_URL", "") or ""))


def platform_name() -> str:
    """The LMS's ``PLATFORM_NAME``: the issuer of a learner's whole record (``Open edX`` when unset)."""
    return str(getattr(settings, "PLATFORM_NAME", "") or "Open edX")


def retired_username_prefix() -> str:
    """The LMS's ``RETIRED_USERNAME_PREFIX``: a retired learner's user row is kept under a username with it."""
    return str(getattr(settings, "RETIRED_USERNAME_PREFIX", "") or RETIRED_USERNAME_PREFIX_FALLBACK)


def login_url() -> str:
    """The LMS's sign-in page: ``LOGIN_URL``, made absolute with :func:`lms_root_url` when it is a path."""
    login = str(getattr(settings, "LOGIN_URL", "") or LOGIN_URL_FALLBACK)
    if login.startswith(("http://", "https://")):
        return login
    return f"{lms_root_url()}{login}"


# ---------------------------------------------------------------------------------------------------------------
# The system check

_CHECKED: tuple[tuple[str, Callable[[str, Any], Any]], ...] = (
    ("MICRODEGREE_ACHIEVEMENT_THRESHOLD", _threshold),
    ("MICRODEGREE_PARTICIPATION_THRESHOLD", _threshold),
    ("MICRODEGREE_ASYNC_TASKS", _bool),
    ("MICRODEGREE_BACKFILL_SET_BASED", _bool),
    ("MICRODEGREE_COMPLETABLE_BLOCKS", _blocks),
    ("MICRODEGREE_SIGNING_KEY", _text),
    ("MICRODEGREE_PARTICIPATION_FORM", _text),
    ("MICRODEGREE_ASSESSMENT_TYPE", _text),
    ("MICRODEGREE_QUALITY_ASSURANCE", _text),
    ("MICRODEGREE_LINKEDIN_ORGANIZATION_ID", _text),
    ("MICRODEGREE_EVENT_BUS", _bool),
)


def _event_bus_gaps() -> list[str]:
    """With ``MICRODEGREE_EVENT_BUS`` on: why the badge events would reach no event bus (empty when they would)."""
    if _raw("MICRODEGREE_EVENT_BUS") is not True:
        return []
    gaps = []
    config = getattr(settings, "EVENT_BUS_PRODUCER_CONFIG", None) or {}
    if isinstance(config, Mapping):  # anything else openedx-events refuses at start-up itself
        missing = [event_type for event_type in BADGE_EVENT_TYPES
                   if not isinstance(config.get(event_type), Mapping) or EVENT_BUS_TOPIC not in config[event_type]]
        if missing:
            gaps.append(f"MICRODEGREE_EVENT_BUS is on, but EVENT_BUS_PRODUCER_CONFIG has no {EVENT_BUS_TOPIC!r} "
                        f"entry for {', '.join(missing)}: the setting was set after the plugins' settings ran")
    if not getattr(settings, "EVENT_BUS_PRODUCER", None):
        gaps.append("MICRODEGREE_EVENT_BUS is on, but EVENT_BUS_PRODUCER is not set: the badge events go to no "
                    "event bus")
    return gaps


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:  # pylint: disable=unused-argument
    """
    The Django system check of every setting: ``microdegree.E001`` for a bad value, ``W001`` without a root URL.

    ``E002``: the configured signing key is not an Ed25519 private key in PEM. ``W003``: ``MICRODEGREE_EVENT_BUS``
    is on but the badge events would reach no event bus.
    """
    found: list[checks.CheckMessage] = []
    for name, parse in _CHECKED:
        try:
            parse(name, _raw(name))
        except ValueError as exc:
            found.append(checks.Error(str(exc), hint=f"Fix {name} in the LMS settings.", id="microdegree.E001"))
    configured = _raw("MICRODEGREE_SIGNING_KEY")
    pem = (configured if isinstance(configured, str) else "") or os.environ.get("MICRODEGREE_SIGNING_KEY", "")
    if pem:
        try:
            keys.private_key_from_pem(pem)
        except ValueError as exc:
            found.append(checks.Error(
                f"MICRODEGREE_SIGNING_KEY is not an Ed25519 private key in PEM: {exc}",
                hint="Generate one with `manage.py lms microdegree_keys generate`.", id="microdegree.E002",
            ))
    found.extend(checks.Warning(
        gap, hint="Set MICRODEGREE_EVENT_BUS in the LMS's YAML configuration (Tutor: the lms-env patch), and "
                  "EVENT_BUS_PRODUCER to the event bus's producer (README: Event bus).",
        id="microdegree.W003",
    ) for gap in _event_bus_gaps())
    root = getattr(settings, "LMS_ROOT_URL", "") or ""
    try:
        _root_url("LMS_ROOT_URL", root)
    except ValueError as exc:
        found.append(checks.Error(str(exc), id="microdegree.E001"))
    else:
        if not root:
            found.append(checks.Warning(
                f"LMS_ROOT_URL is not set: credentials and links will name {ROOT_URL_FALLBACK}.",
                id="microdegree.W001",
            ))
    return found
