"""``FMGSimulator``: the public face of the FortiManager simulator."""

from __future__ import annotations

import collections
import logging
import math
import os
import shutil
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .codes import RpcError
from .faults import FaultQueue
from .forticloud import FortiCloud
from .objects import NO_DATA
from .pacing import QUEUES, RequestCounts, ServerTime
from .replay import Replayer, SeedReport, read_exchanges, seed
from .rpc import RpcHandler
from .server import Limits, RecordedRequest, SimulatorServer
from .sessions import LOGIN_MAX, ApiKeys, SessionStore
from .state import WORKSPACE_MODES, Store, split_url
from .tasks import TaskStore
from .workspace import LockManager, Snapshotter

logger = logging.getLogger(__name__)

DEFAULT_USERS = {"admin": "password"}


@dataclass(frozen=True)
class RecordedCall:
    """One param of a JSON-RPC request and the status the simulator answered it with.

    ``code`` is ``None`` when the reply carried no status (a malformed request, a replayed reply).
    """

    method: str
    url: str
    code: int | None
    message: str


class FMGSimulator:
    """An in-memory FortiManager answering JSON-RPC on 127.0.0.1.

    >>> with FMGSimulator() as sim:                                    # doctest: +SKIP
    ...     fmg = FortiManager(sim.host, "admin", "password", use_ssl=sim.tls)
    """

    def __init__(
        self,
        users: Mapping[str, str] | None = None,
        api_keys: ApiKeys = (),
        workspace_mode: str = "disabled",
        adom_status: str = "enable",
        adoms: Sequence[str] = ("root",),
        task_duration: float = 2.0,
        session_idle_timeout: float = 900.0,
        tls: bool = False,
        latency: float = 0.0,
        devices: Mapping[str, Iterable[str]] | None = None,
        port: int = 0,
        max_sessions: int | None = None,
        bind: str = "127.0.0.1",
        request_history: int | None = 1000,
        max_body: int = Limits.max_body,
        body_timeout: float = Limits.body_timeout,
        idle_timeout: float = Limits.idle_timeout,
        max_connections: int = Limits.max_connections,
        replay: str | os.PathLike[str] | None = None,
        seed: str | os.PathLike[str] | None = None,
        rpc_permit: Mapping[str, str] | None = None,
        login_max: int | None = LOGIN_MAX,
        server_time: float = 0.0,
        server_time_per_param: float = 0.0,
        server_queue: str = "global",
        forticloud_users: Mapping[str, str] | None = None,
        forticloud_tokens: Mapping[str, str] | None = None,
        access_token_in_query: bool = True,
    ) -> None:
        if workspace_mode not in WORKSPACE_MODES:
            raise ValueError(f"workspace_mode must be one of {', '.join(WORKSPACE_MODES)}")
        if adom_status not in ("enable", "disable"):
            raise ValueError("adom_status must be 'enable' or 'disable'")
        if not adoms:
            raise ValueError("at least one ADOM is needed")
        if any(level not in ("none", "read", "read-write") for level in (rpc_permit or {}).values()):
            raise ValueError("rpc_permit values must be 'none', 'read' or 'read-write'")
        for name, value in (("server_time", server_time), ("server_time_per_param", server_time_per_param)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < math.inf:
                raise ValueError(f"{name} must be a finite number of seconds >= 0, got {value!r}")
        if server_queue not in QUEUES:
            raise ValueError(f"server_queue must be one of {', '.join(QUEUES)}")
        self.tls = tls
        self.latency = latency
        self.server_time = server_time
        self.server_time_per_param = server_time_per_param
        self.server_queue = server_queue
        self._port_wanted = port
        self._clock_offset = 0.0
        if devices is None:
            devices = {adoms[0]: ("FGT-01", "FGT-02")}
        self.users: dict[str, str] = dict(users if users is not None else DEFAULT_USERS)
        self.api_keys: list[str] = list(api_keys)
        self._store = Store(list(adoms), devices, workspace_mode, adom_status)
        self._locks = LockManager(
            Snapshotter(self._store.take_snapshot, self._store.restore_snapshot, self._store.absorb_snapshot),
            self.clock,
        )
        self._sessions = SessionStore(
            self.users,
            api_keys,
            session_idle_timeout,
            self.clock,
            self._locks.release_session,
            max_sessions,
            rpc_permit,
            login_max,
        )
        #: FortiCloud IAM and the instance's token login (the FortiCloud login path of clients).
        self.forticloud = FortiCloud(self._sessions, forticloud_users or {}, forticloud_tokens or {})
        #: Whether ``?access_token=<API key>`` in the URL is taken (FortiManager before 7.4.7 / 7.6.2).
        self.access_token_in_query = access_token_in_query
        self._tasks = TaskStore(self.clock, task_duration)
        self._rpc = RpcHandler(self._store, self._sessions, self._locks, self._tasks)
        self._faults = FaultQueue()
        self._replayer = Replayer(read_exchanges(replay)) if replay is not None else None
        if seed is not None:
            self.seed(seed)
        # Bounded, so a long soak keeps flat memory; None keeps everything.
        self._requests: collections.deque[RecordedRequest] = collections.deque(maxlen=request_history)
        self._calls: collections.deque[RecordedCall] = collections.deque(maxlen=request_history)
        self._counts = RequestCounts()  # unbounded history is not needed to count
        self._requests_lock = threading.Lock()
        self._paced: ServerTime | None = None
        self.bind = bind
        self.limits = Limits(max_body, body_timeout, idle_timeout, max_connections)
        self._server: SimulatorServer | None = None
        self.ca_cert_path: str | None = None

    # --- life cycle -------------------------------------------------------------------------
    def start(self) -> FMGSimulator:
        """Bind (127.0.0.1 unless ``bind`` says otherwise) and serve in a background thread (idempotent)."""
        if self._server is not None:
            return self
        context = None
        if self.tls:
            from .tls import make_server_context

            context, self.ca_cert_path = make_server_context()
        self._paced = ServerTime(
            self._answer,
            lambda: (self.server_time, self.server_time_per_param, self.server_queue),
        )
        self._server = SimulatorServer(
            self.bind,
            self._port_wanted,
            self._paced,
            self._faults,
            self._record,
            lambda: self.latency,
            context,
            self.limits,
        )
        self._server.routes.update(self.forticloud.routes())
        self._server.query_access_token = self.access_token_in_query
        self._server.start()
        logger.info("FortiManager simulator listening on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and remove the throw-away CA files."""
        server, self._server = self._server, None
        if server is None:
            return
        if self._paced is not None:
            self._paced.stopped.set()  # requests held for their server time answer at once
        server.stop()
        if self.ca_cert_path is not None:
            shutil.rmtree(os.path.dirname(self.ca_cert_path), ignore_errors=True)
            self.ca_cert_path = None

    def __enter__(self) -> FMGSimulator:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"<FMGSimulator {where}>"

    # --- where it listens -------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The TCP port the simulator listens on (only while running)."""
        if self._server is None:
            raise RuntimeError("the simulator is not running; call start() or use it as a context manager")
        return int(self._server.server_address[1])

    @property
    def host(self) -> str:
        """``"127.0.0.1:<port>"`` (the bound address), ready for ``FortiManager(sim.host, ...)``."""
        address = "127.0.0.1" if self.bind in ("", "0.0.0.0") else self.bind
        return f"[{address}]:{self.port}" if ":" in address else f"{address}:{self.port}"

    @property
    def url(self) -> str:
        """The JSON-RPC endpoint, ``http(s)://127.0.0.1:<port>/jsonrpc``."""
        return f"{'https' if self.tls else 'http'}://{self.host}/jsonrpc"

    # --- time -------------------------------------------------------------------------------
    def clock(self) -> float:
        """The simulator's wall clock (epoch seconds), shifted by :meth:`advance_clock`."""
        return time.time() + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Pretend ``seconds`` have passed: sessions idle out and tasks progress without waiting."""
        self._clock_offset += seconds

    # --- what went over the wire ------------------------------------------------------------
    def _record(self, request: RecordedRequest) -> None:
        with self._requests_lock:
            self._requests.append(request)
            self._counts.add(request.json)

    def _answer(self, request: Any, bearer: str | None) -> Any:
        reply = (
            self._replayer.handle(request, bearer) if self._replayer is not None else self._rpc.handle(request, bearer)
        )
        calls = _calls_of(request, reply)
        with self._requests_lock:
            self._calls.extend(calls)
        return reply

    @property
    def requests(self) -> list[RecordedRequest]:
        """The HTTP requests received (the last ``request_history`` of them), oldest first (a copy)."""
        with self._requests_lock:
            return list(self._requests)

    @property
    def calls(self) -> list[RecordedCall]:
        """The JSON-RPC calls answered (the last ``request_history``), one per param, oldest first (a copy).

        Logins are listed (``exec sys/login/user``) without their data. A request answered by an
        injected fault is listed only when it was carried out (``lost_reply``).
        """
        with self._requests_lock:
            return list(self._calls)

    def clear_requests(self) -> None:
        """Forget the recorded requests and calls (``request_counts`` goes on counting)."""
        with self._requests_lock:
            self._requests.clear()
            self._calls.clear()

    @property
    def request_counts(self) -> RequestCounts:
        """How many HTTP requests came in and how many JSON-RPC params they carried, in all and by method (a copy).

        Counted since start or the last :meth:`reset_request_counts`, whatever ``request_history``
        keeps; every HTTP request counts, also one answered with an injected fault.
        """
        with self._requests_lock:
            return self._counts.copy()

    def reset_request_counts(self) -> RequestCounts:
        """Start counting from zero; returns the counts until now."""
        with self._requests_lock:
            counts, self._counts = self._counts, RequestCounts()
        return counts

    # --- cassettes -------------------------------------------------------------------------
    def seed(self, path: str | os.PathLike[str]) -> SeedReport:
        """Load the rows of every successful ``get`` recorded in a cassette into the store.

        Tables the simulator does not model are skipped; the report lists both.
        """
        exchanges = read_exchanges(path)
        with self._rpc.mutex:
            report = seed(
                exchanges,
                lambda method, segments, param: self._store.call(method, segments, param, True, lambda scope: None),
                self._store.ensure_adom,
            )
        logger.info("seeded %d URL(s) from %s, skipped %d", len(report.seeded), path, len(report.skipped))
        return report

    @property
    def replay_mismatches(self) -> list[str]:
        """Requests that did not follow the replayed cassette, in words."""
        return list(self._replayer.mismatches) if self._replayer is not None else []

    def check_replay(self) -> None:
        """Raise ``AssertionError`` if a request differed from the cassette or recorded ones never came."""
        if self._replayer is None:
            raise RuntimeError("this simulator is not replaying a cassette (FMGSimulator(replay=...))")
        self._replayer.check()

    # --- faults -----------------------------------------------------------------------------
    def inject(
        self, fault: str, times: int = 1, method: str | None = None, url: str | None = None, **options: Any
    ) -> None:
        """Answer the next ``times`` matching requests with ``fault`` instead of serving them.

        ``url`` is matched against the first param's url (slashes stripped, shell wildcards allowed).
        """
        self._faults.add(fault, times, method, url, options)

    def clear_faults(self) -> None:
        """Drop injected faults that have not fired yet."""
        self._faults.clear()

    # --- state for assertions ---------------------------------------------------------------
    @property
    def sessions(self) -> dict[str, str]:
        """Live login sessions: token -> user (idle ones are expired first)."""
        # Under the request mutex: expiring a session rolls back its edits in the store.
        with self._rpc.mutex:
            return self._sessions.live()

    @property
    def locks(self) -> dict[str, str]:
        """Workspace locks held: scope (``"root"``, ``"root/pkg/default"``...) -> session token."""
        with self._rpc.mutex:
            self._sessions.expire_idle()
            return self._locks.held()

    @property
    def workspace_mode(self) -> str:
        """``"disabled"``, ``"normal"``, ``"workflow"`` or ``"per-adom"``."""
        return str(self._store.system_global["workspace-mode"])

    def set_workspace_mode(self, mode: str) -> None:
        """Switch workspace mode, as an administrator would in the GUI (locks already held stay)."""
        if mode not in WORKSPACE_MODES:
            raise ValueError(f"workspace mode must be one of {', '.join(WORKSPACE_MODES)}")
        with self._rpc.mutex:
            self._store.system_global["workspace-mode"] = mode

    def objects(self, url: str) -> Any:
        """The table or object at a pm/config (or pm/pkg, dvmdb) URL, enums in symbolic form."""
        with self._rpc.mutex:
            try:
                data = self._store.call("get", split_url(url), {}, True, lambda scope: None)
            except RpcError as error:
                raise LookupError(f"{url}: {error.code} {error.message}") from None
        return None if data is NO_DATA else data

    def task(self, task_id: int) -> dict[str, Any]:
        """A task as ``get /task/task/<id>`` reports it now."""
        with self._rpc.mutex:
            return self._tasks.get(str(task_id))

    def tasks(self) -> list[dict[str, Any]]:
        """Every task as ``get /task/task`` reports them now, oldest first."""
        with self._rpc.mutex:
            return self._tasks.all()


def _calls_of(request: Any, reply: Any) -> list[RecordedCall]:
    """The params of ``request`` paired with the statuses of ``reply`` (what came back for each)."""
    if not isinstance(request, dict) or not isinstance(reply, dict):
        return []
    params = request.get("params")
    params = [params] if isinstance(params, dict) else params if isinstance(params, list) else []
    results = reply.get("result")
    results = results if isinstance(results, list) else [results]
    calls = []
    for index, result in enumerate(results):
        param = params[index] if index < len(params) and isinstance(params[index], dict) else {}
        status = result.get("status") if isinstance(result, dict) else None
        status = status if isinstance(status, dict) else {}
        code = status.get("code")
        calls.append(
            RecordedCall(
                str(request.get("method")),
                str(param.get("url", "")),
                code if isinstance(code, int) else None,
                str(status.get("message", "")),
            )
        )
    return calls
