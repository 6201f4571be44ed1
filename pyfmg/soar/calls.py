"""Session, request and workspace plumbing shared by the adapter's operations.

Requests go out through ``FortiManager.free_form`` so that every answer keeps FortiManager's status
code and message next to its data (the verb methods return only one of the two). Writes run inside
``FortiManager.workspace`` on the narrowest lock :func:`pyfmg.lockscope.lock_scope` names; the client
takes, waits for, commits and releases that lock.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any, Callable

from pyfmg import (
    FMGBaseException,
    FMGValidSessionException,
    FortiManager,
    LockScope,
    Retry,
    lock_scope,
    resolve_package_path,
)
from pyfmg.soar.config import SOARConfig, as_bool, as_number, as_text
from pyfmg.soar.errors import NOT_JSON_HINT, SOARError, fmg_failure, translated_errors

logger = logging.getLogger(__name__)

#: With ``debug`` on, every request and answer (secrets masked) is logged at INFO here.
EXCHANGE_LOGGER = "pyfmg.soar.exchanges"
#: Seconds before the first repeat of a failed read (doubling, plus as much random jitter).
RETRY_BACKOFF = 0.5

Result = dict[str, Any]
Params = dict[str, Any]

OBJECT_MISSING = -3


def escape_name(name: str) -> str:
    """An object name as a URL segment (FortiManager escapes ``/`` inside names as ``\\/``)."""
    return name.replace("/", "\\/")


def adom_param(params: Params) -> str:
    """The action's ``adom`` parameter; ``root`` (FortiManager's default ADOM) when empty."""
    return as_text(params.get("adom"), "adom", required=False) or "root"


@contextlib.contextmanager
def fmg_session(cfg: SOARConfig) -> Iterator[FortiManager]:
    """A logged-in client; always logged out (releasing its locks), also when the body raised.
    Client exceptions from the login, the body and the logout come out as :class:`SOARError`."""
    scrubbers: list[Callable[[str], str]] = []
    with translated_errors(cfg.host, cfg.timeout, cfg.secrets, scrubbers):
        fmg = FortiManager(
            cfg.host,
            cfg.username,
            cfg.password,
            use_ssl=cfg.use_ssl,
            verify_ssl=cfg.verify_ssl,
            timeout=cfg.timeout,
            disable_request_warnings=True,
            apikey=cfg.api_key,
            # Reads (and task polls) survive a proxy's 502 or a reset while FortiManager restarts; a
            # call refused with -11 (expired session) is sent again after a new login.
            retry=Retry(
                relogin=True, reads=cfg.read_retries, backoff_factor=RETRY_BACKOFF, backoff_jitter=RETRY_BACKOFF
            ),
        )
        scrubbers.append(fmg.redact)
        if cfg.debug:
            # Logged, not printed (the client's debug=True prints): SOAR platforms collect logs.
            fmg.getLog(EXCHANGE_LOGGER, logging.INFO)
        try:
            code, _answer = fmg.login()
        except FMGValidSessionException as error:
            if "not JSON" in str(error):
                raise SOARError(
                    f"FortiManager at {cfg.host} did not answer the login with JSON-RPC ({error}). {NOT_JSON_HINT}"
                ) from None
            raise SOARError(
                "FortiManager at {} refused the login ({}). Check the {} and that the API user has JSON-RPC "
                "access (rpc-permit read-write)".format(
                    cfg.host, error, "API key" if cfg.api_key else "username and password"
                )
            ) from None
        if code != 0:
            raise SOARError(
                "FortiManager at {} refused the login (code {}). Check the {} and that the API user has "
                "JSON-RPC access (rpc-permit read-write)".format(
                    cfg.host, code, "API key" if cfg.api_key else "username and password"
                ),
                code=code if isinstance(code, int) else None,
            )
        try:
            yield fmg
        finally:
            try:
                fmg.logout()
            except (FMGBaseException, OSError, ValueError) as error:
                # The action's own outcome matters more than a failed goodbye; the session idles out.
                logger.warning("logout from %s failed: %s", cfg.host, type(error).__name__)


def send(fmg: FortiManager, method: str, params: list[dict[str, Any]]) -> list[Result]:
    """Send one JSON-RPC request with ``params``; return one ``{url, code, message, data}`` per param."""
    code, answer = fmg.free_form(method, data=params)
    if isinstance(answer, dict):
        answer = [answer]
    if not isinstance(answer, list):
        raise SOARError(
            "FortiManager answered {} {} with something that is not a JSON-RPC result (code {})".format(
                method, params[0].get("url") if params else "", code
            ),
            code=code if isinstance(code, int) else None,
        )
    results: list[Result] = []
    for index, item in enumerate(answer):
        fallback_url = params[index].get("url") if index < len(params) else None
        if not isinstance(item, dict):
            results.append({"url": fallback_url, "code": None, "message": "malformed result", "data": None})
            continue
        status = item["status"] if isinstance(item.get("status"), dict) else {}
        results.append(
            {
                "url": item.get("url", fallback_url),
                "code": status.get("code"),
                "message": status.get("message"),
                "data": item.get("data"),
            }
        )
    return results


_NO_DATA = object()


def call(fmg: FortiManager, method: str, url: str, data: Any = _NO_DATA, **fields: Any) -> Result:
    """One request to one URL; ``fields`` go next to ``url`` in the param (``fields``, ``filter``...)."""
    param: dict[str, Any] = dict(fields)
    param["url"] = url
    if data is not _NO_DATA:
        param["data"] = data
    results = send(fmg, method, [param])
    if not results:
        raise SOARError(f"FortiManager sent an empty result list for {method} {url}", url=url)
    return results[0]


def require_ok(result: Result, action: str) -> Result:
    """``result`` if FortiManager answered code 0, else the matching :class:`SOARError`."""
    if result.get("code") != 0:
        raise fmg_failure(action, result.get("code"), result.get("message"), result.get("url"))
    return result


def get_existing(fmg: FortiManager, url: str, missing: str) -> Any:
    """The data of the object at ``url``; ``missing`` is the error text when it does not exist."""
    answer = call(fmg, "get", url)
    if answer.get("code") == OBJECT_MISSING:
        raise SOARError(missing, code=OBJECT_MISSING, fmg_message=answer.get("message"), url=url)
    return require_ok(answer, "get").get("data")


class LockReport:
    """What a write did with the workspace: the lock it held and whether it committed."""

    def __init__(self) -> None:
        self.scope = ""
        self.committed = False

    def as_dict(self) -> dict[str, Any]:
        return {"lock_scope": self.scope, "committed": self.committed}


@contextlib.contextmanager
def locked(
    fmg: FortiManager, cfg: SOARConfig, method: str, params: list[dict[str, Any]], adom: str | None
) -> Iterator[LockReport]:
    """Run the body under the narrowest workspace lock covering ``method`` on ``params``; commit when
    the body succeeds, release in every case. Outside workspace mode, or when the request needs no
    lock, the body just runs."""
    report = LockReport()
    if not fmg.workspace_mode:
        yield report
        return
    scope = lock_scope(method, params, adom=adom, narrow=cfg.narrow_locks)
    if scope is None:
        yield report
        return
    package = resolve_package_path(fmg, scope.adom or "root", scope.package) if scope.package else None
    held = LockScope(scope.adom, package=package, device=scope.device)
    report.scope = held.name
    body_done = False
    try:
        with fmg.workspace(held.adom, package=held.package, device=held.device, commit=True, wait=cfg.lock_wait):
            yield report
            body_done = True
    except SOARError:
        raise
    except (FMGBaseException, ValueError, OSError) as error:
        if body_done:
            raise SOARError(
                "The change was made but committing workspace {} failed ({}); nothing was saved and the "
                "lock was released, run the action again".format(held.name, type(error).__name__ + ": " + str(error)),
                details={"lock_scope": held.name},
            ) from error
        raise
    report.committed = True


def task_options(params: dict[str, Any]) -> dict[str, Any]:
    """``track_task`` keyword arguments from the action's task parameters."""
    return {
        "sleep_time": as_number(params.get("poll_interval"), "poll_interval", 3.0),
        "timeout": as_number(params.get("task_timeout"), "task_timeout", 600.0),
        "zero_percent_timeout": as_number(params.get("zero_percent_timeout"), "zero_percent_timeout", 60.0),
        "task_stale_timeout": as_number(params.get("task_stale_timeout"), "task_stale_timeout", 120.0),
        "delete_task_on_timeout": as_bool(params.get("delete_task_on_timeout"), "delete_task_on_timeout", False),
        "timeout_only": False,
    }


