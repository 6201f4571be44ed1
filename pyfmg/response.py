"""Turning a FortiManager reply into pyFMG's ``(code, data)`` tuples, or a clear exception.

Every check here exists because a reply was seen, or can be produced by a proxy, that would
otherwise escape as a raw KeyError/TypeError/IndexError deep inside the caller's code.
"""

from __future__ import annotations

import json
from typing import Any

from .exceptions import FMGInvalidResponse
from .logs import mask_secret_fields

#: The code pyFMG returns when a reply is not JSON at all (HTML error page, empty body...).
NOT_JSON_CODE = 100
#: How much of a bad reply is quoted in messages.
BODY_EXCERPT = 200


class NotJSONResponse(dict[str, Any]):
    """What a call returns, with code 100, when the reply is not JSON.

    It is a dict in FortiManager's result shape (``status.code`` 100 and a ``status.message`` that
    names the URL, the HTTP status and the first bytes received), and it keeps the attributes
    pyFMG callers read from the raw ``requests.Response`` pyFMG returned: ``status_code``,
    ``text``, ``content`` and ``headers``.
    """

    def __init__(self, url: str, status_code: int, content: bytes, headers: dict[str, str] | None = None):
        message = (
            f"FortiManager answered {url!r} with HTTP {status_code} and a body that is not JSON "
            f"({len(content)} bytes, starting {quote(content)})"
        )
        super().__init__(status={"code": NOT_JSON_CODE, "message": message}, url=url)
        self.status_code = status_code
        self.content = content
        self.headers = dict(headers or {})

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def decode(content: bytes) -> Any:
    """The JSON value of ``content``; raises ValueError when it is not UTF-8 JSON."""
    try:
        return json.loads(content)
    except RecursionError:
        # A hostile body of a few kilobytes of "[[[[..." must not crash the caller with a RecursionError.
        raise ValueError("JSON nested too deeply") from None


def quote(content: bytes) -> str:
    """The first bytes of a reply, for a message, with secret-looking fields masked."""
    return mask_secret_fields(repr(content[:BODY_EXCERPT]))


def _invalid(what: str, url: str, status: int, content: bytes) -> FMGInvalidResponse:
    excerpt = content[:BODY_EXCERPT]
    return FMGInvalidResponse(
        f"FortiManager's reply to {url!r} (HTTP {status}) is not a valid JSON-RPC answer: {what}; "
        f"the reply starts {quote(content)}",
        url=url,
        http_status=status,
        body_start=excerpt,
    )


def check_envelope(body: Any, request_id: Any, url: str, status: int, content: bytes) -> list[Any]:
    """The ``result`` list of a reply (a bare result object is wrapped in a list)."""
    if not isinstance(body, dict):
        raise _invalid(f"expected a JSON object, got {type(body).__name__}", url, status, content)
    if "id" in body and body["id"] is not None and body["id"] != request_id:
        raise _invalid(f"its id {body['id']!r} does not match the request id {request_id!r}", url, status, content)
    if "result" not in body:
        raise _invalid("it has no 'result'", url, status, content)
    results = body["result"]
    if isinstance(results, dict):
        results = [results]
    if not isinstance(results, list):
        raise _invalid(f"'result' is a {type(results).__name__}, not a list", url, status, content)
    if not results:
        raise _invalid("'result' is empty", url, status, content)
    return results


def status_code(result: Any, url: str, status: int, content: bytes) -> int:
    """``result.status.code`` as an int, checked."""
    if not isinstance(result, dict):
        raise _invalid(f"a result is a {type(result).__name__}, not an object", url, status, content)
    result_status = result.get("status")
    if not isinstance(result_status, dict):
        raise _invalid("a result has no 'status' object", url, status, content)
    code = result_status.get("code")
    if isinstance(code, bool) or not isinstance(code, int):
        raise _invalid(f"'status.code' is {code!r}, not an integer", url, status, content)
    return code


def first_result(body: Any, request_id: Any, url: str, status: int, content: bytes) -> tuple[int, Any]:
    """pyFMG's return value: the first result's code and its ``data`` (or the whole result)."""
    result = check_envelope(body, request_id, url, status, content)[0]
    code = status_code(result, url, status, content)
    return code, result.get("data", result)


def all_results(body: Any, request_id: Any, url: str, status: int, content: bytes) -> list[Any]:
    """Every result of a multi-param reply, each checked for a status code."""
    results = check_envelope(body, request_id, url, status, content)
    for result in results:
        status_code(result, url, status, content)
    return results
