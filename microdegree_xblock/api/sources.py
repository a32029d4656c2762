"""
Where a backfill reads what learners achieved: the platform's own tables, or an export file.

Both give batches of :class:`Measured` rows (one learner's standing in one course) with a cursor to resume after;
neither holds more than one batch in memory. The platform is read through :mod:`microdegree_xblock.compat` only.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware
from opaque_keys.edx.keys import CourseKey

from .. import compat

__all__ = ["ExportFile", "LearnerWindows", "Measured", "completable_counts", "platform_batches", "platform_rows"]

# Longest line an export file may have (a row is a user, a course key and a few numbers).
MAX_LINE_CHARACTERS = 4096
FILE_COLUMNS = ("user_id", "username", "course_key", "percent", "completion", "measured_at")


@dataclass(frozen=True)
class Measured:
    """
    One learner's standing in one course, as a source reports it (nothing checked yet).

    ``percent`` and ``completion`` are shares 0..1 (or None when the source has none); ``measured_at`` is when the
    source measured them (the LMS's last grade computation, the latest block completion), ``passed_at`` when the
    LMS first saw the course passed. ``place`` says where the row came from, for error messages.
    """

    user_id: int
    course_key: str
    percent: object = None
    completion: object = None
    measured_at: datetime | None = None
    completion_at: datetime | None = None
    passed_at: datetime | None = None
    place: str = ""


def platform_batches(course_keys: Sequence[CourseKey], *, user_ids: Sequence[int] | None, after: int | None,
                     batch_size: int, id_range: tuple[int, int, int] | None = None
                     ) -> Iterator[tuple[list[Measured], int | None]]:
    """
    The platform's persisted grades and completions of the courses, by windows of learner ids, with the cursor.

    The windows (:class:`LearnerWindows`) hold about ``batch_size`` rows each. ``id_range`` is
    ``compat.learner_id_range`` of the courses when the caller has read it already.
    """
    blocks = completable_counts(course_keys)
    windows = LearnerWindows(course_keys, user_ids=user_ids, after=after, batch_size=batch_size, id_range=id_range)
    for window, cursor in windows:
        rows = platform_rows(course_keys, blocks, window)
        windows.held(len(rows))
        yield rows, cursor


def completable_counts(course_keys: Sequence[CourseKey]) -> dict[str, int | None]:
    """Each course's completable blocks for any learner (ADR 4), by the course key's text."""
    return {str(key): compat.get_completable_block_count(key) for key in course_keys}


class LearnerWindows:
    """
    Windows of learners to read the platform's tables by, each with the cursor to resume after it.

    A window is ``{"low": a, "high": b}`` for the ids in ``(a, b]``, or ``{"user_ids": [...]}`` for learners named
    by id (in chunks, with no cursor). The caller tells each window's rows (:meth:`held`); the windows grow and
    shrink to hold about ``batch_size`` rows each, so that sparse ids cost few queries and dense ones never load
    more than a batch.
    """

    def __init__(self, course_keys: Sequence[CourseKey], *, user_ids: Sequence[int] | None, after: int | None,
                 batch_size: int, id_range: tuple[int, int, int] | None = None) -> None:
        self.course_keys, self.user_ids, self.after, self.batch_size = course_keys, user_ids, after, batch_size
        self.id_range = id_range
        self._held: int | None = None

    def held(self, rows: int) -> None:
        """How many rows the window just given held."""
        self._held = rows

    def __iter__(self) -> Iterator[tuple[dict[str, Any], int | None]]:
        width = max(1, self.batch_size // max(1, len(self.course_keys)))
        if self.user_ids is not None:
            for start in range(0, len(self.user_ids), width):
                yield {"user_ids": list(self.user_ids[start:start + width])}, None
            return
        low, high, _rows = self.id_range or compat.learner_id_range(self.course_keys)
        cursor = max(self.after if self.after is not None else low - 1, low - 1)
        while cursor < high:
            upper = min(cursor + width, high)
            self._held = None
            yield {"low": cursor, "high": upper}, upper
            cursor = upper
            # The next window aims at batch_size rows by this one's density, at most doubling or halving.
            held = self.batch_size if self._held is None else self._held
            width = max(1, width // 2, min(width * 2, width * self.batch_size // max(1, held)))


def platform_rows(course_keys: Sequence[CourseKey], blocks: Mapping[str, int | None], window: dict[str, Any], *,
                  grades_where: Any = None, completions_where: Any = None) -> list[Measured]:
    """
    One window's grades and completions as measured rows, one per learner and course.

    ``grades_where`` and ``completions_where`` narrow the platform's rows (conditions on ``compat.GRADE`` and
    ``compat.COMPLETION`` columns), as the set-based write does for the rows it leaves.
    """
    found: dict[tuple[int, str], Measured] = {}
    for user_id, key, percent, passed_at, modified in compat.persistent_grades(course_keys, where=grades_where,
                                                                               **window):
        found[(user_id, str(key))] = Measured(user_id=user_id, course_key=str(key), percent=percent,
                                              measured_at=modified, passed_at=passed_at)
    for user_id, key, done, latest in compat.completion_sums(course_keys, where=completions_where,
                                                             **window):
        total = blocks.get(str(key))
        if not total:
            continue
        share = min(Decimal(repr(float(done))) / Decimal(total), Decimal(1))
        known = found.get((user_id, str(key)))
        found[(user_id, str(key))] = (
            replace(known, completion=share, completion_at=latest) if known is not None
            else Measured(user_id=user_id, course_key=str(key), completion=share, completion_at=latest))
    return list(found.values())


class ExportFile:
    """
    An export of learners' grades: CSV with a header, or JSON Lines (one object per line).

    Columns (CSV) or keys (JSON): ``user_id`` or ``username``, ``course_key``, ``percent`` (a share 0..1 of the
    graded points), ``completion`` (a share 0..1 of the content), ``measured_at`` (ISO 8601, optional). A row may
    leave ``percent`` or ``completion`` empty. Rows are read in batches; a malformed row is reported with its line
    number and skipped, never guessed.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        digest, lines = hashlib.sha256(), 0
        try:
            with self.path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
                    lines += chunk.count(b"\n")
                handle.seek(0)
                first = handle.read(4096).lstrip()
        except OSError as exc:
            raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from exc
        self.sha256 = digest.hexdigest()
        self.lines = lines
        self.jsonl = first.startswith(b"{")

    def batches(self, *, after: int | None, batch_size: int,
                errors: list[str]) -> Iterator[tuple[list[Measured], int]]:
        """Batches of rows with the number of the last line read (the cursor); errors are appended, by line."""
        with self.path.open(encoding="utf-8", newline="") as handle:
            rows = self._json_rows(handle) if self.jsonl else self._csv_rows(handle)
            batch: list[tuple[int, dict[str, Any]]] = []
            line = 0
            for line, row in rows:
                if after is not None and line <= after:
                    continue
                batch.append((line, row))
                if len(batch) >= batch_size:
                    yield self._measured(batch, errors), line
                    batch = []
            if batch:
                yield self._measured(batch, errors), line

    def _csv_rows(self, handle: io.TextIOBase) -> Iterator[tuple[int, dict[str, Any]]]:
        reader = csv.DictReader(_bounded_lines(handle, self.path))
        unknown = set(reader.fieldnames or ()) - set(FILE_COLUMNS)
        if unknown or not reader.fieldnames:
            raise ValueError(f"{self.path}: line 1: the header must name columns among {', '.join(FILE_COLUMNS)}"
                             + (f" (unknown: {', '.join(sorted(unknown))})" if unknown else ""))
        for row in reader:
            yield reader.line_num, {name: value for name, value in row.items() if value not in ("", None)}

    def _json_rows(self, handle: io.TextIOBase) -> Iterator[tuple[int, dict[str, Any]]]:
        for number, text in enumerate(_bounded_lines(handle, self.path), start=1):
            if not text.strip():
                continue
            try:
                row = json.loads(text)
            except ValueError as exc:
                row = {"_error": f"not valid JSON: {exc}"}
            if not isinstance(row, dict):
                row = {"_error": "not a JSON object"}
            yield number, row

    def _measured(self, batch: list[tuple[int, dict[str, Any]]], errors: list[str]) -> list[Measured]:
        names = {str(row["username"]) for _line, row in batch if "username" in row and "user_id" not in row}
        user_ids = dict(get_user_model().objects.filter(username__in=names).values_list("username", "pk"))
        measured = []
        for line, row in batch:
            try:
                measured.append(_row(row, user_ids, place=f"line {line}"))
            except ValueError as exc:
                errors.append(f"{self.path.name}: line {line}: {exc}")
        return measured


