"""Turning a FortiManager reply into pyFMG's ``(code, data)`` tuples, or a clear exception.

Every check here exists because a reply was seen, or can be produced by a proxy, that would
otherwise escape as a raw KeyError/TypeError/IndexError deep inside the caller's code.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Mapping
from typing import Any, Union

from .exceptions import FMGInvalidResponse
from .logs import Exchange, mask_secret_fields

#: The code pyFMG returns when a reply is not JSON at all (HTML error page, empty body...).
NOT_JSON_CODE = 100
#: How much of a bad reply is quoted in messages.
BODY_EXCERPT = 200
#: From this size (bytes of JSON) on, parsing pauses the garbage collector and ``req_resp_object``
#: keeps the reply's text instead of its objects.
LARGE_REPLY = 1024 * 1024
#: Debug output (``debug=True``, ``dprint``, ``dlog``) summarises replies larger than this.
DEBUG_PRINT_LIMIT = 4 * 1024 * 1024

#: A reply's bytes: a large one arrives as the ``bytearray`` it was read into, never copied.
ReplyBytes = Union[bytes, bytearray]


class NotJSONResponse(dict[str, Any]):
    """What a call returns, with code 100, when the reply is not JSON.

    It is a dict in FortiManager's result shape (``status.code`` 100 and a ``status.message`` that
    names the URL, the HTTP status and the first bytes received), and it keeps the attributes
    pyFMG callers read from the raw ``requests.Response`` pyFMG returned: ``status_code``,
    ``text``, ``content`` and ``headers``.
    """

    def __init__(self, url: str, status_code: int, content: ReplyBytes, headers: Mapping[str, str] | None = None):
        message = (
            f"FortiManager answered {url!r} with HTTP {status_code} and a body that is not JSON "
            f"({len(content)} bytes, starting {quote(content)})"
        )
        super().__init__(status={"code": NOT_JSON_CODE, "message": message}, url=url)
        self.status_code = status_code
        self.content = bytes(content)  # requests.Response.content, which pyFMG returned, is bytes
        self.headers = dict(headers or {})

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def decode(content: ReplyBytes | str) -> Any:
    """The JSON value of ``content``; raises ValueError when it is not UTF-8 JSON.

    With msgspec installed (``pip install pyfmg[fast]``) it parses; anything it refuses (NaN, a
    lone surrogate, a byte-order mark, UTF-16...) goes to ``json``, so both give the same values
    and the same errors.  Python's cyclic garbage collector is paused while a large reply is
    parsed: it would otherwise walk the growing tree of objects again and again.
    """
    paused = len(content) > LARGE_REPLY
    if paused:
        _pause_gc()
    try:
        fast = _msgspec_decode()
        if fast is not None:
            try:
                return fast(content)
            except _fast_errors:
                pass
        return json.loads(content)
    except RecursionError:
        # A hostile body of a few kilobytes of "[[[[..." must not crash the caller with a RecursionError.
        raise ValueError("JSON nested too deeply") from None
    finally:
        if paused:
            _resume_gc()


def msgspec_available() -> bool:
    """True when replies are parsed by msgspec (the ``fast`` extra)."""
    return _msgspec_decode() is not None


_MSGSPEC: Any = ...  # not looked for yet: importing it costs start-up time for calls that never parse
_fast_errors: tuple[type[BaseException], ...] = (ValueError, RecursionError)


def _msgspec_decode() -> Any:
    global _MSGSPEC, _fast_errors
    if _MSGSPEC is ...:
        try:
            import msgspec.json

            _MSGSPEC = msgspec.json.decode
            _fast_errors = (ValueError, RecursionError, msgspec.MsgspecError)  # not a ValueError before 0.19
        except ImportError:
            _MSGSPEC = None
    return _MSGSPEC


# The collector's switch is process-wide: threads parsing large replies at once count their pauses,
# the last one out restores what the switch was before the first one in.
_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


def _pause_gc() -> None:
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1


def _resume_gc() -> None:
    global _gc_pauses
    with _gc_lock:
        _gc_pauses -= 1
        if _gc_pauses == 0 and _gc_was_enabled:
            gc.enable()


class RequestResponse(Exchange):
    """``req_resp_object``: the last exchange, with a large reply kept as its text until somebody reads it.

    pyFMG kept the parsed reply until the next call; for a 50 MB reply that is ~190 MB of objects
    alive between calls even after the caller dropped its data.  Here a reply over
    :data:`LARGE_REPLY` is kept as the bytes or text it was parsed from (a quarter of the size) and
    parsed again the first time ``response_json`` is read; debug output summarises replies over
    :data:`DEBUG_PRINT_LIMIT` instead of printing them.
    """

    _value: Any = None
    _source: ReplyBytes | str | None = None

    @property
    def response_json(self) -> Any:
        if self._source is not None:
            self._value, self._source = decode(self._source), None
        return self._value

    @response_json.setter
    def response_json(self, value: Any) -> None:
        self._value, self._source = value, None

    def keep_reply(self, value: Any, source: ReplyBytes | str) -> None:
        if len(source) > LARGE_REPLY:
            self._value, self._source = None, source
        else:
            self._value, self._source = value, None

    def for_printing(self) -> Exchange:
        """This record, or a copy with a note in place of a reply too large to print."""
        if self._source is None or len(self._source) <= DEBUG_PRINT_LIMIT:
            return self
        shown = Exchange()
        shown.request_json, shown.error_msg = self.request_json, self.error_msg
        shown.response_json = {
            "not shown": f"a reply of {len(self._source)} bytes; debug output shows replies up to "
            f"{DEBUG_PRINT_LIMIT} bytes (req_resp_object.response_json has it all)"
        }
        return shown


def decode_text(content: ReplyBytes) -> tuple[str, str]:
    """The text of a JSON reply and its encoding, decoded as ``json.loads`` decodes bytes; ValueError if it cannot."""
    encoding = json.detect_encoding(content)
    return content.decode(encoding, "surrogatepass"), encoding


def parse_releasing_bytes(reply: Any, url: str, record: RequestResponse) -> Any:
    """The JSON value of a transport reply, or a :class:`NotJSONResponse`; ``reply.content`` keeps only its start.

    ``json.loads(bytes)`` decodes to text and parses that while the bytes stay alive, so a large
    reply would be held three times (bytes, text, objects).  Dropping the bytes once the text
    exists keeps two; msgspec parses the bytes themselves.  Messages quote only the start of a
    reply, which is kept.
    """
    content, reply.content = reply.content, bytes(reply.content[:BODY_EXCERPT])
    source: ReplyBytes | str = content
    encoding = "utf-8"
    if not msgspec_available():
        try:
            source, encoding = decode_text(content)
        except ValueError:
            return NotJSONResponse(url, reply.status, content, reply.headers)
    del content
    try:
        value = decode(source)
    except ValueError:
        raw = source.encode(encoding, "surrogatepass") if isinstance(source, str) else source
        return NotJSONResponse(url, reply.status, raw, reply.headers)
    record.keep_reply(value, source)  # the text, not the objects, for a large reply
    return value


def quote(content: ReplyBytes) -> str:
    """The first bytes of a reply, for a message, with secret-looking fields masked."""
    return mask_secret_fields(repr(bytes(content[:BODY_EXCERPT])))


def _invalid(what: str, url: str, status: int, content: ReplyBytes) -> FMGInvalidResponse:
    excerpt = bytes(content[:BODY_EXCERPT])
    return FMGInvalidResponse(
        f"FortiManager's reply to {url!r} (HTTP {status}) is not a valid JSON-RPC answer: {what}; "
        f"the reply starts {quote(content)}",
        url=url,
        http_status=status,
        body_start=excerpt,
    )


def check_envelope(body: Any, request_id: Any, url: str, status: int, content: ReplyBytes) -> list[Any]:
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


def status_code(result: Any, url: str, status: int, content: ReplyBytes) -> int:
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


def first_result(body: Any, request_id: Any, url: str, status: int, content: ReplyBytes) -> tuple[int, Any]:
    """pyFMG's return value: the first result's code and its ``data`` (or the whole result)."""
    result = check_envelope(body, request_id, url, status, content)[0]
    code = status_code(result, url, status, content)
    return code, result.get("data", result)


def all_results(body: Any, request_id: Any, url: str, status: int, content: ReplyBytes) -> list[Any]:
    """Every result of a multi-param reply, each checked for a status code."""
    results = check_envelope(body, request_id, url, status, content)
    for result in results:
        status_code(result, url, status, content)
    return results
