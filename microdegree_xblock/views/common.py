"""
What every view of the plugin shares: the api's errors as HTTP answers, public documents, the viewer.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any, TypeVar, cast

from django.http import Http404, HttpRequest, HttpResponse

from .. import api

View = TypeVar("View", bound=Callable[..., Any])


def answers_errors(view: View) -> View:
    """
    Map the api's named errors to their HTTP answers, in one place; the views themselves only call the api.

    Every ``api.NotFound`` (unknown award, issuer, badge or status list; a private or unsigned credential) becomes
    its status (404: the LMS's not-found page) with the class's public message.
    """
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except api.NotFound as exc:
            if exc.status_code == HTTPStatus.NOT_FOUND:
                raise Http404(exc.public_message) from exc
            return HttpResponse(str(exc.public_message), status=exc.status_code,
                                content_type="text/plain; charset=utf-8")
    return cast(View, wrapper)


_LD_JSON = "application/ld+json; charset=utf-8"


def _public(response: HttpResponse) -> HttpResponse:
    """Public documents may be read by verifiers running in any web page (CORS)."""
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _document(data: dict[str, Any] | str, content_type: str = _LD_JSON) -> HttpResponse:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=2)
    return _public(HttpResponse(text.encode("utf-8"), content_type=content_type))


# SVG is a document that can hold scripts: ours hold none, and a browser that opens one from the site's own origin
# is told to run nothing in it, load nothing and treat it as a sandboxed, unique origin.
_SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _svg(text: str) -> HttpResponse:
    response = _document(text, "image/svg+xml")
    response["Content-Security-Policy"] = _SVG_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _viewer(request: HttpRequest) -> int | None:
    return request.user.pk if request.user.is_authenticated else None

