# Copyright: pyfmg contributors
# Apache License 2.0 (see LICENSE in the repository root)
"""Glue shared by the pyfmg.fortimanager modules.

It holds the one argument spec every module takes, opens a pyfmg client (logged out on every
path) or, under ``connection: httpapi``, talks to the client that the connection holds for the
whole play; it wraps writes in the workspace lock, and turns every failure into ``fail_json``
with FortiManager's code, message and URL, secrets masked. FortiManager logic itself lives in the
pyfmg library.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, Callable

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible.module_utils.connection import Connection, ConnectionError
from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE

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
        converge,
        lock_scope,
    )

    # pyFMG-compatible classes that do not derive from FMGBaseException are caught too.
    FMG_ERRORS: tuple = (FMGBaseException, FMGConnectionError, FMGResponseNotFormedCorrect, FMGValueError)
except ImportError:
    # new_module() turns this into Ansible's standard "missing required library" failure.
    PYFMG_IMPORT_ERROR: str | None = traceback.format_exc()
    converge = None  # type: ignore[assignment]
    Redactor = Retry = FortiManager = None  # type: ignore[assignment,misc]
    FMG_ERRORS = ()
else:
    PYFMG_IMPORT_ERROR = None

__all__ = [
    "FMG_ARGUMENT_SPEC",
    "RC_OPTIONS",
    "ConnectionClient",
    "FMGModuleFailure",
    "check_rc",
    "check_status",
    "converge",
    "failure_from_exception",
    "fmg_argument_spec",
    "fmg_client",
    "follow_task",
    "mask_secret_attributes",
    "new_module",
    "reply_meta",
    "run_module",
    "task_id_of",
    "verify_setting",
    "workspace_url",
    "write_lock",
    "write_scope",
]

#: Returned by FortiManager when another session holds the workspace lock.
LOCKED_BY_OTHER = -20055

FMG_ARGUMENT_SPEC: dict[str, dict[str, Any]] = {
    # Not needed under connection: httpapi, where the connection knows the FortiManager.
    "host": {"type": "str", "fallback": (env_fallback, ["PYFMG_HOST"])},
    "username": {"type": "str", "aliases": ["user"], "fallback": (env_fallback, ["PYFMG_USER"])},
    "password": {"type": "str", "no_log": True, "fallback": (env_fallback, ["PYFMG_PASSWORD"])},
    # access_token is what fortinet.fortimanager calls a FortiManager API key.
    "api_key": {
        "type": "str",
        "no_log": True,
        "aliases": ["access_token"],
        "fallback": (env_fallback, ["PYFMG_APIKEY"]),
    },
    "forticloud_access_token": {"type": "str", "no_log": True},
    "use_ssl": {"type": "bool", "default": True, "fallback": (env_fallback, ["PYFMG_USE_SSL"])},
    # A bool or the path of a CA bundle, hence raw; checked by verify_setting().
    "verify_ssl": {"type": "raw", "default": True, "fallback": (env_fallback, ["PYFMG_VERIFY_SSL"])},
    "timeout": {"type": "int", "default": 300},
    "adom": {"type": "str", "default": "root", "fallback": (env_fallback, ["PYFMG_ADOM"])},
    "workspace_locking_adom": {"type": "str"},
    "lock_wait": {"type": "float", "default": 0, "aliases": ["workspace_locking_timeout"]},
}

#: fortinet.fortimanager's way of deciding which FortiManager codes fail a task (fmg_rpc, fmg_info).
RC_OPTIONS: dict[str, dict[str, Any]] = {
    "rc_succeeded": {"type": "list", "elements": "int"},
    "rc_failed": {"type": "list", "elements": "int"},
    # Accepted so that fmgr_generic / fmgr_fact tasks run unchanged; pyfmg has nothing to switch.
    "enable_log": {"type": "bool", "default": False},
    "bypass_validation": {"type": "bool", "default": False},
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
    """An AnsibleModule that fails cleanly without pyfmg or without a way to reach FortiManager.

    Under ``connection: httpapi`` (a socket and no ``host``) the connection logs in; otherwise the
    module needs ``host`` and a password or an API key.
    """
    module = AnsibleModule(argument_spec=argument_spec, required_one_of=required_one_of, **kwargs)
    if PYFMG_IMPORT_ERROR is not None:
        module.fail_json(msg=missing_required_lib("pyfmg"), exception=PYFMG_IMPORT_ERROR)
    params = module.params
    if uses_connection(module):
        return module
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


def uses_connection(module: AnsibleModule) -> bool:
    """True when the task runs through the persistent httpapi connection and names no host."""
    return bool(getattr(module, "_socket_path", None)) and not module.params["host"]


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


def check_rc(module: AnsibleModule, code: Any, data: Any, method: str, url: str) -> None:
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
def fmg_client(module: AnsibleModule, verbose: bool = False) -> Iterator[Any]:
    """A logged-in client; on the way out every lock it took is released and it logs out.

    Under ``connection: httpapi`` it is the connection's client, which stays logged in for the
    next task and logs out when the play ends.
    """
    if uses_connection(module):
        client = ConnectionClient(Connection(module._socket_path), verbose=verbose)
        settings = client.open(
            api_key=module.params["api_key"], forticloud_access_token=module.params.get("forticloud_access_token")
        )
        if settings.get("use_ssl") and not settings.get("verify_ssl"):
            warn_unverified(module, "ansible_httpapi_validate_certs")
        yield client
        return
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
        verbose=verbose,
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


def warn_unverified(module: AnsibleModule, option: str) -> None:
    module.warn(
        f"{option} is false: the FortiManager's certificate is not checked, so anyone on the path can "
        f"read the credentials. Set {option} to true (for verify_ssl: or to the path of a CA bundle)."
    )


class ConnectionClient:
    """The pyfmg client held by the httpapi connection, as the modules use a FortiManager.

    Each call is one request to the connection process (plugins/httpapi/fortimanager.py), which
    answers ``{"result": ...}`` or ``{"failure": {...}}`` with secrets already masked.
    """

    def __init__(self, connection: Any, verbose: bool = False) -> None:
        self._connection = connection
        self.verbose = verbose
        self.sid = None  # the session id stays in the connection process

    def _answer(self, outcome: Any) -> Any:
        if not isinstance(outcome, dict):
            raise FMGModuleFailure(f"the httpapi connection answered {type(outcome).__name__}, not a dict")
        if "failure" in outcome:
            failure = dict(outcome["failure"])
            raise FMGModuleFailure(failure.pop("msg"), **failure)
        return outcome.get("result")

    def _rpc(self, name: str, *args: Any) -> Any:
        try:
            return self._answer(getattr(self._connection, name)(*args))
        except ConnectionError as exc:
            raise FMGModuleFailure(f"the httpapi connection failed: {exc}", code=getattr(exc, "code", None)) from exc

    def open(self, api_key: str | None = None, forticloud_access_token: str | None = None) -> dict[str, Any]:
        return self._rpc("pyfmg_open", api_key, forticloud_access_token) or {}

    def _call(self, name: str, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        code, data = self._rpc("pyfmg_call", name, list(args), kwargs, self.verbose)
        return code, data

    def get(self, url: str, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return self._call("get", url, *args, **kwargs)

    def add(self, url: str, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return self._call("add", url, *args, **kwargs)

    def set(self, url: str, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return self._call("set", url, *args, **kwargs)

    def update(self, url: str, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return self._call("update", url, *args, **kwargs)

    def delete(self, url: str, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return self._call("delete", url, *args, **kwargs)

    def replace(self, url: str, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return self._call("replace", url, *args, **kwargs)

    def clone(self, url: str, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return self._call("clone", url, *args, **kwargs)

    def execute(self, url: str, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return self._call("execute", url, *args, **kwargs)

    def move(self, url: str, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return self._call("move", url, *args, **kwargs)

    def unset(self, url: str, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return self._call("unset", url, *args, **kwargs)

    def track_task(self, task_id: Any, **kwargs: Any) -> tuple[Any, Any]:
        return self._call("track_task", task_id, **kwargs)

    @contextmanager
    def workspace(
        self,
        adom: str | None = None,
        package: str | None = None,
        device: str | None = None,
        commit: bool = True,
        wait: float | None = None,
    ) -> Iterator[ConnectionClient]:
        """Lock in the connection's session; commit and unlock there when the block ends."""
        token = self._rpc("pyfmg_workspace_enter", adom, package, device, commit, wait)
        try:
            yield self
        except BaseException:
            # The block's error is the one to report; a failed unlock is logged by the connection.
            with suppress(FMGModuleFailure):
                self._rpc("pyfmg_workspace_exit", token, True)
            raise
        self._rpc("pyfmg_workspace_exit", token, False)


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


def _redactor(module: AnsibleModule, fmg: Any = None) -> Any:
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


def run_module(module: AnsibleModule, body: Callable[[Any], dict[str, Any]], verbose: bool = False) -> None:
    """Open a client, run ``body(fmg)``, log out, then exit_json/fail_json with its result.

    Results and failures pass through pyfmg's Redactor first: FortiManager echoes session ids
    (and sometimes secrets) in replies, and ``-vvv`` prints every result in full.
    """
    redactor = _redactor(module)
    try:
        with fmg_client(module, verbose=verbose) as fmg:
            redactor.add(getattr(fmg, "sid", None))
            result = body(fmg)
            redactor.add(getattr(fmg, "sid", None))
    except (*FMG_ERRORS, FMGModuleFailure) as exc:
        failure = failure_from_exception(exc)
        extra = {key: value for key, value in failure.extra.items() if key not in ("msg", "failed")}
        module.fail_json(
            msg=redactor.text(failure.msg),
            code=failure.code,
            message=redactor.text(failure.message),
            url=failure.url,
            **redactor.data(extra),
        )
    module.exit_json(**redactor.data(result))
