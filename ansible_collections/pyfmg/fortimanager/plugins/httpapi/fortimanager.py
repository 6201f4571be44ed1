# Copyright: pyfmg contributors
# Apache License 2.0 (see LICENSE in the repository root)
from __future__ import annotations

DOCUMENTATION = r"""
name: fortimanager
author: pyfmg contributors (!UNKNOWN)
short_description: One pyfmg session per FortiManager for a whole play (connection httpapi)
description:
  - "Used with C(connection: httpapi) and C(ansible_network_os: pyfmg.fortimanager.fortimanager).
    The connection (from the C(ansible.netcommon) collection) keeps one process per host for the
    play; this plugin holds a pyfmg client in it, so every task of the play shares one login."
  - The collection's modules start no module process under this connection; their action plugins
    check a task's options in the worker and hand the whole task to this process, which runs it
    with the play's client (about half the controller CPU per task of a module process)."
  - The connection's C(ansible_user) and C(ansible_password) log in, or an API key given to a
    module as O(pyfmg.fortimanager.fmg_rpc#module:api_key) (alias C(access_token)). Nothing is sent
    before the first task needs FortiManager.
  - C(ansible_host) (or the inventory name) and C(ansible_httpapi_port) name the FortiManager;
    C(ansible_httpapi_use_ssl) chooses HTTPS; C(ansible_httpapi_validate_certs) (default true)
    checks its certificate, against C(ansible_httpapi_ca_path) when set.
  - An expired session is logged in again and the call repeated once (pyfmg's C(Retry(relogin=True))).
  - When the play ends (or C(meta reset_connection) runs, or the connection idles out) every
    workspace lock the session holds is released and the session logged out, also after a failed
    task. Replies are masked with pyfmg's Redactor (password, API key, session id) before any
    module sees them.
version_added: "1.1.0"
"""

import logging  # noqa: E402
import uuid  # noqa: E402
from typing import Any  # noqa: E402

from ansible.plugins.httpapi import HttpApiBase  # noqa: E402

# Plain data, without pyfmg: cheap in the workers that build this plugin (see _glue).
from ansible_collections.pyfmg.fortimanager.plugins.module_utils.specs import CLIENT_METHODS  # noqa: E402

logger = logging.getLogger(__name__)


def _glue() -> Any:
    """The collection's module_utils, and with them pyfmg, imported only where they are used.

    Ansible also builds this plugin in each task's worker process on the control node, where it
    is never called; importing pyfmg (and requests) there would cost every task and host about
    a tenth of a second of a core.
    """
    from ansible_collections.pyfmg.fortimanager.plugins.module_utils import fmg

    return fmg


def _tasks() -> Any:
    from ansible_collections.pyfmg.fortimanager.plugins.module_utils import tasks

    return tasks


