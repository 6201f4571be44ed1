"""The ``FortiManager`` class: pyFMG 0.8.6's public surface over pyfmg's transport, auth, workspace and tasks."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any, Callable

import urllib3

from . import bulk as _bulk
from .arguments import check_forticloud_token, check_pool_size, check_timeout, check_verify, checked_host
from .auth import is_forticloud_host
from .cassette import CassetteWriter, PathLike
from .exceptions import (
    FMGValidSessionException,
    FMGValueError,
)
from .legacy import FMGLockContext
from .logs import Redactor
from .request import free_form_params
from .retry import Retry
from .session import LoginSession
from .tasks import MIN_SLEEP_TIME, TaskProgress, TaskTracker, TrackOptions
from .transport import DEFAULT_MAX_REPLY_BYTES, Transport, VerifySetting
from .workspace import LockScope

logger = logging.getLogger(__name__)

Reply = tuple[int, Any]


class FortiManager(LoginSession):
    """A client for one FortiManager (or FortiAnalyzer) JSON-RPC API.

    Drop-in compatible with pyFMG 0.8.6: same keywords and defaults, same requests on the wire,
    same ``(code, data)`` return values, same exception classes.  Differences are listed in the
    migration guide: secrets are never printed, malformed replies raise clear exceptions, every
    lock taken through the client is released on logout, and one instance can be shared by threads.

    :param host: FortiManager address, optionally with ``:port``.
    :param user: administrator name (password and FortiCloud logins).
    :param passwd: its password.
    :param debug: print every request and reply (secrets masked) to stdout.
    :param use_ssl: ``https`` (default) or ``http``.
    :param verify_ssl: ``False`` (default, like pyFMG), ``True``, or the path of a CA bundle.
    :param timeout: seconds to wait for a connection and for each reply; must be > 0.
    :param verbose: ask FortiManager for symbolic enum values on ``get`` (``verbose: 1``).
    :param track_task_disable_connerr: in :meth:`track_task`, treat connection errors as failed polls.
    :param disable_request_warnings: silence urllib3's InsecureRequestWarning (process-wide, as pyFMG did).
    :param apikey: API key (FortiManager 7.2.2+); used when no password is given.
    :param check_adom_workspace: read workspace and ADOM mode at login.
    :param pool_size: HTTP connections kept open for concurrent calls from several threads.
    :param retry: what may be repeated after an expired session or a failed read
        (:class:`pyfmg.retry.Retry`); default: nothing, as in pyFMG.
    :param max_reply_bytes: largest reply read (decompressed), default 512 MiB; larger ones raise
        :class:`FMGReplyTooLarge`.
    :param deadline: seconds one call may take in all (connect, headers, body); default None (only
        ``timeout``, per read); a call past it raises :class:`FMGDeadlineExceeded`.
    :param forticloud_access_token: an OAuth access token already obtained from FortiCloud (what
        fortinet.fortimanager calls ``forticloud_access_token``): the client logs in to the
        FortiCloud-hosted FortiManager with it instead of fetching one with ``user``/``passwd``,
        and does not revoke it.
    :param record: write every call and its reply, redacted, to this cassette file (JSON lines).
    """

    def __init__(
        self,
        host: str | None = None,
        user: str | None = None,
        passwd: str | None = None,
        debug: bool = False,
        use_ssl: bool = True,
        verify_ssl: VerifySetting = False,
        timeout: float = 300,
        verbose: bool = False,
        track_task_disable_connerr: bool = False,
        disable_request_warnings: bool = False,
        apikey: str | None = None,
        check_adom_workspace: bool = True,
        *,
        pool_size: int = 10,
        retry: Retry | None = None,
        max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES,
        deadline: float | None = None,
        forticloud_access_token: str | None = None,
        record: PathLike | None = None,
    ) -> None:
        self._host = checked_host(host)
        check_timeout(timeout)
        check_verify(verify_ssl)
        self._tls_warned = False
        self._user = user
        self._passwd = passwd if passwd is not None else apikey
        self._debug = debug
        self._use_ssl = use_ssl
        self._verbose = verbose
        self._check_adom_workspace = check_adom_workspace
        self._track_task_disable_connerr = track_task_disable_connerr
        self._sid = None
        self._url = None
        self._logger = None
        self._local = threading.local()
        check_pool_size(pool_size)
        self.retry = retry if retry is not None else Retry.disabled()
        self._recovery_lock = threading.RLock()
        self._print_lock = threading.Lock()
        self._redactor = Redactor()
        self._cassette = CassetteWriter(record, self._redactor) if record is not None else None
        self._apikeyused = passwd is None and apikey is not None
        check_forticloud_token(forticloud_access_token)
        self._forticloud_token = forticloud_access_token
        self._forticloudused = forticloud_access_token is not None or is_forticloud_host(self._host)
        self._login_cache = None
        self._auth.headers()  # the redactor learns the secrets now, before anything can print them
        self._transport = Transport(
            self._host, use_ssl, verify_ssl, timeout, self._redactor, pool_size, max_reply_bytes, deadline
        )
        self._foreign_session = None
        self._lock_ctx = FMGLockContext(self)
        # Late-bound, as in pyFMG: replacing get/delete on the instance, or patching time.sleep, takes effect.
        self._tasks = TaskTracker(
            lambda url: self.get(url),
            lambda url: self.delete(url),
            self._note,
            sleep=lambda seconds: time.sleep(seconds),
            clock=lambda: time.time(),
            get_many=self._get_many,
        )
        if disable_request_warnings:
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    # --- additions ---------------------------------------------------------------------------------
    @property
    def host(self) -> str:
        return self._host

    @property
    def workspace_mode(self) -> bool:
        """True when the FortiManager is in workspace (or workflow) mode, as read at login."""
        return self._workspace.uses_workspace

    @property
    def adoms_enabled(self) -> bool:
        return self._workspace.uses_adoms

    @property
    def retry(self) -> Retry:
        """The retry policy in force (see :mod:`pyfmg.retry`)."""
        return self._retry

    @retry.setter
    def retry(self, policy: Retry) -> None:
        if not isinstance(policy, Retry):
            raise FMGValueError(f"retry must be a pyfmg.retry.Retry, got {type(policy).__name__}")
        self._retry = policy

    @property
    def locked_scopes(self) -> list[str]:
        """What this client holds locked now: ``["root", "global", "root/pkg/default", ...]``."""
        return [scope.name for scope in self._workspace.held]

    def redact(self, text: str) -> str:
        """``text`` with the secrets this client knows (password, API key, token, session ids) masked in any form."""
        return self._redactor.text(text)

    # --- session ----------------------------------------------------------------------------------
    def __enter__(self) -> FortiManager:
        self.login()
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        try:
            self.logout()
        except Exception:
            if exc_type is None:
                raise
            # The block's own exception says more than a failed logout; keep it, log this one.
            logger.exception("Logout from %s failed while handling another error", self._host)

    # --- workspace ---------------------------------------------------------------------------------
    def lock_adom(self, adom: str | None = None, *args: Any, wait: float | None = None, **kwargs: Any) -> Reply:
        """Lock an ADOM (``"global"`` for the global database) for this session.

        With ``wait`` (seconds), a lock held by another session is retried with jittered backoff
        and :class:`FMGLockError` is raised when it is still held at the deadline.
        """
        if wait is not None:
            kwargs["wait"] = wait
        return self._lock_ctx.lock_adom(adom, *args, **kwargs)

    def unlock_adom(self, adom: str | None = None, *args: Any, **kwargs: Any) -> Reply:
        return self._lock_ctx.unlock_adom(adom, *args, **kwargs)

    def commit_changes(self, adom: str | None = None, aux: bool = False, *args: Any, **kwargs: Any) -> Reply:
        return self._lock_ctx.commit_changes(adom, aux, *args, **kwargs)

    def lock(
        self, adom: str | None = None, package: str | None = None, device: str | None = None, wait: float | None = None
    ) -> Reply:
        """Lock an ADOM, or only one policy package (its full path) or device in it."""
        return self._workspace.lock(LockScope(adom, package, device), wait=wait)

    def unlock(self, adom: str | None = None, package: str | None = None, device: str | None = None) -> Reply:
        return self._workspace.unlock(LockScope(adom, package, device))

    def commit(self, adom: str | None = None, package: str | None = None, device: str | None = None) -> Reply:
        return self._workspace.commit(LockScope(adom, package, device))

    @contextlib.contextmanager
    def workspace(
        self,
        adom: str | None = None,
        package: str | None = None,
        device: str | None = None,
        commit: bool = True,
        wait: float | None = None,
    ) -> Iterator[FortiManager]:
        """Lock (when workspace mode is on), run the block, commit if it succeeded, always unlock.

        Raises :class:`FMGLockError` when the lock cannot be had and :class:`FMGWorkspaceError`
        when the commit fails.  Outside workspace mode the block just runs.  Blocks of several
        threads on one scope share its lock; the last one out unlocks (see the reliability guide).
        """
        with self._workspace.session(LockScope(adom, package, device), commit=commit, wait=wait):
            yield self

    # --- tasks -------------------------------------------------------------------------------------
    def track_task(
        self,
        task_id: Any,
        sleep_time: float = 3,
        retrieval_fail_gate: int = 10,
        timeout: float = 120,
        delete_task_on_timeout: bool = False,
        timeout_only: bool = True,
        zero_percent_timeout: float = 30,
        task_stale_timeout: float = 60,
        *,
        progress: Callable[[TaskProgress], None] | None = None,
        min_sleep_time: float = MIN_SLEEP_TIME,
    ) -> Reply:
        """Poll ``/task/task/<task_id>`` until it reaches 100 %, fails to answer, or times out (pyFMG semantics).

        Polls start ``min_sleep_time`` apart and back off to at most ``sleep_time``, closing in on
        the moment the task's progress rate says it will finish.  ``progress`` receives a
        :class:`TaskProgress` whenever the task's percent, lines done or errors change.
        """
        options = TrackOptions(
            sleep_time=sleep_time,
            retrieval_fail_gate=retrieval_fail_gate,
            timeout=timeout,
            delete_task_on_timeout=delete_task_on_timeout,
            timeout_only=timeout_only,
            zero_percent_timeout=zero_percent_timeout,
            task_stale_timeout=task_stale_timeout,
            retry_connection_errors=self._track_task_disable_connerr,
            min_sleep_time=min_sleep_time,
            progress=progress,
        )
        return self._tasks.track(task_id, options)

    def track_tasks(
        self,
        task_ids: Iterable[Any],
        sleep_time: float = 3,
        retrieval_fail_gate: int = 10,
        timeout: float = 120,
        delete_task_on_timeout: bool = False,
        timeout_only: bool = True,
        zero_percent_timeout: float = 30,
        task_stale_timeout: float = 60,
        *,
        progress: Callable[[TaskProgress], None] | None = None,
        min_sleep_time: float = MIN_SLEEP_TIME,
    ) -> list[Reply]:
        """Follow several tasks at once, polling them all with one request per round.

        Returns what :meth:`track_task` would have returned for each task, in the order given.
        """
        options = TrackOptions(
            sleep_time=sleep_time,
            retrieval_fail_gate=retrieval_fail_gate,
            timeout=timeout,
            delete_task_on_timeout=delete_task_on_timeout,
            timeout_only=timeout_only,
            zero_percent_timeout=zero_percent_timeout,
            task_stale_timeout=task_stale_timeout,
            retry_connection_errors=self._track_task_disable_connerr,
            min_sleep_time=min_sleep_time,
            progress=progress,
        )
        ids = list(task_ids)
        return self._tasks.track_many(ids, options) if ids else []

    # --- many items at once -------------------------------------------------------------------------
    def bulk(
        self,
        method: str,
        url_or_params: str | Iterable[dict[str, Any]],
        items: Iterable[Any] | None = None,
        *,
        chunk_size: int = _bulk.DEFAULT_CHUNK_SIZE,
        workers: int = 1,
        progress: Callable[[int, int], None] | None = None,
        adom: str | None = None,
        commit: bool = True,
    ) -> list[_bulk.ItemResult]:
        """Apply ``method`` to many items with few requests; one :class:`ItemResult` per item, in input order.

        ``bulk("add", url, objects)`` sends ``{"url": url, "data": obj}`` per object;
        ``bulk("delete", [{"url": ...}, ...])`` sends the given params as they are.  Items travel
        ``chunk_size`` to a request, ``workers`` requests at a time (at most ``pool_size``).
        ``progress(done, total)`` is called after each request.  With ``adom``, the run is wrapped
        in :meth:`workspace` (one lock for the whole run, committed at the end when ``commit``).
        Failed items do not raise; nothing is retried (see :mod:`pyfmg.bulk`).
        """
        params = _bulk.build_params(url_or_params, items)
        _bulk.check_options(method, chunk_size, workers, self._transport.pool_size)
        if self._sid is None:
            raise FMGValidSessionException(method, params or [{"url": "?"}])
        if not params:
            return []

        with self.workspace(adom, commit=commit) if adom is not None else contextlib.nullcontext():
            send = lambda chunk_method, chunk: self.free_form(chunk_method, data=chunk)  # noqa: E731
            return _bulk.run(send, method, params, chunk_size, workers, progress, self._transport.pool_size)

    # --- requests ----------------------------------------------------------------------------------
    def get(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("get", url, *args, **kwargs)

    def add(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("add", url, *args, **kwargs)

    def update(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("update", url, *args, **kwargs)

    def set(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("set", url, *args, **kwargs)

    def delete(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("delete", url, *args, **kwargs)

    def replace(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("replace", url, *args, **kwargs)

    def clone(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("clone", url, *args, **kwargs)

    def execute(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("exec", url, *args, **kwargs)

    def move(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("move", url, *args, **kwargs)

    def unset(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("unset", url, *args, **kwargs)

    def free_form(self, method: str, create_task: Any = None, **kwargs: Any) -> Reply:
        """Send ``data`` (a list of params) as-is with ``method``; returns ``(200, results)``."""
        data = free_form_params(method, kwargs)
        return self._post_request(method, data, free_form=True, create_task=create_task)
