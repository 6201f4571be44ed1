"""Many objects of one table brought to a wanted state in the fewest requests: the planner under every job.

A job reads what is there once (:mod:`pyfmg.tableread`: the rows it names, in one filtered ``get``
or a few), compares in memory (:func:`pyfmg.compare.plan_change`; the table's enum choices are
read once, and only when an enum's number meets a name) and writes only what differs:

Writing
    Multi-param requests of ``chunk_size`` params, ``workers`` of them at a time: creates
    (``add`` to the table), then updates (``update`` of the row with only the attributes that
    differ), then deletes (``delete`` of the row).  Creates go first so that updates may refer
    to them, deletes last so that nothing still refers to what goes.
Locking
    In workspace mode and only when something must be written: the narrowest lock
    (:func:`pyfmg.lockscope.lock_scope`), once; one commit; always an unlock, also when the job
    fails or is interrupted.  A lock the caller holds already (``with fmg.workspace(...)``) is used.

Nothing is lost and no write is resent blindly.  An object FortiManager refuses fails on its own.
When a request fails on the way (reply lost, connection dropped) it is unknown which of its writes
were applied: the job reads those keys back, reports what was applied as applied, and sends
again only what is still missing (:data:`MAX_ROUNDS` writes per object at most).  A create
refused because the object appeared meanwhile (``-2``), or an update or delete of one that
vanished (``-3``), is settled the same way.  After ``-11`` (session expired) nothing more is
sent; in workspace mode FortiManager drops the uncommitted changes with the session, and they
are reported failed -- unless ``Retry(relogin=True)`` logged in again, when the job reads back
and rewrites what was dropped.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Callable

from . import bulk
from .compare import ObjectChange, enums_from_syntax, needs_enums, plan_change
from .exceptions import (
    FMGLockError,
    FMGObjectStatusError,
    FMGValidationError,
    FMGValidSessionException,
    FMGValueError,
    FMGWorkspaceError,
    bounded_repr,
)
from .jobresult import ConvergeResult, ObjectResult
from .lockscope import lock_scope
from .tableread import OBJECT_DOES_NOT_EXIST, exchange, read_row, read_rows, status_message, statuses
from .validation import SchemaCache
from .wanted import Want, check_url, want_one, wants_from
from .workspace import SESSION_REFUSED, LockScope, WorkspaceManager

__all__ = [
    "Channel",
    "Want",
    "apply_change",
    "bulk_job",
    "converge",
    "enum_choices",
    "job_scope",
    "object_channel",
    "plan",
    "read_row",
    "read_rows",
    "want_one",
    "wants_from",
]

logger = logging.getLogger(__name__)

Reply = tuple[int, Any]
Progress = Callable[[int, int], None]
#: ``{table URL: {attribute: {name: number}}}``: the enum choices of the tables read so far.
EnumCache = dict[str, dict[str, dict[str, int]]]

ALREADY_EXISTS = -2

#: Writes per object at most: the first, then resends of what reading back showed missing.
MAX_ROUNDS = 3
#: Requests in flight at once unless the caller says otherwise (never more than the pool).
DEFAULT_WORKERS = 4
_PAST = {"create": "created", "update": "updated", "delete": "deleted"}
#: (action, code) pairs that mean "someone else changed it meanwhile": read back and plan again.
_CONFLICTS = {("create", ALREADY_EXISTS), ("update", OBJECT_DOES_NOT_EXIST), ("delete", OBJECT_DOES_NOT_EXIST)}


@dataclass(frozen=True)
class Channel:
    """How a job reaches FortiManager.

    ``send(method, params)`` sends one JSON-RPC request carrying ``params`` and returns
    ``(200, [result, ...])``, one result per param, or ``(code, reply)`` for an answer that is
    not JSON-RPC; it raises when the request failed on the way.  ``workspace`` is the client's
    lock manager (``None``: never lock); ``max_workers`` its connection pool size; ``schemas``
    its cache of table schemas (``None``: a job reads what it needs and keeps it for itself).
    """

    send: bulk.SendChunk
    workspace: WorkspaceManager | None = None
    max_workers: int = 1
    schemas: SchemaCache | None = None


def object_channel(fmg: Any) -> Channel:
    """A channel over single calls, one request per param: ``fmg.get/add/update/delete(url[, param])``.

    For any object with those methods (:class:`pyfmg.converge.ObjectClient`): one-object jobs
    make the calls pyFMG code would make, and test doubles see them.  A client's table schemas
    (:attr:`pyfmg.FortiManager.schemas`) are used, so a table's syntax is read once per client.
    """

    def send(method: str, params: list[dict[str, Any]]) -> Reply:
        results = []
        for param in params:
            url = param["url"]
            rest = {name: value for name, value in param.items() if name != "url"}
            call = getattr(fmg, method)
            code, data = call(url, rest) if rest else call(url)
            result: dict[str, Any] = {"status": {"code": code, "message": status_message(data)}, "url": url}
            if code == 0:
                result["data"] = data
            results.append(result)
        return 200, results

    schemas = getattr(fmg, "schemas", None)
    return Channel(send, schemas=schemas if isinstance(schemas, SchemaCache) else None)


def _fields(key: str, wants: Sequence[Want]) -> list[str]:
    return list(dict.fromkeys([key, *(name for want in wants for name in want.attributes)]))


# --- planning --------------------------------------------------------------------------------------
def plan(
    channel: Channel,
    table_url: str,
    wants: Sequence[Want],
    key: str = "name",
    *,
    workers: int = 1,
    enum_cache: EnumCache | None = None,
    validate: bool = False,
) -> list[ObjectChange]:
    """Read what ``wants`` name and decide what each needs, in order.  Writes nothing.

    With ``validate``, the objects to create or update are checked against the table's schema
    (its syntax rides along with the first read when not known yet) and
    :class:`FMGValidationError` names every object that does not fit.
    """
    check_url(table_url)
    send = channel.send
    schemas = channel.schemas
    if validate:
        if schemas is None:
            schemas = SchemaCache(_syntax_reader(channel.send))
            channel = Channel(channel.send, channel.workspace, channel.max_workers, schemas)
        if not schemas.known(table_url):
            send = _with_syntax(send, table_url, schemas)
    rows = read_rows(send, table_url, key, [want.key_value for want in wants], _fields(key, wants), workers)
    if validate and schemas is not None:
        check_wanted(schemas, table_url, key, wants)
    return _compare(channel, table_url, key, wants, rows, enum_cache)


def check_wanted(schemas: SchemaCache, table_url: str, key: str, wants: Sequence[Want]) -> None:
    """Raise :class:`FMGValidationError` listing, object by object, what the table's schema rules out.

    Only the objects to be present are checked (a delete sends no attributes); each finding
    starts with the object's key value.
    """
    problems: list[str] = []
    for want in wants:
        if want.state != "present":
            continue
        try:
            schemas.validate(table_url, {key: want.key_value, **want.attributes})
        except FMGValidationError as err:
            problems.extend(f"{want.key_value}: {problem}" for problem in err.problems)
    if problems:
        raise FMGValidationError(table_url, problems)


def _syntax_reader(send: bulk.SendChunk) -> Callable[[str, Mapping[str, Any]], Reply]:
    def read(url: str, params: Mapping[str, Any]) -> Reply:
        ((code, data, _message),) = exchange(send, "get", [{"url": url, **params}])
        return code, data

    return read


def _with_syntax(send: bulk.SendChunk, table_url: str, schemas: SchemaCache) -> bulk.SendChunk:
    """``send``, with the table's ``option=syntax`` asked in the same request as the first read.

    The syntax answer goes to ``schemas``; the caller sees the reply to its own params only.
    """
    first = threading.Lock()

    def send_first(method: str, params: list[dict[str, Any]]) -> Reply:
        if method != "get" or not first.acquire(blocking=False):
            return send(method, params)
        code, reply = send(method, [{"url": table_url, "option": "syntax"}, *params])
        if code != 200 or not isinstance(reply, list) or len(reply) != len(params) + 1:
            return code, reply  # not one result per param: the caller's checks report it
        answer = reply[0] if isinstance(reply[0], dict) else {}
        status = answer.get("status")
        if isinstance(status, dict) and isinstance(status.get("code"), int):
            schemas.remember(table_url, status["code"], answer.get("data"))
        return code, reply[1:]

    return send_first


def enum_choices(channel: Channel, table_url: str, enum_cache: EnumCache | None = None) -> dict[str, dict[str, int]]:
    """``{attribute: {name: number}}`` for the table's enum attributes (``get <table> option=syntax``).

    From the channel's schema cache when it has one, else read once into ``enum_cache`` (read
    again on every call without one).  A table FortiManager cannot describe gives ``{}``.
    """
    if channel.schemas is not None:
        return channel.schemas.enums(table_url)
    cache = enum_cache if enum_cache is not None else {}
    if table_url not in cache:
        ((code, data, _message),) = exchange(channel.send, "get", [{"url": table_url, "option": "syntax"}])
        cache[table_url] = enums_from_syntax(code, data)
    return cache[table_url]


def _compare(
    channel: Channel,
    table_url: str,
    key: str,
    wants: Sequence[Want],
    rows: Mapping[str, dict[str, Any]],
    enum_cache: EnumCache | None,
) -> list[ObjectChange]:
    def decide(want: Want, enums: Mapping[str, Mapping[str, int]] | None = None) -> ObjectChange:
        current = rows.get(str(want.key_value))
        attributes = want.attributes  # plan_change copies it
        wanted = attributes if isinstance(attributes, dict) else dict(attributes)
        return plan_change(table_url, want.key_value, wanted, current, key=key, state=want.state, enums=enums)

    changes = [decide(want) for want in wants]
    again = [needs_enums(change) for change in changes]
    if any(again):
        enums = enum_choices(channel, table_url, enum_cache)
        changes = [decide(want, enums) if redo else change for want, change, redo in zip(wants, changes, again)]
    return changes


# --- writing ---------------------------------------------------------------------------------------
def _write_param(change: ObjectChange) -> tuple[str, dict[str, Any]]:
    if change.action == "create":
        return "add", {"url": change.table_url, "data": change.write_payload()}
    if change.action == "update":
        return "update", {"url": change.object_url, "data": change.write_payload()}
    if change.action == "delete":
        return "delete", {"url": change.object_url}
    raise FMGValueError(f"unknown action {bounded_repr(change.action, 80)}; expected create, update or delete")


class _NotSent(Exception):
    """A request the job did not send, because an earlier one showed it would be refused."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class _Job:
    """The writes of one job, their retries and each object's outcome."""

    def __init__(
        self,
        channel: Channel,
        table_url: str,
        key: str,
        wants: Sequence[Want],
        changes: Sequence[ObjectChange],
        *,
        chunk_size: int = bulk.DEFAULT_CHUNK_SIZE,
        workers: int = 1,
        progress: Progress | None = None,
    ) -> None:
        self.channel = channel
        self.table_url = table_url
        self.key = key
        self.wants = wants
        self.changes = list(changes)
        self.chunk_size = chunk_size
        self.workers = workers
        self.progress = progress
        self.outcomes: dict[int, ObjectResult] = {}
        self.written: dict[int, tuple[ObjectChange, Any]] = {}  # applied (uncommitted in workspace mode)
        self.tried: dict[int, ObjectChange] = {}  # the change last sent for an object
        self.stopped: _NotSent | None = None  # set when the session is gone: nothing more is sent
        self.dropped = threading.Event()  # the client logged in again: uncommitted writes are gone
        self.error: BaseException | None = None
        self.progress_done = 0

    # --- outcomes ----------------------------------------------------------------------------------
    def settle(self, index: int, change: ObjectChange, status: str, **details: Any) -> None:
        self.outcomes[index] = ObjectResult(
            index=index,
            key_value=change.key_value,
            status=status,
            action=change.action,
            url=change.object_url,
            changed_attributes=tuple(change.changed_attributes),
            before=change.before,
            after=change.after,
            **details,
        )

    def fail(self, index: int, code: int | None, message: str, error: BaseException | None = None) -> None:
        self.written.pop(index, None)
        self.settle(
            index, self.tried.get(index, self.changes[index]), "failed", code=code, message=message, error=error
        )

    def result(self, check_mode: bool = False) -> ConvergeResult:
        items = tuple(self.outcomes[index] for index in range(len(self.changes)))
        return ConvergeResult(self.table_url, items, check_mode, self.error)

    def tell(self, done: int) -> None:
        self.progress_done = done
        if self.progress is not None:
            self.progress(done, len(self.changes))

    # --- the job -----------------------------------------------------------------------------------
    def run(self, check_mode: bool, scope: LockScope | None, commit: bool, wait: float | None) -> ConvergeResult:
        pending = []
        for index, change in enumerate(self.changes):
            if not change.changed:
                self.settle(index, change, "unchanged", code=0)
            elif check_mode:
                self.settle(index, change, "planned", code=0)
            else:
                pending.append(index)
        self.tell(len(self.changes) - len(pending))
        if not pending:
            return self.result(check_mode)
        if scope is None or self.channel.workspace is None:
            self.write(pending)
        else:
            self.write_locked(self.channel.workspace, scope, pending, commit, wait)
        for index, (change, data) in self.written.items():
            self.settle(index, change, _PAST[change.action], code=0, data=data)
        return self.result()

    def write_locked(
        self, manager: WorkspaceManager, scope: LockScope, pending: list[int], commit: bool, wait: float | None
    ) -> None:
        stage = "lock"
        commit_lost: BaseException | None = None
        try:
            with manager.session(scope, commit=False, wait=wait):
                stage = "write"
                self.write(pending)
                stage = "commit"
                if commit and self.written and self.stopped is None:
                    commit_lost = self.commit(manager, scope)
                elif self.stopped is not None:
                    self.drop_written(
                        self.stopped.code, "written, but FortiManager dropped it uncommitted with the session"
                    )
                stage = "unlock"
        except Exception as err:
            if stage == "write":
                raise  # the caller's progress callback, or a bug: the lock is released, the error is theirs
            self.error = err
            if stage == "lock":
                code = err.code if isinstance(err, FMGWorkspaceError) else None
                for index in pending:
                    self.fail(index, code, f"nothing written: {err}", err)
            else:
                logger.warning("%s after the job on %s: %s", stage.capitalize(), self.table_url, err)
        except BaseException:
            if stage == "write":
                logger.warning(
                    "Job on %s interrupted after %d writes; unlocking drops what was not committed",
                    self.table_url,
                    len(self.written),
                )
            raise
        finally:
            if stage == "lock" and scope in manager.maybe_locked and scope not in manager.held:
                # The lock request failed after it may have been granted: do not leave it for logout.
                try:
                    manager.unlock(scope)
                except Exception as err:
                    logger.warning("Unlocking %s after a failed lock request failed: %s", scope.name, err)
        if commit_lost is not None:
            self.settle_by_reading(commit_lost)

    def commit(self, manager: WorkspaceManager, scope: LockScope) -> BaseException | None:
        """Commit; a refusal fails what was written, a lost answer is returned to be settled by reading back."""
        try:
            code, data = manager.commit(scope)
        except Exception as err:
            return err
        if code != 0:
            error = FMGWorkspaceError(
                f"Commit of {scope.name} failed: code {code}, {status_message(data)}; "
                "the changes were not saved and unlocking drops them",
                scope=scope.name,
                code=code,
                message=status_message(data),
            )
            self.error = error
            self.drop_written(code, f"not committed: {error}")
        return None

    def drop_written(self, code: int | None, message: str) -> None:
        for index in list(self.written):
            self.fail(index, code, message)

    def settle_by_reading(self, commit_error: BaseException) -> None:
        """The commit's answer was lost: what reading back shows is what FortiManager kept.

        When every write is there, the commit went through and the job is fine; otherwise the
        lost answer is the job's error.
        """
        indexes = list(self.written)
        try:
            current = self.reread(indexes)
        except Exception as err:
            self.error = commit_error
            for index in indexes:
                self.fail(index, None, f"unknown whether committed: {commit_error}; reading back failed: {err}", err)
            return
        for index, change in zip(indexes, current):
            if change.changed:
                self.error = commit_error
                self.fail(index, None, f"not committed: {commit_error}", commit_error)
        if self.error is None:
            logger.warning("The answer to the commit on %s was lost; reading back shows it applied", self.table_url)

    def reread(self, indexes: list[int]) -> list[ObjectChange]:
        wants = [self.wants[index] for index in indexes]
        fields = _fields(self.key, wants)
        rows = read_rows(
            self.channel.send, self.table_url, self.key, [w.key_value for w in wants], fields, self.workers
        )
        return _compare(self.channel, self.table_url, self.key, wants, rows, None)

    # --- writes and their retries ------------------------------------------------------------------
    def write(self, pending: list[int]) -> None:
        attempt = {index: self.changes[index] for index in pending}
        for round_number in range(1, MAX_ROUNDS + 1):
            suspects = self.send_round(attempt, first=round_number == 1)
            if not suspects:
                return
            if self.stopped is not None:
                for index, (code, message, error) in suspects.items():
                    self.fail(index, code, f"unknown whether applied: {message}" if code is None else message, error)
                return
            attempt = self.recheck(suspects, last=round_number == MAX_ROUNDS)

    def send_round(
        self, attempt: dict[int, ObjectChange], first: bool
    ) -> dict[int, tuple[int | None, str, BaseException | None]]:
        """Send ``attempt``; what must be read back to be known: ``{index: (code, message, error)}``."""
        by_method: dict[str, list[tuple[int, dict[str, Any]]]] = {"add": [], "update": [], "delete": []}
        for index, change in attempt.items():
            self.tried[index] = change
            method, param = _write_param(change)
            by_method[method].append((index, param))
        suspects: dict[int, tuple[int | None, str, BaseException | None]] = {}
        for method, entries in by_method.items():
            if not entries:
                continue
            start = self.progress_done

            def told(done: int, _total: int, start: int = start) -> None:
                self.tell(start + done)

            workers = max(1, min(self.workers, math.ceil(len(entries) / self.chunk_size)))
            items = bulk.run(
                self.send, method, [param for _, param in entries], self.chunk_size, workers, told if first else None
            )
            for (index, _), item in zip(entries, items):
                self.classify(index, attempt[index], item, suspects)
        if self.dropped.is_set():
            self.dropped.clear()
            for index in list(self.written):
                self.written.pop(index)
                suspects[index] = (SESSION_REFUSED, "the session expired before the commit", None)
        return suspects

    def classify(
        self,
        index: int,
        change: ObjectChange,
        item: bulk.ItemResult,
        suspects: dict[int, tuple[int | None, str, BaseException | None]],
    ) -> None:
        if item.ok:
            self.written[index] = (change, item.data)
        elif item.code is not None and (change.action, item.code) in _CONFLICTS:
            suspects[index] = (item.code, item.message, None)  # someone else changed it meanwhile
        elif item.code is not None:
            self.fail(index, item.code, item.message)
        elif isinstance(item.error, (_NotSent, FMGValidSessionException, FMGLockError)):
            code = getattr(item.error, "code", SESSION_REFUSED)
            self.fail(index, code if isinstance(code, int) else SESSION_REFUSED, str(item.error), item.error)
        else:  # lost on the way, or refused by a session the client replaced: read back to know
            suspects[index] = (None, str(item.error), item.error)

    def send(self, method: str, params: list[dict[str, Any]]) -> Reply:
        if self.stopped is not None:
            raise self.stopped
        try:
            code, reply = self.channel.send(method, params)
        except FMGLockError as err:
            self.stopped = _NotSent(
                f"not sent: the session expired and its lock could not be taken back ({err})", SESSION_REFUSED
            )
            raise
        except FMGWorkspaceError as err:
            if err.code == SESSION_REFUSED:
                self.dropped.set()  # logged in again; what the old session wrote is gone
            raise
        except FMGValidSessionException as err:
            self.stopped = _NotSent(f"not sent: no session ({err})", SESSION_REFUSED)
            raise
        answers = statuses(method, params, code, reply)
        if all(answer[0] == SESSION_REFUSED for answer in answers):
            self.stopped = _NotSent("not sent: the session expired (-11) earlier in this job", SESSION_REFUSED)
        return code, reply

    def recheck(
        self, suspects: dict[int, tuple[int | None, str, BaseException | None]], last: bool
    ) -> dict[int, ObjectChange]:
        """Read the suspects back: settle what is as wanted, return what must be sent again."""
        indexes = list(suspects)
        try:
            current = self.reread(indexes)
        except Exception as err:
            for index in indexes:
                code, message, error = suspects[index]
                self.fail(index, code, f"unknown whether applied ({message}); reading back failed: {err}", error or err)
            return {}
        again: dict[int, ObjectChange] = {}
        for index, change in zip(indexes, current):
            code, message, error = suspects[index]
            if not change.changed:
                if code is not None and code != SESSION_REFUSED:
                    self.tried[index] = change
                    self.settle(index, change, "unchanged", code=0)  # someone else made it so
                else:
                    self.written[index] = (self.tried[index], None)  # our write arrived
            elif last:
                self.fail(index, code, f"still not as wanted after {MAX_ROUNDS} writes: {message}", error)
            else:
                again[index] = change
        return again


