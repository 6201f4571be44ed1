# Copyright: pyfmg contributors
# Apache License 2.0 (see LICENSE in the repository root)
"""Glue shared by the pyfmg.fortimanager modules and the httpapi connection process.

It opens a pyfmg client for a module process (logged out on every path), wraps writes in the
workspace lock, follows tasks, and turns every failure into FortiManager's code, message and
URL, secrets masked. What each module does is in module_utils/tasks.py; FortiManager logic
itself lives in the pyfmg library.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Callable

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE

from ansible_collections.pyfmg.fortimanager.plugins.module_utils.specs import (
    LOCKS_FACT,
    argument_spec,
    module_keywords,
)

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
        Redactor,
        Retry,
        lock_scope,
    )

    # pyFMG-compatible classes that do not derive from FMGBaseException are caught too.
    FMG_ERRORS: tuple = (FMGBaseException, FMGConnectionError, FMGResponseNotFormedCorrect, FMGValueError)
except ImportError:
    # new_module() turns this into Ansible's standard "missing required library" failure.
    PYFMG_IMPORT_ERROR: str | None = traceback.format_exc()
    Redactor = Retry = FortiManager = None  # type: ignore[assignment,misc]
    FMG_ERRORS = ()
else:
    PYFMG_IMPORT_ERROR = None

__all__ = [
    "FMGModuleFailure",
    "PlayWorkspace",
    "TaskContext",
    "check_rc",
    "check_status",
    "failure_from_exception",
    "fmg_client",
    "follow_task",
    "mask_secret_attributes",
    "new_module",
    "reply_meta",
    "run_module",
    "task_id_of",
    "task_log",
    "verify_setting",
    "workspace_url",
    "write_lock",
    "write_scope",
]

#: Returned by FortiManager when another session holds the workspace lock.
LOCKED_BY_OTHER = -20055


class FMGModuleFailure(Exception):
    """A failure to report through ``fail_json``: a message plus FortiManager's code and URL."""

    def __init__(self, msg: str, code: int | None = None, message: str = "", url: str = "", **extra: Any) -> None:
        super().__init__(msg)
        self.msg = msg
        self.code = code
        self.message = message
        self.url = url
        self.extra = extra


class PlayWorkspace:
    """The workspace locks a play holds across its tasks (``fmg_workspace``), in the httpapi connection.

    A write that one of these locks covers is neither locked, committed nor unlocked by its own
    task: it stays uncommitted until the ``fmg_workspace`` task that releases the lock commits
    it, and is listed here meanwhile, so that a task failing in between can say what is still
    uncommitted. The connection releases every lock when the play ends (FortiManager then drops
    what was not committed). ``connection_id`` names this connection process: the locks a host's
    facts say the play holds must be this process's, or they were lost with an earlier one.
    """

    def __init__(self, connection_id: str) -> None:
        self.connection_id = connection_id
        self.locks: dict[str, Any] = {}  # scope name -> LockScope
        self.uncommitted: dict[str, list[str]] = {}  # scope name -> writes made under it

    def covering(self, scope: Any) -> Any:
        """The lock this play holds that covers ``scope`` (a LockScope), or None."""
        if scope is None:
            return None
        return next((held for held in self.locks.values() if held.covers(scope)), None)

    def note(self, scope: Any, writes: list[str]) -> None:
        """Remember ``writes`` made under the play's lock ``scope`` (not committed yet)."""
        self.uncommitted.setdefault(scope.name, []).extend(writes)

    def pending(self, adom: str | None = None) -> dict[str, list[str]]:
        """Uncommitted writes by lock (of one ADOM when given)."""
        return {
            name: list(writes)
            for name, writes in self.uncommitted.items()
            if writes and (adom is None or (self.locks[name].adom or "root").lower() == adom.lower())
        }

    def facts(self) -> dict[str, Any]:
        return {LOCKS_FACT: dict.fromkeys(self.locks, self.connection_id)}

    def lost(self, expected: Any, held_by_client: list[str]) -> list[str]:
        """Locks the host's facts say the play took that this connection no longer holds."""
        if not isinstance(expected, dict):
            return []
        return sorted(
            name
            for name, owner in expected.items()
            if owner != self.connection_id or name not in self.locks or name not in held_by_client
        )

    def forget(self) -> None:
        """The session ended: FortiManager released its locks and dropped what was uncommitted."""
        self.locks.clear()
        self.uncommitted.clear()


