"""Many items, one method: packed into multi-param JSON-RPC requests, optionally sent by several workers.

FortiManager answers a request with N params with N results, in order, each with its own status.
Packing a hundred objects into one request turns a hundred round trips into one; sending a few
such requests at once hides the rest of the latency.  Each item still gets its own verdict, so one
bad object never hides the others.

Nothing is retried: a write whose reply was lost may or may not have been applied, and only the
caller can tell whether sending it again is safe.  Every item of a chunk whose request failed
carries the exception, so the caller can select and resend exactly those.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Callable

from .exceptions import FMGInvalidResponse, FMGValueError, bounded_repr

logger = logging.getLogger(__name__)

Reply = tuple[int, Any]
#: Sends one chunk: ``(method, params) -> (200, results)`` or ``(code, not-JSON reply)``; raises on failure.
SendChunk = Callable[[str, list[dict[str, Any]]], Reply]
#: Told ``(items done, items in total)`` after each chunk, in the calling thread.
Progress = Callable[[int, int], None]

DEFAULT_CHUNK_SIZE = 100


@dataclass(frozen=True)
class ItemResult:
    """FortiManager's verdict on one item of a bulk run.

    ``code`` is the item's ``status.code`` (0 is success), or ``None`` when the request carrying it
    failed as a whole (connection lost, reply not a JSON-RPC answer): then ``error`` holds the
    exception and it is unknown whether a write was applied.  ``data`` is the item's ``data``
    (``None`` when FortiManager sent none), ``param`` the JSON-RPC param that was sent for it.
    """

    index: int
    url: str
    code: int | None
    message: str
    data: Any = None
    param: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        """True when FortiManager answered this item with status 0."""
        return self.code == 0


def build_params(url_or_params: str | Iterable[Any], items: Iterable[Any] | None) -> list[dict[str, Any]]:
    """The params of a run: ``{"url": url, "data": item}`` per item, or the given params as they are."""
    if isinstance(url_or_params, str):
        if not url_or_params:
            raise FMGValueError("bulk needs a non-empty url, or a list of params each with its own url")
        if items is None or isinstance(items, (str, bytes, dict)) or not isinstance(items, Iterable):
            raise FMGValueError(
                f"bulk(method, url, items): items must be a list of objects to send as data, got {type(items).__name__}"
            )
        return [{"url": url_or_params, "data": item} for item in items]
    if items is not None:
        raise FMGValueError("bulk(method, params) takes full params; pass items only with a url")
    if isinstance(url_or_params, (bytes, dict)) or not isinstance(url_or_params, Iterable):
        raise FMGValueError(
            f"bulk needs a url string or a list of params such as [{{'url': ...}}], got {type(url_or_params).__name__}"
        )
    params = list(url_or_params)
    for index, param in enumerate(params):
        if not isinstance(param, dict) or not isinstance(param.get("url"), str) or not param["url"]:
            raise FMGValueError(
                f"bulk param #{index} must be a dict with a non-empty 'url', got {bounded_repr(param, 100)}"
            )
    return params


def _check_count(name: str, value: Any, upper: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FMGValueError(f"{name} must be a whole number >= 1, got {bounded_repr(value)}")
    if upper is not None and value > upper:
        raise FMGValueError(
            f"{name}={value} is more than the {upper} pooled connections of this client; "
            f"create it with FortiManager(..., pool_size={value}) to run that many at once"
        )
    return value


def check_options(method: Any, chunk_size: Any, workers: Any, max_workers: int | None = None) -> None:
    """Raise :class:`FMGValueError` for a method, chunk size or worker count a run cannot use."""
    if not isinstance(method, str) or not method:
        raise FMGValueError(f"bulk needs a method name such as 'add', got {bounded_repr(method)}")
    _check_count("chunk_size", chunk_size)
    _check_count("workers", workers, max_workers)


def run(
    send: SendChunk,
    method: str,
    params: Sequence[dict[str, Any]],
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    workers: int = 1,
    progress: Progress | None = None,
    max_workers: int | None = None,
) -> list[ItemResult]:
    """Send ``params`` with ``method`` in chunks of ``chunk_size``, ``workers`` chunks at a time.

    Returns one :class:`ItemResult` per param, in input order.  ``progress`` is called in the
    calling thread after each chunk.  If it raises (or the caller is interrupted), chunks not yet
    started are cancelled and the exception propagates.
    """
    check_options(method, chunk_size, workers, max_workers)
    total = len(params)
    starts = range(0, total, chunk_size)
    results: list[ItemResult | None] = [None] * total
    done = 0

    def finish(start: int, chunk_results: list[ItemResult]) -> None:
        nonlocal done
        results[start : start + len(chunk_results)] = chunk_results
        done += len(chunk_results)
        if progress is not None:
            progress(done, total)

    if workers == 1 or len(starts) <= 1:
        for start in starts:
            finish(start, _send_chunk(send, method, params, start, chunk_size))
    else:
        _run_concurrently(send, method, params, starts, chunk_size, workers, finish)
    return [result for result in results if result is not None]


def _run_concurrently(
    send: SendChunk,
    method: str,
    params: Sequence[dict[str, Any]],
    starts: range,
    chunk_size: int,
    workers: int,
    finish: Callable[[int, list[ItemResult]], None],
) -> None:
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pyfmg-bulk")
    try:
        pending: dict[Future[list[ItemResult]], int] = {
            executor.submit(_send_chunk, send, method, params, start, chunk_size): start for start in starts
        }
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                finish(pending.pop(future), future.result())
    except BaseException:
        # Chunks already on the wire finish (their outcome is unknowable otherwise); the rest are dropped.
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


def _send_chunk(
    send: SendChunk, method: str, params: Sequence[dict[str, Any]], start: int, chunk_size: int
) -> list[ItemResult]:
    chunk = list(params[start : start + chunk_size])
    try:
        code, reply = send(method, chunk)
    except Exception as err:  # reported on each item: the caller decides what is safe to resend
        logger.warning("bulk %s: request for items %d-%d failed: %s", method, start, start + len(chunk) - 1, err)
        return [_failed(start + offset, param, err) for offset, param in enumerate(chunk)]
    if code != 200 or not isinstance(reply, list):
        status = reply.get("status", {}) if isinstance(reply, dict) else {}
        message = str(status.get("message", f"no JSON-RPC answer (code {code})"))
        return [
            ItemResult(start + offset, param["url"], code, message, param=param) for offset, param in enumerate(chunk)
        ]
    results = [_item(start + offset, param, result) for offset, (param, result) in enumerate(zip(chunk, reply))]
    if len(reply) < len(chunk):
        missing = FMGInvalidResponse(
            f"FortiManager answered {len(reply)} results to a {method} request with {len(chunk)} params; "
            "the items without a result may or may not have been applied",
            url=chunk[0]["url"],
        )
        results += [_failed(start + offset, chunk[offset], missing) for offset in range(len(reply), len(chunk))]
    return results


def _item(index: int, param: dict[str, Any], result: dict[str, Any]) -> ItemResult:
    status = result["status"]
    url = result.get("url", param["url"])
    return ItemResult(
        index,
        url if isinstance(url, str) else param["url"],
        status["code"],
        str(status.get("message", "")),
        result.get("data"),
        param,
    )


def _failed(index: int, param: dict[str, Any], err: BaseException) -> ItemResult:
    return ItemResult(index, param["url"], None, f"{type(err).__name__}: {err}", param=param, error=err)