# --- jobs ------------------------------------------------------------------------------------------
def _covering(held: Iterable[LockScope], needed: LockScope) -> LockScope | None:
    """A scope this client holds already that covers ``needed`` (the same one, or its whole ADOM)."""
    return next((scope for scope in held if scope.covers(needed)), None)


def job_scope(channel: Channel, table_url: str, commit: bool, lock_adom: Any = None) -> LockScope | None:
    """The lock a job writing to ``table_url`` needs: ``None`` outside workspace mode.

    ``lock_adom`` names a whole ADOM to lock instead of the narrowest scope (it must be the ADOM
    the URL is in).  Raises :class:`FMGLockScopeError` when the URL does not tell, and
    :class:`FMGValueError` for a ``lock_adom`` that does not cover the URL, or ``commit=False``
    without a lock held by the caller (unlocking would drop the changes).
    """
    try:
        wanted = None if lock_adom is None else LockScope(lock_adom)  # the name is checked in any mode
    except FMGValueError as exc:
        raise FMGValueError(f"lock_adom: {exc}") from None
    manager = channel.workspace
    if manager is None or not manager.uses_workspace:
        return None
    needed = lock_scope("add", table_url)
    if wanted is not None:
        if needed is not None and not wanted.covers(needed):
            raise FMGValueError(
                f"lock_adom={bounded_repr(lock_adom, 80)} does not cover {bounded_repr(table_url, 200)}, "
                f"which needs the lock of {needed.name}"
            )
        needed = wanted
    if needed is None:
        return None
    held = _covering(manager.held, needed)
    if held is not None:
        return held
    if not commit:
        raise FMGValueError(
            f"commit=False would leave the changes to {table_url} uncommitted, and unlocking {needed.name} at the "
            "end of the job would drop them; use it inside your own `with fmg.workspace(...)` block"
        )
    return needed


