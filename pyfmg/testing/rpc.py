"""One JSON-RPC request in, one reply out: authentication, routing, workspace, tasks, exec commands."""

from __future__ import annotations

import logging
import threading
from typing import Any

from .codes import (
    INTERNAL,
    INVALID_COMMAND,
    INVALID_DATA,
    INVALID_URL,
    NO_PERMISSION,
    NOT_FOUND,
    OK,
    RpcError,
    status,
)
from .commands import Commands
from .objects import NO_DATA, Table, get_table
from .schema import TableSpec
from .sessions import Session, SessionStore
from .state import WRITE_METHODS, Scope, Store, split_url
from .tasks import TaskLine, TaskStore
from .workspace import ADOM, DEV, PKG, LockManager

logger = logging.getLogger(__name__)

WORKSPACE_ACTIONS = ("lock", "unlock", "commit", "lockinfo", "dirty")
# Task states stay numeric even with verbose, so these specs declare no enums.
TASK_SPEC = TableSpec(key="id")
TASK_LINE_SPEC = TableSpec(key="oid")


class RpcHandler:
    def __init__(self, store: Store, sessions: SessionStore, locks: LockManager, tasks: TaskStore) -> None:
        self.store = store
        self.sessions = sessions
        self.locks = locks
        self.tasks = tasks
        self.commands = Commands(store, tasks, locks)
        self.mutex = threading.RLock()

    # --- envelope ---------------------------------------------------------------------------
    def handle(self, request: Any, bearer: str | None) -> dict[str, Any]:
        with self.mutex:
            return self._handle(request, bearer)

    def _handle(self, request: Any, bearer: str | None) -> dict[str, Any]:
        if not isinstance(request, dict):
            return {"result": {"status": status(INVALID_DATA)}}
        reply: dict[str, Any] = {}
        if "id" in request:
            reply["id"] = request["id"]
        method = request.get("method")
        params = request.get("params")
        if isinstance(params, dict):
            params = [params]
        if not isinstance(params, list) or not params or not isinstance(method, str):
            # Real units answer some malformed requests with a bare result object, not a list.
            reply["result"] = {"status": status(INVALID_DATA)}
            return reply
        verbose = request.get("verbose") in (1, True, "1")

        if method == "exec" and all(self._is_login(p) for p in params):
            results, token = [], None
            for param in params:
                result, session = self._login(param)
                results.append(result)
                token = session.token if session is not None else token
            reply["result"] = results
            if token is not None:
                reply["session"] = token
            return reply

        session = (
            self.sessions.resolve_api_key(bearer)
            if bearer is not None
            else self.sessions.resolve(request.get("session"))
        )
        if session is None:
            reply["result"] = [self._result(p, None, RpcError(NO_PERMISSION)) for p in params]
            return reply
        if "create task" in request:
            reply["result"] = [self._create_task(session, method, params, verbose)]
            return reply
        results = [self._call(session, method, p, verbose) for p in params]
        reply["result"] = results
        if any(r["status"]["code"] != OK for r in results):
            # FortiManager names the session by its number in error replies (seen on real units).
            reply["session"] = session.sid
        return reply

    @staticmethod
    def _is_login(param: Any) -> bool:
        return isinstance(param, dict) and split_url(str(param.get("url", ""))) == ["sys", "login", "user"]

    def _login(self, param: dict[str, Any]) -> Any:
        data = param.get("data")
        if isinstance(data, list) and len(data) == 1:
            data = data[0]
        if not isinstance(data, dict):
            return self._result(param, None, RpcError(INVALID_DATA)), None
        try:
            session = self.sessions.login(data.get("user"), data.get("passwd"))
        except RpcError as error:
            return self._result(param, None, error), None
        return self._result(param, NO_DATA, None), session

    @staticmethod
    def _result(param: Any, data: Any, error: RpcError | None) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if error is None and data is not NO_DATA:
            result["data"] = data
        result["status"] = status(error.code, error.message) if error else status(OK)
        if isinstance(param, dict) and "url" in param:
            result["url"] = param["url"]
        return result

    def _call(self, session: Session, method: Any, param: Any, verbose: bool) -> dict[str, Any]:
        try:
            if not isinstance(param, dict):
                raise RpcError(INVALID_DATA)
            url = param.get("url")
            if not isinstance(url, str):
                raise RpcError(INVALID_URL)
            data = self._route(session, str(method), split_url(url), param, verbose)
        except RpcError as error:
            return self._result(param, None, error)
        except Exception:  # a simulator bug must not kill the connection
            # Only method and url: params may carry device passwords.
            logger.exception("simulator failed on %s %s", method, param.get("url"))
            return self._result(param, None, RpcError(INTERNAL))
        if isinstance(data, tuple):  # (data, extra result-level fields)
            result = self._result(param, data[0], None)
            result.update(data[1])
            return result
        return self._result(param, data, None)

    # --- routing ----------------------------------------------------------------------------
    def _route(self, session: Session, method: str, segments: list[str], param: dict[str, Any], verbose: bool) -> Any:
        if segments == ["sys", "logout"]:
            if method != "exec":
                raise RpcError(INVALID_COMMAND)
            if not session.api_key:
                self.sessions.logout(session)
            return NO_DATA
        if session.read_only and (method in WRITE_METHODS or method == "exec"):
            raise RpcError(NO_PERMISSION)  # an administrator whose JSON API access is read-only
        workspace = self._workspace_target(segments)
        if workspace is not None:
            return self._workspace(session, method, *workspace)
        if segments[:2] == ["task", "task"]:
            return self._task(method, segments[2:], param, verbose)
        if method == "exec":
            return self.commands.run(session, segments, param)
        if len(segments) >= 5 and segments[:2] == ["dvmdb", "adom"] and segments[3:5] == ["script", "log"]:
            if method != "get":
                raise RpcError(INVALID_COMMAND)
            if segments[2] not in self.store.devices or len(segments) < 6:
                raise RpcError(INVALID_URL)
            return self.commands.script_log(segments[2], segments[5:])

        def check(scope: Scope) -> None:
            if method in WRITE_METHODS and self.store.workspace_active(scope[0]):
                self.locks.check_write(session, *scope)

        if method == "get":
            # Edits stay in the lock holder's workspace until committed; everyone else reads the
            # committed state.
            hidden = [(lk.adom, lk.kind, lk.target, lk.snapshot) for lk in self.locks.uncommitted_elsewhere(session)]
            if hidden:
                with self.store.committed_view(hidden):
                    return self.store.call(method, segments, param, verbose, check)
        return self.store.call(method, segments, param, verbose, check)

    # --- workspace --------------------------------------------------------------------------
    def _workspace_target(self, segments: list[str]) -> tuple | None:
        """``dvmdb/adom/<a>/workspace/<action>[/pkg/<path>|/dev/<d>]``, the global and pm/config forms."""
        if segments[:3] == ["dvmdb", "global", "workspace"]:
            adom, rest = "global", segments[3:]
        elif segments[:4] == ["pm", "config", "global", "workspace"]:
            adom, rest = "global", segments[4:]
        elif len(segments) >= 4 and segments[:2] == ["dvmdb", "adom"] and segments[3] == "workspace":
            adom, rest = segments[2], segments[4:]
        elif len(segments) >= 5 and segments[:3] == ["pm", "config", "adom"] and segments[4] == "workspace":
            adom, rest = segments[3], segments[5:]
        else:
            return None
        if not rest or rest[0] not in WORKSPACE_ACTIONS:
            raise RpcError(INVALID_URL)
        action, scope = rest[0], rest[1:]
        if not scope:
            return action, adom, ADOM, ""
        if scope[0] in (PKG, DEV) and len(scope) > 1:
            return action, adom, scope[0], "/".join(scope[1:])
        raise RpcError(INVALID_URL)

    def _workspace(self, session: Session, method: str, action: str, adom: str, kind: str, target: str) -> Any:
        if adom != "global" and adom not in self.store.adom_names():
            raise RpcError(INVALID_URL)
        if not self.store.workspace_active(adom):
            raise RpcError(INVALID_COMMAND)
        if action in ("lockinfo", "dirty"):
            if method != "get":
                raise RpcError(INVALID_COMMAND)
            rows = self.locks.info(adom, None if kind == ADOM else kind, target)
            if action == "dirty":
                return {"dirty": int(any(r["dirty"] for r in rows))}
            return rows if rows else NO_DATA
        if method != "exec":
            raise RpcError(INVALID_COMMAND)
        if kind == PKG and self.store.package(adom, target) is None:
            raise RpcError(NOT_FOUND)
        if kind == DEV and not any(d["name"] == target for d in self.store.devices.get(adom, [])):
            raise RpcError(NOT_FOUND)
        if action == "lock":
            self.locks.lock(session, adom, kind, target)
        elif action == "unlock":
            self.locks.unlock(session, adom, kind, target)
        else:
            self.locks.commit(session, adom, kind, target)
            if kind == ADOM:
                task_id = self.tasks.create("Save workspace", session.user, [TaskLine(adom)], duration=0)
                return NO_DATA, {"taskid": task_id}
        return NO_DATA

    # --- tasks ------------------------------------------------------------------------------
    def _task(self, method: str, rest: list[str], param: dict[str, Any], verbose: bool) -> Any:
        if not rest:
            if method != "get":
                raise RpcError(INVALID_COMMAND)
            return get_table(Table(self.tasks.all(verbose), TASK_SPEC, iter(())), param, verbose)
        if method == "delete" and len(rest) == 1:
            self.tasks.delete(rest[0])
            return NO_DATA
        if method != "get":
            raise RpcError(INVALID_COMMAND)
        task = self.tasks.get(rest[0], verbose)
        if len(rest) == 1:
            return task
        if rest[1:] == ["line"]:
            return get_table(Table(task["line"], TASK_LINE_SPEC, iter(())), param, verbose)
        raise RpcError(INVALID_URL)

    def _create_task(self, session: Session, method: Any, params: list[Any], verbose: bool) -> dict[str, Any]:
        """Top-level "create task": run the params, report them as the lines of a task."""
        lines = []
        for param in params:
            result = self._call(session, method, param, verbose)
            url = str(param.get("url", "")) if isinstance(param, dict) else ""
            code = result["status"]["code"]
            failed = "" if code == OK else f"{code}: {result['status']['message']}"
            lines.append(TaskLine(url, error=failed, detail="done"))
        task_id = self.tasks.create(f"{method} request", session.user, lines)
        return {"data": {"task": task_id}, "status": status(OK)}
