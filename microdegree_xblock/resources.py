"""
The package's templates and static files.

They live at the top of the repository (``templates/``, ``static/``) and are installed inside the package
(``microdegree_xblock/templates``, ``microdegree_xblock/static``) by ``setup.py``; this module finds them in
either place, so a source checkout, an editable install and a wheel behave the same.
"""
from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from django.template import Context, Engine
from django.utils import translation

__all__ = ["resource_dir", "static_file", "read_text", "render_template"]

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """The directory of the ``templates`` or ``static`` resources."""
    if name not in ("templates", "static"):
        raise ValueError(f"unknown resource directory {name!r}")
    installed = _PACKAGE_DIR / name
    if installed.is_dir():
        return installed
    source = _PACKAGE_DIR.parent / name
    if source.is_dir():
        return source
    raise FileNotFoundError(f"microdegree_xblock: no {name}/ directory beside or inside the package")


def static_file(relative_path: str) -> Path:
    """
    The path of a static file, e.g. ``css/panel.css``; ValueError for anything that is not inside ``static/``.

    The path is resolved first, so neither ``..``, an absolute path nor a symbolic link leads outside.
    """
    static = resource_dir("static").resolve()
    path = (static / relative_path).resolve()
    if static not in path.parents:
        raise ValueError(f"{relative_path!r} is outside the static directory")
    return path


def read_text(relative_path: str) -> str:
    """The text of a static file, e.g. ``css/panel.css``."""
    return static_file(relative_path).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _engine() -> Engine:
    return Engine(
        dirs=[str(resource_dir("templates"))],
        autoescape=True,
        libraries={"i18n": "django.templatetags.i18n", "l10n": "django.templatetags.l10n",
                   "static": "django.templatetags.static"},
    )


def render_template(name: str, context: dict[str, Any], *, language: str | None = None) -> str:
    """Render one of the package's Django templates (autoescaped), in ``language`` when given."""
    template = _engine().get_template(name)
    if language:
        with translation.override(language):
            return template.render(Context(context))
    return template.render(Context(context))