def _check_options(chunk_size: Any, workers: Any, max_workers: int, progress: Any, wait: Any) -> int:
    if workers is None:
        workers = min(DEFAULT_WORKERS, max_workers)
    bulk.check_options("converge", chunk_size, workers, max_workers)
    if progress is not None and not callable(progress):
        raise FMGValueError(
            f"progress must be a function called as progress(done, total), got {bounded_repr(progress, 80)}"
        )
    if wait is not None and (isinstance(wait, bool) or not isinstance(wait, (int, float)) or wait != wait):
        raise FMGValueError(f"wait must be a number of seconds or None, got {bounded_repr(wait, 80)}")
    return int(workers)


def converge(
    channel: Channel,
    url: Any,
    objects: Any = (),
    *,
    key: Any = "name",
    absent: Any = (),
    check_mode: bool = False,
    chunk_size: Any = bulk.DEFAULT_CHUNK_SIZE,
    workers: Any = None,
    commit: bool = True,
    wait: Any = None,
    progress: Progress | None = None,
    validate: bool = False,
    lock_adom: Any = None,
) -> ConvergeResult:
    """Bring the objects of table ``url`` to the wanted state; see :meth:`pyfmg.FortiManager.converge`."""
    table_url = check_url(url)
    wants = wants_from(objects, absent, key)
    worker_count = _check_options(chunk_size, workers, channel.max_workers, progress, wait)
    scope = None if check_mode else job_scope(channel, table_url, bool(commit), lock_adom)
    if not wants:
        return ConvergeResult(table_url, (), bool(check_mode))
    changes = plan(channel, table_url, wants, key, workers=worker_count, validate=validate)
    job = _Job(channel, table_url, key, wants, changes, chunk_size=chunk_size, workers=worker_count, progress=progress)
    result = job.run(bool(check_mode), scope, bool(commit), wait)
    logger.info("converge %s: %s", table_url, result.summary)
    return result


