"""
``microdegree_conditions load FILE.csv --recorded-by USERNAME [--dry-run]``: record recognitions' conditions.

A CSV file with a header: ``program``, ``recognition``, ``user`` (a username, or a user id), ``course_key`` (empty
for a whole program's recognition), ``passed`` (true/false, yes/no, 1/0), ``taken_on`` (YYYY-MM-DD) and ``result``
(optional). Every row is checked first; any refused row is named with its column ("row 3, column taken_on: ...")
and nothing is stored (exit status 1). Otherwise every row is recorded in one transaction, as the recorder would in
the admin (their permissions, the audit trail, the recognitions now due issued). Recording the same file again
changes nothing.
"""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from microdegree_xblock import api

# Larger files are refused unread: 10,000 rows of a few dozen characters each fit well within this.
MAX_FILE_CHARACTERS = 2 * 1024 * 1024
REQUIRED_COLUMNS = ("program", "recognition", "user", "passed", "taken_on")


class Command(BaseCommand):
    """Record recognitions' conditions (on-site exams) from a CSV file."""

    help = (
        "Record recognitions' further conditions (an on-site exam) from a CSV file with the columns program, "
        "recognition, user (username or id), course_key, passed, taken_on (YYYY-MM-DD) and result. Every row is "
        "checked first: with any row refused (each named), nothing is stored. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """The load subcommand."""
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Check and record the conditions of a CSV file.")
        load.add_argument("file", help="Path of the CSV file (UTF-8), or - for standard input.")
        load.add_argument("--recorded-by", required=True, metavar="USERNAME",
                          help="Who records them (their permissions apply; the audit trail names them).")
        load.add_argument("--dry-run", action="store_true", help="Check and report only; store nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the load subcommand."""
        recorder = get_user_model().objects.filter(username=options["recorded_by"]).first()
        if recorder is None:
            raise CommandError(f"no user with the username {options['recorded_by']!r} (--recorded-by)")
        file = options["file"]
        rows = self._rows(file, self._read(file))
        report = api.record_conditions(rows, recorded_by=recorder, source="csv", dry_run=options["dry_run"])
        if report.errors:
            raise CommandError(f"{file} has {len(report.errors)} error(s); nothing was stored:\n"
                               + "\n".join(f"  - {error}" for error in report.errors))
        verb = "would be" if report.dry_run else "were"
        self.stdout.write(f"{report.rows} row(s): {report.created} {verb} recorded, {report.changed} {verb} "
                          f"changed, {report.unchanged} unchanged; {report.awarded} recognition(s) issued.")
        if not report.created and not report.changed:
            self.stdout.write("nothing changed.")

    @staticmethod
    def _read(file: str) -> str:
        """The file's text, never more than the limit (plus one character, to tell a larger file)."""
        try:
            if file == "-":
                text = sys.stdin.read(MAX_FILE_CHARACTERS + 1)
            else:
                with Path(file).open(encoding="utf-8-sig", newline="") as handle:
                    text = handle.read(MAX_FILE_CHARACTERS + 1)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        if len(text) > MAX_FILE_CHARACTERS:
            raise CommandError(f"{file} is larger than {MAX_FILE_CHARACTERS:,} characters; nothing was stored")
        return text

    @staticmethod
    def _rows(file: str, text: str) -> list[tuple[int, dict[str, Any]]]:
        """
        The file's rows by column, numbered as a spreadsheet shows them (the header is row 1).

        A header without a required column, with an unknown column, or a row with more values than columns is
        refused, naming it.
        """
        try:
            reader = csv.DictReader(io.StringIO(text, newline=""), restkey="\0")
            header = [name.strip() for name in reader.fieldnames or []]
            reader.fieldnames = header
            rows = [(number, row) for number, row in enumerate(reader, start=2)]
        except csv.Error as exc:
            raise CommandError(f"{file} is not a CSV file: {exc}") from exc
        problems = [f"column {name}: missing from the header" for name in REQUIRED_COLUMNS if name not in header]
        problems += [f"column {name or '(empty)'}: unknown (the columns: {', '.join(api.CONDITION_COLUMNS)})"
                     for name in header if name not in api.CONDITION_COLUMNS]
        problems += [f"row {number}: more values than columns" for number, row in rows if "\0" in row]
        if problems:
            raise CommandError(f"{file} is invalid; nothing was stored:\n"
                               + "\n".join(f"  - {problem}" for problem in problems))
        return rows
