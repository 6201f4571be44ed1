"""Reading the rows of one table that a job names, with the fewest requests the counts allow.

One key: the row itself (``get <table>/<key>``, the whole object).  Keys that fit one filter
(:data:`FILTER_BYTES` of JSON): one ``get`` of the table with ``filter [key, "in", ...]`` and
``fields``.  More keys: one request asks for the table's row count and as many pages of
:data:`PAGE_ROWS` rows as the keys could fill, plus one -- the whole read when the table is no
larger; otherwise the rest of the table (paged with ``range``) or the keys not yet seen (in
chunked filters) follow, whichever takes fewer requests, several at a time.  Rows not asked for are dropped at once.

``send(method, params)`` is one JSON-RPC request (see :data:`pyfmg.bulk.SendChunk`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

from . import bulk
from .compare import object_url
from .exceptions import FMGInvalidResponse, FMGObjectStatusError, bounded_repr

Reply = tuple[int, Any]

OBJECT_DOES_NOT_EXIST = -3
INVALID_URL = -6

#: JSON bytes of key values one ``filter`` carries.  No limit is documented; 32 KiB (about
#: 1,500 typical names) keeps a request small and FortiManager's filter work per request bounded.
FILTER_BYTES = 32 * 1024
#: Rows per request when the whole table is read (with ``fields``: a few MB at most).
PAGE_ROWS = 10_000


def status_message(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("status"), dict):
        return str(data["status"].get("message", ""))
    return ""


def exchange(send: bulk.SendChunk, method: str, params: list[dict[str, Any]]) -> list[tuple[int, Any, str]]:
    """Send one request; ``(code, data, message)`` per param.  Raises when the answer is not one result per param."""
    code, reply = send(method, params)
    return statuses(method, params, code, reply)


def statuses(method: str, params: list[dict[str, Any]], code: int, reply: Any) -> list[tuple[int, Any, str]]:
    url = str(params[0].get("url", ""))
    if code != 200 or not isinstance(reply, list) or len(reply) != len(params):
        raise FMGInvalidResponse(
            f"{method} {url}: expected {len(params)} JSON-RPC result(s), got {_describe(code, reply)}", url=url
        )
    statuses = []
    for result in reply:
        status = result.get("status") if isinstance(result, dict) else None
        if not isinstance(status, dict) or not isinstance(status.get("code"), int):
            raise FMGInvalidResponse(f"{method} {url}: a result without a status code: {bounded_repr(result)}", url=url)
        statuses.append((status["code"], result.get("data"), str(status.get("message", ""))))
    return statuses


def _describe(code: int, reply: Any) -> str:
    if code != 200:
        return f"code {code} ({status_message(reply) or type(reply).__name__})"
    return f"{len(reply)} result(s)" if isinstance(reply, list) else type(reply).__name__


def _table_error(url: str, code: int, message: str) -> FMGObjectStatusError:
    error = FMGObjectStatusError("get", url, code, message)
    if code in (INVALID_URL, OBJECT_DOES_NOT_EXIST):
        error.args = (f"{error.args[0]}: FortiManager knows no table {url}; check the ADOM, package and table path",)
    return error


def read_row(send: bulk.SendChunk, url: str) -> dict[str, Any] | None:
    """The object at row ``url``, or ``None`` when FortiManager says it does not exist."""
    ((code, data, message),) = exchange(send, "get", [{"url": url}])
    if code == OBJECT_DOES_NOT_EXIST:
        return None
    if code != 0:
        raise FMGObjectStatusError("get", url, code, message)
    if isinstance(data, list):
        data = data[0] if len(data) == 1 else None  # some tables answer a row URL with a one-row list
    if data is None or data == {}:
        return None
    if not isinstance(data, dict):
        raise FMGObjectStatusError("get", url, code, f"expected an object, got {type(data).__name__}")
    return data


def _filter_chunks(key_values: Sequence[Any]) -> list[list[Any]]:
    chunks: list[list[Any]] = []
    size = 0
    for value in key_values:
        cost = len(json.dumps(value)) + 2
        if not chunks or size + cost > FILTER_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(value)
        size += cost
    return chunks


def _rows_of(url: str, code: int, data: Any, message: str) -> list[Any]:
    if code != 0:
        raise _table_error(url, code, message)
    if data is None:
        return []
    if not isinstance(data, list):
        raise FMGObjectStatusError("get", url, code, f"expected the rows of a table, got {type(data).__name__}")
    return data


def _get_each(send: bulk.SendChunk, params: list[dict[str, Any]], workers: int) -> list[list[Any]]:
    """One request per param, ``workers`` at a time; the rows of each.  Raises the first failure."""
    if len(params) == 1:
        ((code, data, message),) = exchange(send, "get", params)
        return [_rows_of(params[0]["url"], code, data, message)]
    items = bulk.run(strict(send), "get", params, 1, max(1, min(workers, len(params))))
    pages = []
    for item in items:
        if item.error is not None:
            raise item.error
        pages.append(_rows_of(item.url, item.code or 0, item.data, item.message))
    return pages


def read_rows(
    send: bulk.SendChunk,
    table_url: str,
    key: str,
    key_values: Sequence[Any],
    fields: list[str] | None = None,
    workers: int = 1,
) -> dict[str, dict[str, Any]]:
    """The rows of ``table_url`` whose ``key`` is one of ``key_values``, as ``{str(key value): row}``.

    Sends the fewest requests the counts allow (see the module doc).  Raises
    :class:`FMGObjectStatusError` when FortiManager refuses the read (an unknown table: ``-6``).
    """
    if not key_values:
        return {}
    if len(key_values) == 1:
        row = read_row(send, object_url(table_url, key_values[0]))
        return {} if row is None else {str(key_values[0]): row}
    wanted = {str(value) for value in key_values}
    found: dict[str, dict[str, Any]] = {}

    def keep(rows: Iterable[Any]) -> None:
        for row in rows:
            if isinstance(row, dict) and str(row.get(key)) in wanted:
                found[str(row.get(key))] = row

    def filtered(values: Sequence[Any]) -> list[dict[str, Any]]:
        return [{"url": table_url, "filter": [key, "in", *chunk], "fields": fields} for chunk in _filter_chunks(values)]

    params = filtered(key_values)
    if len(params) > 1:
        # Several filters: one request asks for the row count and as many pages as the keys could
        # fill, plus one (a page past the end comes back empty); that is the whole read unless the
        # table is larger, and then the count decides between paging on and filtering what is left.
        pages_read = len(key_values) // PAGE_ROWS + 1
        first = [{"url": table_url, "option": "count"}] + [
            _without_none({"url": table_url, "fields": fields, "range": [PAGE_ROWS * number, PAGE_ROWS]})
            for number in range(pages_read)
        ]
        (count_code, total, count_message), *pages = exchange(send, "get", first)
        if count_code != 0:
            raise _table_error(table_url, count_code, count_message)
        rows_read = 0
        for code, data, message in pages:
            page = _rows_of(table_url, code, data, message)
            keep(page)
            rows_read += len(page)
        if rows_read < PAGE_ROWS * pages_read:
            return found
        params = filtered([value for value in key_values if str(value) not in found])
        pages_left = math.ceil((total - rows_read) / PAGE_ROWS) if isinstance(total, int) else math.inf
        if not params:
            return found
        if 0 < pages_left < len(params):
            params = [
                {"url": table_url, "fields": fields, "range": [PAGE_ROWS * number, PAGE_ROWS]}
                for number in range(pages_read, pages_read + int(pages_left))
            ]
    for rows in _get_each(send, [_without_none(p) for p in params], workers):
        keep(rows)
    return found


def _without_none(param: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in param.items() if value is not None}


def strict(send: bulk.SendChunk) -> bulk.SendChunk:
    """``send``, raising for an answer that is not one JSON-RPC result per param (its outcome is unknown)."""

    def strict(method: str, params: list[dict[str, Any]]) -> Reply:
        code, reply = send(method, params)
        statuses(method, params, code, reply)
        return code, reply

    return strict