class HttpApi(HttpApiBase):
    def __init__(self, connection: Any) -> None:
        super().__init__(connection)
        self._client: Any = None
        self._api_key: str | None = None
        self._forticloud_token: str | None = None
        self._user: str | None = None
        self._password: str | None = None
        self._masker: Any = None
        self._play: Any = None  # the play's workspace locks (fmg_workspace), made with the first task

    @property
    def _redactor(self) -> Any:
        if self._masker is None:
            self._masker = _glue().Redactor()
        return self._masker

    # --- what netcommon's httpapi connection calls --------------------------------------------
    def login(self, username: str | None, password: str | None) -> None:
        # Only remembered: the first task that needs FortiManager logs in (it may bring an API key).
        self._user, self._password = username, password
        if password and _glue().Redactor is not None:
            self._redactor.add(password)

    def logout(self) -> None:
        """Release every lock of the session and log out (the play ended or the connection closes)."""
        client, self._client = self._client, None
        if self._play is not None:
            self._play.forget()  # logging out releases the locks; FortiManager drops what was uncommitted
        if client is None:
            return
        try:
            client.logout()
        except Exception as exc:
            self.connection.queue_message("warning", self._mask(f"pyfmg: logout from FortiManager failed: {exc}"))

    def update_auth(self, response: Any, response_text: Any) -> None:
        return None  # pyfmg keeps the session itself; the connection's own HTTP is not used

    def handle_httperror(self, exc: Any) -> bool:
        return False

    def send_request(self, method: str, params: list[dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
        """One JSON-RPC ``method`` on the first of ``params`` (``{"url": ..., ...}``): ``{"result": [code, data]}``."""
        # The JSON-RPC name (exec) or the client's (execute); the client methods fmg_rpc uses, nothing else.
        name = CLIENT_METHODS.get(method, method)
        allowed = sorted(CLIENT_METHODS.values())
        if not isinstance(params, list) or not params or not isinstance(params[0], dict) or "url" not in params[0]:
            return {"failure": {"msg": "send_request needs params as a list of {url, ...}"}}
        if name not in allowed:
            return {"failure": {"msg": f"send_request: {method!r} is not one of {', '.join(allowed)}"}}
        param = dict(params[0])
        url = param.pop("url")
        try:
            code, data = getattr(self._session(), name)(url, param)
        except Exception as exc:
            return self._failure(exc)
        return {"result": [code, self._redactor.data(data)]}

    # --- what the collection's action plugins call (plugins/plugin_utils/action.py) -------------
    def pyfmg_task(
        self, module_name: str, params: dict[str, Any], check_mode: bool, diff: bool, held: Any = None
    ) -> dict[str, Any]:
        """Run one task of ``module_name`` (its arguments already checked) with the play's client.

        ``held`` is the host's ``pyfmg_workspace_locks`` fact: the locks ``fmg_workspace`` took for
        the play, which this connection must still hold.  Answers ``{"result": {...}, "warnings":
        [...]}`` or ``{"failure": {...}, "warnings": [...]}``, secrets masked; with ``enable_log``
        both carry the task's redacted pyfmg log as ``log``.  A failure while the play holds a lock
        lists what is still uncommitted under it (``uncommitted``).
        """
        glue = _glue()
        if self._play is None:
            self._play = glue.PlayWorkspace(uuid.uuid4().hex)
        ctx = glue.TaskContext(params, check_mode, diff, self._play)
        answer: dict[str, Any]
        with glue.task_log(bool(params.get("enable_log"))) as log:
            try:
                if glue.PYFMG_IMPORT_ERROR is not None:
                    raise glue.FMGModuleFailure("pyfmg is not installed for the controller's Python: pip install pyfmg")
                self._check_held(held)
                outcome = _tasks().TASKS[module_name](ctx)
                if callable(outcome):
                    client = self._session(params.get("api_key"), params.get("forticloud_access_token"))
                    if self._use_ssl() and not self._verify():
                        glue.warn_unverified(ctx, "ansible_httpapi_validate_certs")
                    outcome = outcome(client)
                answer = {"result": self._redactor.data(outcome)}
            except Exception as exc:
                answer = self._failure(exc)
                self._add_uncommitted(answer["failure"])
        answer["warnings"] = [self._mask(text) for text in ctx.warnings]
        if params.get("enable_log"):
            answer["log"] = [self._mask(line) for line in log]
        return answer

    def _check_held(self, held: Any) -> None:
        """Fail when a lock the play took (the host's facts say so) is gone, and its changes with it."""
        held_by_client = list(self._client.locked_scopes) if self._client is not None else []
        lost = self._play.lost(held, held_by_client)
        if lost:
            self._play.forget()
            raise _glue().FMGModuleFailure(
                f"the workspace lock on {', '.join(lost)} that fmg_workspace took for this play is gone, and "
                "FortiManager dropped every change made under it and not committed: the connection to "
                "FortiManager ended in between (idle longer than ansible_connect_timeout, meta: "
                "reset_connection, or the session was lost). Run the play again.",
                lost=lost,
            )

    def _add_uncommitted(self, failure: dict[str, Any]) -> None:
        pending = self._play.pending() if self._play is not None else {}
        if pending:
            failure["uncommitted"] = pending
            failure["msg"] = self._mask(
                f"{failure.get('msg', '')}; uncommitted under this play's lock ({_tasks().uncommitted_text(pending)}): "
                "FortiManager drops it when the play ends, unless a rescue or always section commits it "
                "(fmg_workspace state: unlocked)"
            )

    # --- the session --------------------------------------------------------------------------
    def _session(self, api_key: str | None = None, forticloud_token: str | None = None) -> Any:
        glue = _glue()
        if glue.PYFMG_IMPORT_ERROR is not None:
            raise glue.FMGModuleFailure("pyfmg is not installed for the controller's Python: pip install pyfmg")
        changes_login = (api_key and api_key != self._api_key) or (
            forticloud_token and forticloud_token != self._forticloud_token
        )
        if changes_login and self._play is not None and self._play.locks:
            raise glue.FMGModuleFailure(
                f"this play holds the workspace lock on {', '.join(self._play.locks)}: a task cannot log in "
                "with other credentials (api_key, forticloud_access_token) before fmg_workspace state: unlocked"
            )
        if api_key and api_key != self._api_key:
            # A module brought an API key (access_token): the session is the key's from now on.
            self.logout()
            self._api_key = api_key
            self._redactor.add(api_key)
        if forticloud_token and forticloud_token != self._forticloud_token:
            # A module brought a FortiCloud access token: log in with it from now on.
            self.logout()
            self._forticloud_token = forticloud_token
            self._redactor.add(forticloud_token)
        if self._client is None:
            # The connection's own connect marks it connected (so that closing it calls logout())
            # and hands over ansible_user / ansible_password through login().
            if not self.connection.connected:
                self.connection._connect()
            client = self._new_client()
            try:
                client.login()
            except glue.FMGValidSessionException as exc:
                raise glue.login_failure(client, exc) from exc
            self._redactor.add(client.sid)
            self._client = client
        return self._client

    def _new_client(self) -> Any:
        glue = _glue()
        if not self._api_key and not self._forticloud_token and not (self._user and self._password):
            raise glue.FMGModuleFailure(
                "no credentials: set ansible_user and ansible_password for the host, or give the module an api_key "
                "(access_token) or a forticloud_access_token"
            )
        host = str(self.connection.get_option("host"))
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"  # an IPv6 address, before the port is added
        port = self.connection.get_option("port")
        if port:
            host = f"{host}:{port}"
        timeout = self.connection.get_option("persistent_command_timeout") or 30
        by_token = self._api_key or self._forticloud_token
        return glue.FortiManager(
            host,
            None if by_token else self._user,
            None if by_token else self._password,
            apikey=self._api_key,
            forticloud_access_token=None if self._api_key else self._forticloud_token,
            use_ssl=self._use_ssl(),
            verify_ssl=self._verify(),
            timeout=timeout,
            retry=glue.Retry(relogin=True),
        )

    def _use_ssl(self) -> bool:
        return bool(self.connection.get_option("use_ssl"))

    def _verify(self) -> Any:
        if not self.connection.get_option("validate_certs"):
            return False
        return self.connection.get_option("ca_path") or True

    def _mask(self, text: str) -> str:
        return self._redactor.text(text) if _glue().Redactor is not None else text

    def _failure(self, exc: BaseException) -> dict[str, Any]:
        glue = _glue()
        if not isinstance(exc, (*glue.FMG_ERRORS, glue.FMGModuleFailure)):
            logger.debug("pyfmg httpapi: unexpected %s", type(exc).__name__)
        failure = glue.failure_from_exception(exc)
        return {
            "failure": {
                "msg": self._mask(failure.msg),
                "code": failure.code,
                "message": self._mask(str(failure.message)),
                "url": self._mask(str(failure.url or "")),
                **(self._redactor.data(failure.extra) if glue.Redactor is not None else failure.extra),
            }
        }
