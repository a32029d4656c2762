"""
``microdegree_keys``: the platform's credential signing keys (docs/decisions/0020).

    ./manage.py lms microdegree_keys list       # every key, the active one marked
    ./manage.py lms microdegree_keys rotate     # retire the generated key, create a new one
    ./manage.py lms microdegree_keys generate   # print a new private key (PEM) for MICRODEGREE_SIGNING_KEY
"""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ... import api


class Command(BaseCommand):
    """List, rotate or generate the Ed25519 keys that sign credentials."""

    help = "List, rotate or generate the Ed25519 keys that sign the micro-degree credentials."

    def add_arguments(self, parser: CommandParser) -> None:
        """The subcommand."""
        parser.add_argument("action", choices=["list", "rotate", "generate"])

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the subcommand."""
        action = options["action"]
        if action == "generate":
            self.stdout.write(api.generate_signing_key_pem(), ending="")
            return
        if action == "rotate":
            try:
                new = api.rotate_signing_key()
            except api.SigningKeyConfigured as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"new signing key: {new} (earlier keys stay published for verification)")
            return
        api.ensure_signing_key()
        for key in api.get_signing_keys():
            state = "active" if key.active else ("retired " + key.retired_at.isoformat() if key.retired_at else "")
            self.stdout.write(f"{key.public_key_multibase}  {key.source}  created {key.created_at.isoformat()}  "
                              f"{state}".rstrip())
