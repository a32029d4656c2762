"""
The backfill's batch writer: plain rows into a model's table with one ``executemany``.

``bulk_create`` makes a model instance per row and compiles every value of every row through the SQL compiler,
which costs many times the database's own insert at a backfill's scale (a million rows). Here rows are plain
objects (a learner course state not yet stored, a :class:`~microdegree_xblock.data.NewAward`) read by the model's
attribute names; each field prepares each distinct value once per batch, as ``bulk_create`` would prepare it.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Func, Model

__all__ = ["RandomSalt", "RandomUuid", "insert_rows", "new_state"]

# Fields whose ints and texts are stored as they are (their own preparation returns them unchanged).
PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.PositiveIntegerField,
                models.PositiveSmallIntegerField, models.BooleanField, models.ForeignKey)
_MISSING = object()


def new_state(user_id: int, course_key: object) -> SimpleNamespace:
    """
    A learner course state not yet stored, as plain attributes: nothing seen yet.

    ``recording.merge_observation`` raises it as it raises a stored one; :func:`insert_rows` stores it.
    """
    return SimpleNamespace(
        user_id=user_id, course_key=course_key, best_percent=None, best_percent_at=None, best_percent_event="",
        best_completion=None, best_completion_at=None, best_completion_event="", first_passed_at=None,
        modified=None)


def insert_rows(model: type[Model], rows: Sequence[object], *, returning: str | None = None,
                prepared: dict[object, dict[object, object]] | None = None) -> list[object]:
    """
    Insert ``rows`` into ``model``'s table with one ``executemany``; the values of ``returning`` (an attribute).

    A row gives a field's value by the field's attribute name (``user_id``, ``course_key``); a field a row does
    not name takes the field's default (a callable default, such as a UUID, called per row). The primary key is
    the database's. ``auto_now`` fields are not set here: the caller gives them. ``prepared`` keeps the prepared
    values across calls of one batch (an award's evidence time is its state's grade time).
    """
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    fields = [column for column in model._meta.concrete_fields if not column.primary_key]
    sample = rows[0]
    # A row starts as the fields' fixed defaults, prepared once; then each other field's value is set: the row's
    # own attribute, or a default made per row (a UUID, a salt).
    template: list[object] = []
    varying: list[tuple[int, Callable[[object], object], bool, Callable[[object], object]]] = []
    picked = None
    for index, column in enumerate(fields):
        prepare = _preparer(column, connection, {} if prepared is None else prepared)
        if getattr(sample, column.attname, _MISSING) is not _MISSING:
            varying.append((index, attrgetter(column.attname), False, prepare))
        elif column.has_default() and callable(column.default):
            varying.append((index, column.default, True, prepare))
        else:
            template.append(prepare(column.get_default()))
            continue
        template.append(None)
        if column.attname == returning:
            picked = len(varying) - 1
    prepared_rows = []
    returned = []
    for obj in rows:
        row = template.copy()
        for number, (index, get, made, prepare) in enumerate(varying):
            value = get() if made else get(obj)  # type: ignore[call-arg]
            if number == picked:
                returned.append(value)
            row[index] = prepare(value)
        prepared_rows.append(row)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {quote(model._meta.db_table)} "
                           f"({', '.join(quote(str(column.column)) for column in fields)}) "
                           f"VALUES ({', '.join(['%s'] * len(fields))})", prepared_rows)  # type: ignore[arg-type]
    return returned


def _preparer(column: Field, connection: BaseDatabaseWrapper,
              caches: dict[object, dict[object, object]]) -> Callable[[object], object]:
    """
    How ``column`` prepares a value for the database, as ``bulk_create`` would: ``get_db_prep_save``.

    Ints and texts of plain fields pass as they are; other values (times, grades, course keys) are prepared once
    per distinct value, as a batch shares many of them: fields of one shape (class, digits, places) share what
    they prepared.
    """
    plain = type(column) in PLAIN_FIELDS
    if type(column) is models.UUIDField:
        # A UUID is distinct per row: prepared as UUIDField.get_db_prep_value prepares a UUID, without the cache.
        if connection.features.has_native_uuid_field:
            return lambda value: value
        return lambda value: value.hex if isinstance(value, UUID) else column.get_db_prep_save(value, connection)
    shape = (type(column), getattr(column, "max_digits", None), getattr(column, "decimal_places", None))
    prepared = caches.setdefault(shape, {})

    def prepare(value: object) -> object:
        if value is None or (plain and type(value) in (int, str, bool)):
            return value
        try:
            return prepared[value]
        except KeyError:
            made = prepared[value] = column.get_db_prep_save(value, connection)
            return made
        except TypeError:  # not hashable
            return column.get_db_prep_save(value, connection)

    return prepare


class RandomUuid(Func):
    """
    A random (version 4) UUID made by the database, as Django stores a ``UUIDField`` there.

    For awards the database inserts itself (``INSERT ... SELECT``), where no Python ``uuid4()`` can be given per
    row: SQLite's ``randomblob`` (its ChaCha20 generator, seeded by the system), MySQL's and MariaDB's
    ``RANDOM_BYTES`` (the TLS library's generator), PostgreSQL's ``gen_random_uuid``. 32 hex digits where the column
    is text (SQLite, MySQL, MariaDB before 10.7 or under Django 4.2), the dashed form where it is a native UUID.
    """

    output_field = models.UUIDField()

    def as_sqlite(self, compiler: Any, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        """The expression on SQLite."""
        return ("lower(hex(randomblob(6)) || '4' || substr(hex(randomblob(2)), 2) || "
                "substr('89ab', 1 + (random() & 3), 1) || substr(hex(randomblob(2)), 2) || hex(randomblob(6)))",
                ())

    def as_mysql(self, compiler: Any, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        """The expression on MySQL and MariaDB."""
        parts = ("LOWER(HEX(RANDOM_BYTES(4)))", "LOWER(HEX(RANDOM_BYTES(2)))",
                 "CONCAT('4', SUBSTR(LOWER(HEX(RANDOM_BYTES(2))), 2))",
                 "CONCAT(SUBSTR('89ab', 1 + (ORD(RANDOM_BYTES(1)) & 3), 1), SUBSTR(LOWER(HEX(RANDOM_BYTES(2))), 2))",
                 "LOWER(HEX(RANDOM_BYTES(6)))")
        if connection.features.has_native_uuid_field:
            return f"CONCAT_WS('-', {', '.join(parts)})", ()
        return f"CONCAT({', '.join(parts)})", ()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        """The expression on PostgreSQL."""
        return "gen_random_uuid()", ()


class RandomSalt(Func):
    """A random salt of 32 hex digits made by the database, as ``data.new_salt`` makes one (see :class:`RandomUuid`)."""

    output_field = models.CharField()

    def as_sqlite(self, compiler: Any, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        """The expression on SQLite."""
        return "lower(hex(randomblob(16)))", ()

    def as_mysql(self, compiler: Any, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        """The expression on MySQL and MariaDB."""
        return "LOWER(HEX(RANDOM_BYTES(16)))", ()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        """The expression on PostgreSQL."""
        return "replace(gen_random_uuid()::text, '-', '')", ()
