# Copyright: pyfmg contributors
# Apache License 2.0 (see LICENSE in the repository root)
"""Glue shared by the pyfmg.fortimanager modules.

It holds the one argument spec every module takes, opens a pyfmg client (logged out on every
path), wraps writes in the workspace lock, and turns every failure into ``fail_json`` with
FortiManager's code, message and URL. FortiManager logic itself lives in the pyfmg library.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Callable

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

try:
    from pyfmg import (
        FMGBaseException,
        FMGConnectionError,
        FMGLockError,
        FMGLockScopeError,
        FMGObjectStatusError,
        FMGResponseNotFormedCorrect,
        FMGValidSessionException,
        FMGValueError,
        FMGWorkspaceError,
        FortiManager,
        LockScope,
        converge,
        lock_scope,
    )

    # pyFMG-compatible classes that do not derive from FMGBaseException are caught too.
    FMG_ERRORS: tuple = (FMGBaseException, FMGConnectionError, FMGResponseNotFormedCorrect, FMGValueError)
except ImportError:
    # new_module() turns this into Ansible's standard "missing required library" failure.
    PYFMG_IMPORT_ERROR: str | None = traceback.format_exc()
    converge = None  # type: ignore[assignment]
    FMG_ERRORS = ()
else:
    PYFMG_IMPORT_ERROR = None

__all__ = [
    "FMG_ARGUMENT_SPEC",
    "FMGModuleFailure",
    "check_status",
    "converge",
    "failure_from_exception",
    "fmg_argument_spec",
    "fmg_client",
    "follow_task",
    "mask_secret_attributes",
    "new_module",
    "run_module",
    "task_id_of",
    "workspace_url",
    "write_lock",
    "write_scope",
]

#: Returned by FortiManager when another session holds the workspace lock.
LOCKED_BY_OTHER = -20055

FMG_ARGUMENT_SPEC: dict[str, dict[str, Any]] = {
    "host": {"type": "str", "required": True, "fallback": (env_fallback, ["PYFMG_HOST"])},
    "username": {"type": "str", "aliases": ["user"], "fallback": (env_fallback, ["PYFMG_USER"])},
    "password": {"type": "str", "no_log": True, "fallback": (env_fallback, ["PYFMG_PASSWORD"])},
    "api_key": {"type": "str", "no_log": True, "fallback": (env_fallback, ["PYFMG_APIKEY"])},
    "use_ssl": {"type": "bool", "default": True, "fallback": (env_fallback, ["PYFMG_USE_SSL"])},
    "verify_ssl": {"type": "bool", "default": False, "fallback": (env_fallback, ["PYFMG_VERIFY_SSL"])},
    "timeout": {"type": "int", "default": 300},
    "adom": {"type": "str", "default": "root", "fallback": (env_fallback, ["PYFMG_ADOM"])},
    "lock_wait": {"type": "float", "default": 0},
}


class FMGModuleFailure(Exception):
    """A failure to report through ``fail_json``: a message plus FortiManager's code and URL."""

    def __init__(self, msg: str, code: int | None = None, message: str = "", url: str = "", **extra: Any) -> None:
        super().__init__(msg)
        self.msg = msg
        self.code = code
        self.message = message
        self.url = url
        self.extra = extra