def find_task_id(data: Any) -> int | None:
    """The task an exec started, from ``data.task`` / ``data.taskid`` (None when there is none)."""
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict):
        return None
    for key in ("task", "taskid", "task_id"):
        value = data.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return int(value)
    return None


def follow_task(fmg: FortiManager, task_id: int, options: dict[str, Any]) -> dict[str, Any]:
    """Wait for a task; return ``{"task_ok": bool, "task": info}``. A task that does not finish in
    time raises :class:`SOARError` (its outcome is unknown)."""
    code, info = fmg.track_task(task_id, **options)
    if code != 0:
        reason = info.get("msg") if isinstance(info, dict) else None
        raise SOARError(
            "Task {} did not finish: {}. Look it up in FortiManager's task monitor before running the "
            "action again".format(task_id, reason or f"FortiManager answered code {code}"),
            code=code if isinstance(code, int) else None,
            details={"task_id": task_id, "task": info if isinstance(info, dict) else {}},
        )
    task = info if isinstance(info, dict) else {}
    return {"task_ok": task_succeeded(task), "task": task}


_FAILED_TASK_STATES = frozenset({3, 5, 7, "cancelled", "error", "aborted"})


def task_succeeded(task: dict[str, Any]) -> bool:
    """A finished task succeeded when no line erred (``percent`` reaches 100 even on errors)."""
    try:
        errors = int(task.get("num_err", 0) or 0)
    except (TypeError, ValueError):
        errors = 1
    return errors == 0 and task.get("state") not in _FAILED_TASK_STATES
