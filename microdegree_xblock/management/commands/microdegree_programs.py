"""
``microdegree_programs load FILE`` / ``dump`` / ``reconcile``: manage the micro-degree program catalog.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from microdegree_xblock import api
from microdegree_xblock.catalog import CatalogError, dump_text, parse_catalog
from microdegree_xblock.catalog.files import MAX_FILE_CHARACTERS


class Command(BaseCommand):
    """Load, dump or reconcile micro-degree programs."""

    help = (
        "Manage micro-degree programs. 'load FILE' validates a YAML or JSON catalog and stores it in one "
        "transaction (an invalid file stores nothing); 'dump' prints the stored catalog; 'reconcile' issues "
        "every award due from recorded grades (after adding a course to a program, or a failure)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """The load, dump and reconcile subcommands."""
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Validate and store a program catalog file (YAML or JSON).")
        load.add_argument("file", help="Path of the catalog file, or - for standard input.")
        load.add_argument("--dry-run", action="store_true", help="Validate only; store nothing.")
        dump = sub.add_parser("dump", help="Print the stored catalog.")
        dump.add_argument("--format", choices=("yaml", "json"), default="yaml")
        reconcile = sub.add_parser("reconcile", help="Issue every award due from recorded grades.")
        reconcile.add_argument("--course", default=None, help="Only this course key.")
        reconcile.add_argument("--user-id", type=int, default=None, help="Only this learner (user id).")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chosen subcommand."""
        action = options["action"]
        if action == "load":
            self._load(options["file"], dry_run=options["dry_run"])
        elif action == "dump":
            self.stdout.write(dump_text(api.dump_catalog(), fmt=options["format"]), ending="")
        else:
            try:
                created = api.reconcile(course_key=options["course"], user_id=options["user_id"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"{created} award(s) issued.")

    def _load(self, file: str, *, dry_run: bool) -> None:
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
            spec = parse_catalog(text, known_issuer_ids=api.known_issuer_ids())
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