def fmg_argument_spec(**module_options: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The shared connection options plus the module's own."""
    spec = {name: dict(option) for name, option in FMG_ARGUMENT_SPEC.items()}
    spec.update(module_options)
    return spec


def new_module(
    argument_spec: dict[str, dict[str, Any]], required_one_of: list[list[str]] | None = None, **kwargs: Any
) -> AnsibleModule:
    """An AnsibleModule that needs a password or an API key, and fails cleanly without pyfmg."""
    module = AnsibleModule(
        argument_spec=argument_spec,
        required_one_of=[["password", "api_key"], *(required_one_of or [])],
        **kwargs,
    )
    if PYFMG_IMPORT_ERROR is not None:
        module.fail_json(msg=missing_required_lib("pyfmg"), exception=PYFMG_IMPORT_ERROR)
    if not module.params["api_key"] and not module.params["username"]:
        module.fail_json(msg="username is required when logging in with a password")
    return module


def _status_message(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("status"), dict):
        return str(data["status"].get("message", ""))
    return ""


def check_status(code: Any, data: Any, method: str, url: str) -> None:
    """Raise FMGModuleFailure unless FortiManager answered with status 0."""
    if code != 0:
        message = _status_message(data)
        raise FMGModuleFailure(
            f"FortiManager refused {method} {url}: status {code} ({message})",
            code=code,
            message=message,
            url=url,
        )


@contextmanager
def fmg_client(module: AnsibleModule, verbose: bool = False) -> Iterator[Any]:
    """A logged-in client; on the way out every lock it took is released and it logs out."""
    params = module.params
    api_key = params["api_key"]
    # The client uses the API key only when no password is given; the key wins when both are set.
    fmg = FortiManager(
        params["host"],
        None if api_key else params["username"],
        None if api_key else params["password"],
        apikey=api_key or None,
        use_ssl=params["use_ssl"],
        verify_ssl=params["verify_ssl"],
        timeout=params["timeout"],
        verbose=verbose,
        disable_request_warnings=True,
    )
    try:
        fmg.login()
    except FMGValidSessionException as exc:
        raise login_failure(fmg, exc) from exc
    # The client's own exit releases its locks and logs out, also when the block raised.
    try:
        yield fmg
    except BaseException as exc:
        fmg.__exit__(type(exc), exc, exc.__traceback__)
        raise
    fmg.__exit__(None, None, None)


def login_failure(fmg: Any, exc: BaseException) -> BaseException:
    """FortiManager's own code and message for a refused login (-22 Login fail, -11...)."""
    reply = getattr(fmg.req_resp_object, "response_json", None)
    status = reply.get("status") if isinstance(reply, dict) else None
    if not isinstance(status, dict) or status.get("code") in (None, 0):
        return exc
    message = str(status.get("message", ""))
    return FMGModuleFailure(
        f"login refused: {exc}", code=status["code"], message=message, url=str(reply.get("url") or "sys/login/user")
    )


def write_scope(module: AnsibleModule, method: str, url: str, data: Any = None) -> Any:
    """The narrowest workspace lock a write needs (pyfmg.lockscope), or None when it needs none.

    A policy-package table locks only its package, an object table its ADOM. When the request
    does not say, writes to ``pm/`` URLs lock the ADOM of the ``adom`` option and others lock nothing.
    """
    try:
        return lock_scope(method, url, data, adom=module.params["adom"])
    except FMGLockScopeError as exc:
        if url.lstrip("/").startswith("pm/"):
            module.warn(f"{exc}; locking ADOM {module.params['adom']}")
            return LockScope(module.params["adom"])
        return None


@contextmanager
def write_lock(fmg: Any, module: AnsibleModule, scope: Any, commit: bool = True) -> Iterator[None]:
    """Hold the workspace lock ``scope`` around a write (a no-op outside workspace mode).

    pyfmg commits when the block succeeds and always unlocks.
    """
    if scope is None:
        yield
        return
    wait = module.params.get("lock_wait") or None
    with fmg.workspace(scope.adom, package=scope.package, device=scope.device, commit=commit, wait=wait):
        yield


#: Task states that mean the task did not do its work (numeric and symbolic forms).
FAILED_TASK_STATES = {3, 5, 7, "cancelled", "error", "aborted"}


def task_id_of(data: Any) -> Any:
    """The task id a reply carries (``task`` or ``taskid``), or None."""
    if isinstance(data, dict):
        for name in ("task", "taskid"):
            if data.get(name) not in (None, "", 0):
                return data[name]
    return None


def follow_task(fmg: Any, data: Any, url: str, timeout: int, poll_interval: float) -> dict[str, Any]:
    """Wait for the task a request started; raise FMGModuleFailure when it ends badly."""
    task_id = task_id_of(data)
    if task_id is None:
        raise FMGModuleFailure(f"the reply to {url} carries no task id", url=url, data=data)
    task_url = f"/task/task/{task_id}"
    code, task = fmg.track_task(task_id, sleep_time=poll_interval, timeout=timeout)
    if code != 0:
        message = _status_message(task) or (task.get("msg", "") if isinstance(task, dict) else str(task))
        raise FMGModuleFailure(
            f"task {task_id} could not be followed: {message}", code=code, message=message, url=task_url, task=task
        )
    if not isinstance(task, dict):
        raise FMGModuleFailure(f"task {task_id}: unexpected reply {task!r}", url=task_url)
    if "line" not in task:
        line_code, lines = fmg.get(f"{task_url}/line")
        task["line"] = lines if line_code == 0 and isinstance(lines, list) else []
    state = task.get("state")
    errors = int(task.get("num_err") or 0)
    if errors or state in FAILED_TASK_STATES:
        details = "; ".join(
            f"{line.get('name', '?')}: {line.get('detail', '')}"
            for line in task["line"]
            if isinstance(line, dict) and (line.get("err") or line.get("state") in FAILED_TASK_STATES)
        )
        message = f"task {task_id} ended in state {state} with {errors} error(s)"
        if details:
            message += f": {details}"
        raise FMGModuleFailure(
            message, code=state if isinstance(state, int) else None, message=message, url=task_url, task=task
        )
    return task


#: Attribute names whose values are secrets in FortiOS/FortiManager schemas (passwd, psksecret,
#: auth-password, private-key...): their values are never echoed in results or diffs.
SECRET_ATTRIBUTE = re.compile(r"passw|secret|psk|private-key|^key$|token", re.IGNORECASE)
MASK = "********"


def mask_secret_attributes(value: Any) -> Any:
    """A copy of ``value`` with the values of secret-looking attributes replaced by a mask."""
    if isinstance(value, dict):
        return {
            name: MASK
            if SECRET_ATTRIBUTE.search(str(name)) and item not in (None, "", [])
            else mask_secret_attributes(item)
            for name, item in value.items()
        }
    if isinstance(value, list):
        return [mask_secret_attributes(item) for item in value]
    return value


def _secrets(module: AnsibleModule) -> list[str]:
    return [value for value in (module.params.get("password"), module.params.get("api_key")) if value]


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "********")
    return text


