"""
Generated program files through ``microdegree_programs load``, the way an operator loads them.

* A valid file stores exactly what it says: the stored catalog, dumped, is the catalog the file declares; loading it
  again changes nothing; the dump, in either format, reads back as what is stored.
* A second file updates what it names and leaves the rest alone; it may respell a course key's case or accents.
* A broken file is refused: a :class:`~microdegree_xblock.catalog.CatalogError` whose errors name the mutation's
  place, each one line of bounded length (checked on the parser alone, the cheap way, and through the command); the
  command says nothing was stored, and nothing was. No other exception, whatever the text (truncated, random, an
  alias bomb, a number of 5,000 digits...).
"""
from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from microdegree_xblock import api
from microdegree_xblock.catalog import CatalogError, CatalogSpec, dump_text, parse_catalog
from microdegree_xblock.models import Issuer, Program, ProgramCourse, ProgramIssuer
from tests.conftest import CATALOG

from .cases import budget, count
from .isolation import rolled_back
from .strategies import BrokenFile, ProgramFile, broken_files, catalogs, program_files, respelt

pytestmark = pytest.mark.django_db

CATALOG_MODELS = (Issuer, Program, ProgramIssuer, ProgramCourse)
# Every error starts with where it is: the file, the issuers or programs list, or one of them (by id or index).
PLACE = re.compile(r"(file|issuers|programs)\b")
# An error names its place (a course key has at most 255 characters) and shows values cut short.
MAX_ERROR = 1_000
PARSER_ERROR = "file: not valid YAML or JSON: "


def _load(tmp_path: Path, content: bytes) -> str:
    """``microdegree_programs load FILE`` on ``content``; what it printed (its warnings go to standard error)."""
    path = tmp_path / "programs.txt"
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    call_command("microdegree_programs", "load", str(path), "--no-backfill", stdout=out, stderr=err)
    return out.getvalue()


def _rows() -> dict[str, list[tuple]]:
    """Every row of every catalog model, to compare before and after (plain SQL: this runs for every example)."""
    rows = {}
    with connection.cursor() as cursor:
        for model in CATALOG_MODELS:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)} ORDER BY id")
            rows[model.__name__] = cursor.fetchall()
    return rows


def _by_id(spec: CatalogSpec) -> CatalogSpec:
    """A catalog in the order ``dump_catalog`` gives: issuers and programs by id."""
    return CatalogSpec(issuers=tuple(sorted(spec.issuers, key=lambda issuer: issuer.id)),
                       programs=tuple(sorted(spec.programs, key=lambda program: program.id)))


@settings(max_examples=budget(250))
@given(file=program_files(), fmt=st.sampled_from(["yaml", "json"]))
def test_a_valid_file_stores_exactly_what_it_says(tmp_path, file: ProgramFile, fmt: str):
    """
    What a valid file declares is what is stored; loading it again changes nothing; its dump reads back the same.

    The catalog the strategy declares (not what the parser made of the text) is the oracle: every value as written
    in any of the forms the format allows (a number as a string, a text with spaces around it, an optional field as
    null) is stored as its meaning.
    """
    count("program file (valid)")
    with rolled_back():
        report = _load(tmp_path, file.text.encode("utf-8"))
        assert set(report.splitlines()) == {f"created: issuer {i.id}" for i in file.spec.issuers} | {
            f"created: program {p.id}" for p in file.spec.programs}
        stored = api.dump_catalog()
        assert stored == _by_id(file.spec)
        rows = _rows()
        assert not api.load_catalog(parse_catalog(file.text)).changed
        assert _rows() == rows
        assert parse_catalog(dump_text(stored, fmt=fmt)) == stored


SHARED_IDS = st.sampled_from(["a", "b", "c", "d"])


@settings(max_examples=budget(80))
@given(first=program_files(catalogs(slugs=SHARED_IDS)), second=program_files(catalogs(slugs=SHARED_IDS)))
def test_a_second_file_updates_what_it_names_and_leaves_the_rest(tmp_path, first: ProgramFile,
                                                                   second: ProgramFile):
    """
    Loading a second file replaces the issuers and programs it names (their courses too) and keeps the others.

    Both files draw their ids from the same few, so most of the second's issuers and programs update the first's.
    """
    count("program file (valid, over another)")
    with rolled_back():
        _load(tmp_path, first.text.encode("utf-8"))
        _load(tmp_path, second.text.encode("utf-8"))
        issuers = {issuer.id: issuer for issuer in (*first.spec.issuers, *second.spec.issuers)}
        programs = {program.id: program for program in (*first.spec.programs, *second.spec.programs)}
        assert api.dump_catalog() == _by_id(CatalogSpec(tuple(issuers.values()), tuple(programs.values())))