class TaskContext:
    """What a task needs of its Ansible task: checked arguments, check and diff mode, warnings.

    The module process builds one from its AnsibleModule, the httpapi connection process from
    what the action plugin sends; the task bodies (module_utils/tasks.py) see only this.
    ``workspace`` is the play's :class:`PlayWorkspace` (``None`` under ``connection: local``,
    where nothing outlives a task).
    """

    def __init__(
        self, params: dict[str, Any], check_mode: bool = False, diff: bool = False, workspace: Any = None
    ) -> None:
        self.params = params
        self.check_mode = check_mode
        self.diff = diff
        self.workspace: PlayWorkspace | None = workspace
        self.warnings: list[str] = []

    def held(self, scope: Any) -> Any:
        """The play's lock covering ``scope``, or None (never under ``connection: local``)."""
        return self.workspace.covering(scope) if self.workspace is not None else None

    def warn(self, text: str) -> None:
        self.warnings.append(text)


def new_module(module_name: str) -> AnsibleModule:
    """The AnsibleModule of ``module_name``, failing cleanly without pyfmg or without a FortiManager.

    The module process logs in itself, so it needs ``host`` and a password, an API key or a
    FortiCloud token. (Under ``connection: httpapi`` the collection's action plugin runs the task
    in the connection process instead, unless the task names its own ``host``.)
    """
    module = AnsibleModule(
        argument_spec=argument_spec(module_name), supports_check_mode=True, **module_keywords(module_name)
    )
    if PYFMG_IMPORT_ERROR is not None:
        module.fail_json(msg=missing_required_lib("pyfmg"), exception=PYFMG_IMPORT_ERROR)
    params = module.params
    if not params["host"]:
        module.fail_json(msg="missing required arguments: host (or run the task with connection: httpapi)")
    if not params["password"] and not params["api_key"] and not params["forticloud_access_token"]:
        module.fail_json(msg="one of the following is required: password, api_key, forticloud_access_token")
    if not params["api_key"] and not params["forticloud_access_token"] and not params["username"]:
        module.fail_json(msg="username is required when logging in with a password")
    try:
        verify_setting(params["verify_ssl"])
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    return module


def verify_setting(value: Any) -> Any:
    """``verify_ssl`` as the client wants it: True, False or the path of a CA bundle."""
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text.lower() in BOOLEANS_TRUE:
        return True
    if text.lower() in BOOLEANS_FALSE:
        return False
    if not text:
        raise ValueError("verify_ssl is empty: give true, false or the path of a CA bundle")
    return text


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


def check_rc(module: Any, code: Any, data: Any, method: str, url: str) -> None:
    """check_status, with fortinet.fortimanager's ``rc_failed`` and ``rc_succeeded`` overrides."""
    if code in (module.params.get("rc_failed") or ()):
        message = _status_message(data)
        raise FMGModuleFailure(
            f"{method} {url} answered status {code} ({message}), listed in rc_failed",
            code=code,
            message=message,
            url=url,
        )
    if code in (module.params.get("rc_succeeded") or ()):
        return
    check_status(code, data, method, url)


def reply_meta(code: Any, data: Any, url: str) -> dict[str, Any]:
    """The ``meta`` fortinet.fortimanager's modules return, for plays that read it."""
    return {
        "request_url": url,
        "response_code": code,
        "response_data": data,
        "response_message": _status_message(data) or ("OK" if code == 0 else ""),
    }