def workspace_url(scope: str, action: str) -> str:
    """URL of a workspace action for a pyfmg lock scope (``root``, ``global``, ``root/pkg/p``...)."""
    adom, _slash, rest = scope.partition("/")
    base = "/dvmdb/global/workspace" if adom.lower() == "global" else f"/dvmdb/adom/{adom}/workspace"
    return f"{base}/{action}/{rest}" if rest else f"{base}/{action}"


def failure_from_exception(exc: BaseException) -> FMGModuleFailure:
    """Map a pyfmg exception to the code/message/url a playbook author needs."""
    if isinstance(exc, FMGModuleFailure):
        return exc
    code = getattr(exc, "code", None)
    url = getattr(exc, "url", None) or ""
    message = getattr(exc, "status_message", None) or getattr(exc, "message", None) or str(exc)
    if isinstance(exc, FMGWorkspaceError):
        scope = getattr(exc, "scope", None) or ""
        is_lock = isinstance(exc, FMGLockError)
        if code is None and is_lock:
            code = LOCKED_BY_OTHER
        if not url and scope:
            url = workspace_url(scope, "lock" if is_lock else "commit")
        holder = getattr(exc, "holder", None)
        if holder:
            message = f"{message} (held by {holder})"
    elif isinstance(exc, FMGObjectStatusError):
        message = exc.status_message
    return FMGModuleFailure(
        f"{type(exc).__name__}: {exc}", code=code, message=str(message), url=url, error_type=type(exc).__name__
    )


def run_module(module: AnsibleModule, body: Callable[[Any], dict[str, Any]], verbose: bool = False) -> None:
    """Open a client, run ``body(fmg)``, log out, then exit_json/fail_json with its result."""
    secrets = _secrets(module)
    try:
        with fmg_client(module, verbose=verbose) as fmg:
            result = body(fmg)
    except (*FMG_ERRORS, FMGModuleFailure) as exc:
        failure = failure_from_exception(exc)
        extra = {key: value for key, value in failure.extra.items() if key not in ("msg", "failed")}
        module.fail_json(
            msg=_scrub(failure.msg, secrets),
            code=failure.code,
            message=_scrub(failure.message, secrets),
            url=failure.url,
            **extra,
        )
    module.exit_json(**result)