def _bounded_lines(handle: io.TextIOBase, path: Path) -> Iterator[str]:
    for number, text in enumerate(handle, start=1):
        if len(text) > MAX_LINE_CHARACTERS:
            raise ValueError(f"{path}: line {number}: longer than {MAX_LINE_CHARACTERS} characters")
        yield text


def _row(row: dict[str, Any], user_ids: dict[str, int], *, place: str) -> Measured:
    if "_error" in row:
        raise ValueError(row["_error"])
    unknown = set(row) - set(FILE_COLUMNS)
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    user_id = _user_id(row, user_ids)
    if not isinstance(row.get("course_key"), str):
        raise ValueError("a row needs a course_key")
    if "percent" not in row and "completion" not in row:
        raise ValueError("a row needs a percent or a completion")
    measured_at = None
    if "measured_at" in row:
        measured_at = parse_datetime(str(row["measured_at"])) if isinstance(row["measured_at"], str) else None
        if measured_at is None:
            raise ValueError(f"measured_at must be an ISO 8601 date and time, got {row['measured_at']!r}")
        if is_naive(measured_at):
            measured_at = make_aware(measured_at)
    return Measured(user_id=user_id, course_key=row["course_key"], percent=_number(row, "percent"),
                    completion=_number(row, "completion"), measured_at=measured_at, completion_at=measured_at,
                    place=place)


def _user_id(row: dict[str, Any], user_ids: dict[str, int]) -> int:
    if "user_id" in row:
        user_id = row["user_id"]
        if isinstance(user_id, str) and user_id.strip().isdigit():
            user_id = int(user_id)
        if isinstance(user_id, bool) or not isinstance(user_id, int):
            raise ValueError(f"user_id must be a whole number, got {row['user_id']!r}")
        return user_id
    if "username" in row:
        if str(row["username"]) not in user_ids:
            raise ValueError(f"no user with the username {row['username']!r}")
        return user_ids[str(row["username"])]
    raise ValueError("a row needs a user_id or a username")


def _number(row: dict[str, Any], name: str) -> object:
    value = row.get(name)
    # CSV gives text; JSON numbers are kept as they came (a float, an int), and text as text, for the rules to check.
    return value.strip() if isinstance(value, str) else value