@settings(max_examples=budget(50))
@given(first=program_files(), how=st.sampled_from(["case", "accents"]))
@example(first=ProgramFile(text=CATALOG, fmt="yaml", spec=parse_catalog(CATALOG)), how="case")
def test_a_second_file_may_respell_a_course_key(tmp_path, first: ProgramFile, how: str):
    """
    A reload that changes only the case or the accents of a course key stores the new spelling.

    The database compares course keys without case (and MySQL without accents): for it, the same course, which a
    reload must update, not insert beside the old row (an IntegrityError).
    """
    program = first.spec.programs[0]
    index, key = next(((i, respelt(c.key, how)) for i, c in enumerate(program.courses) if respelt(c.key, how)),
                      (0, None))
    assume(key is not None)
    count("program file (valid, a course key respelt)")
    courses = list(program.courses)
    courses[index] = replace(courses[index], key=key)
    spec = replace(first.spec, programs=(replace(program, courses=tuple(courses)), *first.spec.programs[1:]))
    with rolled_back():
        _load(tmp_path, first.text.encode("utf-8"))
        _load(tmp_path, dump_text(spec, fmt=first.fmt).encode("utf-8"))
        assert api.dump_catalog() == _by_id(spec)


def _assert_well_named(errors: list[str], place: str | None) -> None:
    """
    Each error starts with its place and is of bounded length; one starts with ``place``.

    Each is one line (a key of the file cannot forge another error), but the parser's, which quotes the lines
    around the mistake.
    """
    assert errors
    for error in errors:
        assert PLACE.match(error) and ": " in error, error[:MAX_ERROR]
        assert len(error) <= MAX_ERROR, error[:MAX_ERROR]
        assert "\n" not in error or error.startswith(PARSER_ERROR), error
    if place is not None:
        assert any(error.startswith(place) for error in errors), (place, errors)


@settings(max_examples=budget(2_700))
@given(file=broken_files())
def test_a_broken_file_is_refused_with_its_place_named(file: BrokenFile):
    """
    The parser's side, without the database: a broken file raises a CatalogError naming its place, nothing else.

    Truncated and random texts (``place`` None) may happen to be valid; bytes that are no UTF-8 are the command's
    to refuse (below).
    """
    count(f"program file (broken: {file.mutation.split(' (')[0]})")
    try:
        text = file.content.decode("utf-8")
    except UnicodeDecodeError:
        return
    try:
        parse_catalog(text)
    except CatalogError as error:
        _assert_well_named(error.errors, file.place)
    else:
        assert file.place is None, f"{file.mutation}: accepted, expected an error at {file.place}"


@pytest.fixture
def stored_rows(catalog):  # pylint: disable=unused-argument
    """The test catalog stored (tests/conftest.py), and its rows: what every broken file must leave as it is."""
    return _rows()


@settings(max_examples=budget(600))
@given(file=broken_files())
def test_a_broken_file_is_refused_by_the_command_and_stores_nothing(tmp_path, stored_rows, file: BrokenFile):
    """
    ``microdegree_programs load`` refuses a broken file with a CommandError saying nothing was stored, and nothing was.

    The test catalog is stored first, so that "nothing stored" also means "nothing changed". Truncated and random
    texts (``place`` None) may happen to be valid: then they load. Any other exception fails the test.
    """
    count(f"program file (broken, through the command: {file.mutation.split(' (')[0]})")
    with rolled_back():
        try:
            _load(tmp_path, file.content)
        except CommandError as refused:
            if isinstance(refused.__cause__, CatalogError):
                assert "is invalid; nothing was stored" in str(refused)
                _assert_well_named(refused.__cause__.errors, file.place)
            elif file.mutation.startswith("too large"):
                assert "is invalid; nothing was stored:\n  - file: larger than 1,000,000 characters" in str(refused)
            else:
                assert file.mutation == "random bytes" and "cannot read" in str(refused), refused
            assert _rows() == stored_rows
        else:
            assert file.place is None, f"{file.mutation}: accepted, expected an error at {file.place}"