def apply_change(channel: Channel, change: ObjectChange) -> Any:
    """Send the one write ``change`` plans, in one request without lock or retries; FortiManager's data.

    Raises :class:`FMGObjectStatusError` when FortiManager refuses it, and the exception of a
    request that failed on the way as it is (:class:`FMGValidSessionException` without a
    session, a connection error...).
    """
    if change.action == "none":
        return None
    method, param = _write_param(change)
    ((code, data, message),) = exchange(channel.send, method, [param])
    if code != 0:
        raise FMGObjectStatusError(method, param["url"], code, message)
    logger.info("%s %s (%s)", method, change.object_url, ", ".join(change.changed_attributes) or "no attributes")
    return data


def bulk_job(
    channel: Channel,
    method: str,
    params: Sequence[dict[str, Any]],
    *,
    chunk_size: int,
    workers: int,
    progress: Progress | None,
    scope: LockScope | None,
    commit: bool,
) -> list[bulk.ItemResult]:
    """``fmg.bulk``: params sent as given, under one lock when ``scope`` is given; lock and commit errors raise."""

    def run() -> list[bulk.ItemResult]:
        return bulk.run(channel.send, method, params, chunk_size, workers, progress, channel.max_workers)

    if scope is None or channel.workspace is None:
        return run()
    with channel.workspace.session(scope, commit=commit):
        return run()
