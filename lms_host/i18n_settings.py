"""Settings for extracting and compiling the package's message catalogs (``make translations``)."""
from pathlib import Path

from lms_host.settings import *  # noqa: F403  pylint: disable=wildcard-import,unused-wildcard-import

LOCALE_PATHS = [str(Path(__file__).resolve().parent.parent / "microdegree_xblock" / "locale")]
