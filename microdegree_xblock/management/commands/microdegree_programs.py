"""
``microdegree_programs load FILE`` / ``dump`` / ``reconcile`` / ``backfill``: manage the micro-degree programs.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from microdegree_xblock import api
from microdegree_xblock.catalog import CatalogError, dump_text, parse_catalog
from microdegree_xblock.catalog.files import MAX_FILE_CHARACTERS


class Command(BaseCommand):
    """Load, dump or reconcile micro-degree programs."""

    help = (
        "Manage micro-degree programs. 'load FILE' validates a YAML or JSON catalog and stores it in one "
        "transaction (an invalid file stores nothing); 'dump' prints the stored catalog; 'reconcile' issues "
        "every award due from recorded grades (after adding a course to a program, or a failure); 'backfill' "
        "issues every award due from the platform's own grades and completions (or an export file)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """The load, dump and reconcile subcommands."""
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Validate and store a program catalog file (YAML or JSON).")
        load.add_argument("file", help="Path of the catalog file, or - for standard input.")
        load.add_argument("--dry-run", action="store_true", help="Validate only; store nothing.")
        load.add_argument("--no-backfill", action="store_true",
                          help="Do not backfill the created or changed programs from the platform's grades.")
        dump = sub.add_parser("dump", help="Print the stored catalog.")
        dump.add_argument("--format", choices=("yaml", "json"), default="yaml")
        reconcile = sub.add_parser("reconcile", help="Issue every award due from recorded grades.")
        reconcile.add_argument("--course", default=None, help="Only this course key.")
        reconcile.add_argument("--user-id", type=int, default=None, help="Only this learner (user id).")
        backfill = sub.add_parser(
            "backfill", help="Issue every award due from the platform's grades and completions, or an export file.")
        backfill.add_argument("--program", action="append", dest="programs", metavar="ID",
                              help="Only the courses of this program (repeatable).")
        backfill.add_argument("--course", action="append", dest="courses", metavar="KEY",
                              help="Only this program course (repeatable).")
        backfill.add_argument("--user-id", action="append", dest="user_ids", type=int, metavar="ID",
                              help="Only this learner (repeatable).")
        backfill.add_argument("--from-file", default=None, metavar="PATH",
                              help="Read an export (CSV or JSON Lines: user_id or username, course_key, percent, "
                                   "completion, measured_at) instead of the platform's tables.")
        backfill.add_argument("--dry-run", action="store_true",
                              help="Print what would be issued, per program and kind; write nothing.")
        backfill.add_argument("--restart", action="store_true",
                              help="Start over instead of resuming an interrupted run of the same backfill.")
        backfill.add_argument("--batch-size", type=int, default=None, metavar="N",
                              help=f"Rows per transaction (default: {api.BACKFILL_BATCH_SIZE:,} row by row, "
                                   f"{api.SET_BATCH_SIZE:,} where the database writes the states itself).")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chosen subcommand."""
        action = options["action"]
        if action == "load":
            self._load(options["file"], dry_run=options["dry_run"], backfill=not options["no_backfill"])
        elif action == "backfill":
            self._backfill(programs=options["programs"], courses=options["courses"], user_ids=options["user_ids"],
                           export_file=options["from_file"], dry_run=options["dry_run"], restart=options["restart"],
                           batch_size=options["batch_size"])
        elif action == "dump":
            self.stdout.write(dump_text(api.dump_catalog(), fmt=options["format"]), ending="")
        else:
            try:
                created = api.reconcile(course_key=options["course"], user_id=options["user_id"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"{created} award(s) issued.")

    def _backfill(self, *, programs: list[str] | None, courses: list[str] | None, user_ids: list[int] | None,
                  export_file: str | None, dry_run: bool, restart: bool, batch_size: int | None) -> None:
        # A bar with the rate and the time left on a terminal; nothing when the output is a file or a pipe.
        with tqdm(total=None, unit=" rows", unit_scale=True, disable=None, file=self.stderr, dynamic_ncols=True,
                  desc="backfill") as bar:
            try:
                report = api.backfill(program_ids=programs, course_keys=courses, user_ids=user_ids,
                                      export_file=export_file, dry_run=dry_run, restart=restart,
                                      batch_size=batch_size, progress=bar)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        if report.resumed_after is not None:
            self.stdout.write(f"resumed after {report.resumed_after}.")
        for line in api.describe_backfill(report):
            self.stdout.write(line)

    def _load(self, file: str, *, dry_run: bool, backfill: bool) -> None:
        try:
            # Never more than the loader takes (plus one, to tell a larger file): a huge file is refused unread.
            if file == "-":
                text = sys.stdin.read(MAX_FILE_CHARACTERS + 1)
            else:
                with Path(file).open(encoding="utf-8") as handle:
                    text = handle.read(MAX_FILE_CHARACTERS + 1)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        if len(text) > MAX_FILE_CHARACTERS:
            raise CommandError(f"{file} is invalid; nothing was stored:\n  - file: larger than "
                               f"{MAX_FILE_CHARACTERS:,} characters")
        try:
            spec = parse_catalog(text, known_issuer_ids=api.known_issuer_ids(), known_programs=api.known_programs())
        except CatalogError as exc:
            raise CommandError(
                f"{file} is invalid; nothing was stored:\n" + "\n".join(f"  - {error}" for error in exc.errors)
            ) from exc
        for warning in spec.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        if dry_run:
            self.stdout.write(f"{file} is valid: {len(spec.issuers)} issuer(s), {len(spec.programs)} program(s).")
            return
        report = api.load_catalog(spec)
        for label, items in (("created", report.created), ("updated", report.updated),
                             ("removed from program", report.removed_courses)):
            for item in items:
                self.stdout.write(f"{label}: {item}")
        if not report.changed:
            self.stdout.write("nothing changed.")
        if report.changed_program_ids:
            self._issue_what_is_due(list(report.changed_program_ids), backfill=backfill)

    def _issue_what_is_due(self, programs: list[str], *, backfill: bool) -> None:
        """What the changed rules now justify: from the recorded states, then from the platform's grades."""
        if created := api.reconcile(program_ids=programs):
            self.stdout.write(f"{created} award(s) issued from the recorded grades of the changed programs.")
        if backfill:
            self._backfill_changed(programs)

    def _backfill_changed(self, programs: list[str]) -> None:
        """Created or changed programs are backfilled (queued in Celery, else here), so none is silently empty."""
        if api.queue_backfill(programs):
            self.stdout.write(f"backfill queued for {', '.join(programs)}.")
        else:
            self.stdout.write(f"backfill of {', '.join(programs)} from the platform's grades:")
            self._backfill(programs=programs, courses=None, user_ids=None, export_file=None, dry_run=False,
                           restart=False, batch_size=None)