@contextmanager
def fmg_client(module: Any) -> Iterator[Any]:
    """A logged-in client for ``module`` (anything with params and warn(): a TaskContext); every
    lock it took is released and it logs out on the way out, also when the block raised."""
    params = module.params
    api_key = params["api_key"]
    cloud_token = None if api_key else params.get("forticloud_access_token")
    verify = verify_setting(params["verify_ssl"])
    if params["use_ssl"] and verify is False:
        warn_unverified(module, "verify_ssl")
    # The client uses the API key only when no password is given; the key wins when both are set,
    # then a FortiCloud access token, then the password.
    fmg = FortiManager(
        params["host"],
        None if api_key or cloud_token else params["username"],
        None if api_key or cloud_token else params["password"],
        apikey=api_key or None,
        forticloud_access_token=cloud_token or None,
        use_ssl=params["use_ssl"],
        verify_ssl=verify,
        timeout=params["timeout"],
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


def warn_unverified(module: Any, option: str) -> None:
    module.warn(
        f"{option} is false: the FortiManager's certificate is not checked, so anyone on the path can "
        f"read the credentials. Set {option} to true (for verify_ssl: or to the path of a CA bundle)."
    )


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


def write_scope(module: Any, method: str, url: str, data: Any = None) -> Any:
    """The narrowest workspace lock a write needs (pyfmg.lockscope), or None when it needs none.

    A policy-package table locks only its package, an object table its ADOM. When the request
    does not say, writes to ``pm/`` URLs lock the ADOM of the ``adom`` option and others lock nothing.
    ``workspace_locking_adom`` (fortinet.fortimanager's option) locks that whole ADOM instead.
    """
    forced = module.params.get("workspace_locking_adom")
    if forced:
        return LockScope(forced)
    try:
        return lock_scope(method, url, data, adom=module.params["adom"])
    except FMGLockScopeError as exc:
        if url.lstrip("/").startswith("pm/"):
            module.warn(f"{exc}; locking ADOM {module.params['adom']}")
            return LockScope(module.params["adom"])
        return None


@contextmanager
def write_lock(fmg: Any, ctx: Any, scope: Any, commit: bool = True) -> Iterator[Any]:
    """Hold the workspace lock ``scope`` around a write (a no-op outside workspace mode).

    pyfmg commits when the block succeeds and always unlocks. When the play holds a lock that
    covers ``scope`` (``fmg_workspace``), the block uses it: nothing is sent, nothing committed,
    and the block gets that lock (else None) to note what it wrote under it.
    """
    held = ctx.held(scope)
    if held is not None:
        with fmg.workspace(held.adom, package=held.package, device=held.device, commit=False):
            yield held
        return
    if scope is None:
        yield None
        return
    wait = ctx.params.get("lock_wait") or None
    with fmg.workspace(scope.adom, package=scope.package, device=scope.device, commit=commit, wait=wait):
        yield None


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


def _redactor(module: Any, fmg: Any = None) -> Any:
    """Masks the module's password and API key, the session id, and values under secret keys."""
    params = module.params
    secrets = [params.get("password"), params.get("api_key"), params.get("forticloud_access_token")]
    secrets.append(getattr(fmg, "sid", None))
    return Redactor(secrets)


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


@contextmanager
def task_log(enabled: bool) -> Iterator[list[str]]:
    """With ``enabled`` (the ``enable_log`` option), the pyfmg log records of the block, as lines.

    The client logs every exchange at DEBUG through its Redactor (password, API key, tokens and
    session id masked); the lines end up in the task's result as ``log``. Meanwhile the records
    stop at the ``pyfmg`` logger: in the httpapi connection process Ansible's ``log_path``
    handler sits on the root logger, and every request and reply body would land in its file.
    """
    lines: list[str] = []
    if not enabled:
        yield lines
        return

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(f"{record.levelname} {record.name}: {record.getMessage()}")

    handler = Collect(logging.DEBUG)
    package = logging.getLogger("pyfmg")
    level, propagate = package.level, package.propagate
    package.addHandler(handler)
    package.setLevel(logging.DEBUG)
    package.propagate = False
    try:
        yield lines
    finally:
        package.removeHandler(handler)
        package.setLevel(level)
        package.propagate = propagate


def run_module(module_name: str) -> None:
    """The module process: check the arguments, run the task with its own client, exit_json/fail_json."""
    from ansible_collections.pyfmg.fortimanager.plugins.module_utils.tasks import TASKS

    module = new_module(module_name)
    run_task(module, TaskContext(module.params, module.check_mode, module._diff), TASKS[module_name])


def run_task(module: Any, ctx: TaskContext, task: Callable[[TaskContext], Any]) -> None:
    """Run ``task(ctx)`` (and its body with a client of the module's own), then exit_json/fail_json.

    Results and failures pass through pyfmg's Redactor first: FortiManager echoes session ids
    (and sometimes secrets) in replies, and ``-vvv`` prints every result in full.
    """
    redactor = _redactor(module)
    enable_log = bool(module.params.get("enable_log"))
    with task_log(enable_log) as log:
        try:
            outcome = task(ctx)
            if callable(outcome):
                with fmg_client(ctx) as fmg:
                    redactor.add(getattr(fmg, "sid", None))
                    result = outcome(fmg)
                    redactor.add(getattr(fmg, "sid", None))
            else:
                result = outcome
        except (*FMG_ERRORS, FMGModuleFailure) as exc:
            failure = failure_from_exception(exc)
            extra = {key: value for key, value in failure.extra.items() if key not in ("msg", "failed")}
            if enable_log:
                extra["log"] = log
            for text in ctx.warnings:
                module.warn(redactor.text(text))
            module.fail_json(
                msg=redactor.text(failure.msg),
                code=failure.code,
                message=redactor.text(failure.message),
                url=redactor.text(str(failure.url or "")),
                **redactor.data(extra),
            )
            return
    for text in ctx.warnings:
        module.warn(redactor.text(text))
    if enable_log:
        result["log"] = log
    module.exit_json(**redactor.data(result))
