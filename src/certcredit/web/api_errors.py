"""Every error under ``/api/`` is JSON with a ``message`` (docs/api.md), whatever answered it.

The API's own errors are JSON already (``web/api.py``'s handlers), and so are Django's 400/403/404/500 pages
under ``/api/`` (``web/views.py``). What is left is answered before any of those run: the framework's
"405 Method Not Allowed" for a path that exists with another method, in plain text. This middleware turns any
error answer under ``/api/`` that is not JSON into the documented shape, keeping its status and headers
(``Allow`` on a 405).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"


class ApiErrorsAsJson:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
            or getattr(response, "streaming", False)
        ):
            return response
        response.content = json.dumps({"message": _message(response)}).encode()
        response["Content-Type"] = "application/json"
        return response


def _message(response: HttpResponse) -> str:
    if response.status_code == 405 and response.has_header("Allow"):
        return f"method not allowed here; use {response['Allow']}"
    try:
        return HTTPStatus(response.status_code).phrase.lower()
    except ValueError:
        return "error"
