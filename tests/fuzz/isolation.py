"""
Each generated example on its own: whatever it writes is rolled back before the next example runs.

Hypothesis runs every example of a test inside one pytest-django test (one transaction, the fixtures set up once),
so the examples would otherwise see each other's rows. :func:`rolled_back` gives each one a savepoint that is
always rolled back, which also drops the after-commit callbacks registered inside it, and then makes the process
forget the catalog it remembers (``api.catalog_changed``): a rolled-back load sends no signal that would.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from microdegree_xblock import api

__all__ = ["rolled_back"]


@contextmanager
def rolled_back(*, forget_catalog: bool = True) -> Iterator[None]:
    """
    Run the block in a savepoint that is rolled back when the block ends, however it ends.

    ``forget_catalog=False`` where no example changes the catalog (it was loaded once, before them): what the process
    remembers of it stays true, and the next example need not read it again.
    """
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        if forget_catalog:
            api.catalog_changed()
