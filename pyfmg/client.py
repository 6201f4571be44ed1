"""The ``FortiManager`` class: pyFMG 0.8.6's public surface over pyfmg's transport, auth, workspace and tasks."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Callable

import urllib3

from . import bulk as _bulk
from . import planning as _planning
from .arguments import check_forticloud_token, check_pool_size, check_timeout, check_verify, checked_host
from .auth import is_forticloud_host
from .cassette import CassetteWriter, PathLike
from .exceptions import (
    FMGValidSessionException,
    FMGValueError,
)
from .jobresult import ConvergeResult
from .legacy import FMGLockContext
from .logs import Redactor
from .request import free_form_params
from .retry import Retry
from .session import LoginSession
from .tasks import MIN_SLEEP_TIME, TaskProgress, TaskTracker, TrackOptions
from .transport import DEFAULT_MAX_REPLY_BYTES, DEFAULT_MIN_SPEED, MinSpeed, Transport, VerifySetting
from .validation import SchemaCache
from .verbdocs import documented
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
    :param timeout: seconds to wait for a connection and for the reply to start (and any silence
        in it); must be > 0. A reply that keeps trickling is ended by ``min_speed``.
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
    :param deadline: seconds one call may take in all (connect, headers, body); default None (no
        total limit); a call past it raises :class:`FMGDeadlineExceeded`.
    :param min_speed: the progress every call must make (:class:`pyfmg.MinSpeed`, like curl's
        ``--speed-limit``/``--speed-time``). By default the reply's headers must be complete within
        ``2 x timeout + window`` seconds and its body must average at least 1,000 bytes/s over every
        ``window`` of ``max(timeout, 10)`` seconds, so a trickled reply ends (``timeout=2``: within
        14 s) while a large reply at any usable speed does not; a call that falls short raises
        :class:`FMGReplyTooSlow`. ``MinSpeed(bytes_per_second, seconds)`` changes the figures,
        ``None`` restores pyFMG's behaviour (only the per-read ``timeout``).
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
        min_speed: MinSpeed | None = DEFAULT_MIN_SPEED,
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
            self._host, use_ssl, verify_ssl, timeout, self._redactor, pool_size, max_reply_bytes, deadline, min_speed
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
        """The FortiManager's address as given (``name`` or ``name:port``, blanks stripped); read-only."""
        return self._host

    @property
    def workspace_mode(self) -> bool:
        """True when the FortiManager is in workspace (or workflow) mode, as read at login.

        ``False`` before login and with ``check_adom_workspace=False``. Same as pyFMG's
        ``fmg._lock_ctx.uses_workspace``.
        """
        return self._workspace.uses_workspace

    @property
    def adoms_enabled(self) -> bool:
        """True when ADOMs are enabled on the FortiManager, as read at login.

        ``False`` before login and with ``check_adom_workspace=False``. Same as pyFMG's
        ``fmg._lock_ctx.uses_adoms``.
        """
        return self._workspace.uses_adoms

    @property
    def retry(self) -> Retry:
        """The retry policy in force, a :class:`pyfmg.retry.Retry`; settable (new in pyfmg).

        Default ``Retry.disabled()``: nothing is repeated, as in pyFMG. Setting anything but a
        ``Retry`` raises :class:`FMGValueError`.
        """
        return self._retry

    @retry.setter
    def retry(self, policy: Retry) -> None:
        if not isinstance(policy, Retry):
            raise FMGValueError(f"retry must be a pyfmg.retry.Retry, got {type(policy).__name__}")
        self._retry = policy

    @property
    def locked_scopes(self) -> list[str]:
        """What this client holds locked now: ``["root", "global", "root/pkg/default", ...]`` (new in pyfmg).

        Locks taken through :meth:`lock_adom`, :meth:`lock` and :meth:`workspace`, all released by
        :meth:`logout`. No request is sent. A lock FortiManager no longer has leaves the list: all
        of them when the session turned out gone after a ``-11``, one when a write under it was
        refused with ``-10147`` (docs/reliability.rst).
        """
        return [scope.name for scope in self._workspace.held]

    def redact(self, text: str) -> str:
        """``text`` with the secrets this client knows masked, in any form they take (new in pyfmg).

        The password, API key, OAuth token and session ids are replaced wherever they appear in
        ``text``: as they are, JSON-escaped, URL-encoded or inside a ``repr``, as in debug output
        and exception messages. No request is sent.

        :param text: any text, e.g. a message to log.
        :returns: the masked text.
        """
        return self._redactor.text(text)

    # --- session ----------------------------------------------------------------------------------
    def __enter__(self) -> FortiManager:
        """:meth:`login`, then give the client to the ``with`` block."""
        self.login()
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        """:meth:`logout` (releasing every lock), also when the block raised; the block's exception wins."""
        try:
            self.logout()
        except Exception:
            if exc_type is None:
                raise
            # The block's own exception says more than a failed logout; keep it, log this one.
            logger.exception("Logout from %s failed while handling another error", self._host)

    # --- workspace ---------------------------------------------------------------------------------
    def lock_adom(self, adom: str | None = None, *args: Any, wait: float | None = None, **kwargs: Any) -> Reply:
        """Lock an ADOM's workspace (``"global"`` for the global database) for this session.

        Sends ``exec`` on ``/dvmdb/adom/<adom>/workspace/lock/`` (``/dvmdb/global/workspace/lock/``;
        without ``adom``, ``/dvmdb/adom/root/workspace/lock``), as pyFMG did. A lock taken is
        remembered and released by :meth:`logout`, also when a ``with`` block raised.

        :param adom: the ADOM; ``None`` means ``root``, spelled as pyFMG spelled it.
        :param args: dicts merged into the request's param, as pyFMG forwarded them.
        :param wait: seconds to keep trying, with jittered backoff, while another session holds
            the lock (code ``-20055``); ``None`` (default) sends one request, as pyFMG did.
        :param kwargs: sent as the request's ``data`` (pyFMG's keyword translation: ``__``
            becomes ``-``, ``___`` a space).
        :returns: ``(code, data)``: ``0`` when locked; otherwise FortiManager's code (``-20055``
            locked by another session, ``-6`` no such ADOM), returned rather than raised unless
            ``wait`` is given.
        :raises FMGLockError: with ``wait``, when the lock is still held at the deadline or was
            refused; it names the holder when FortiManager reports one.
        :raises FMGValueError: ``wait`` is not a number of seconds.
        :raises FMGConnectionError: as for every call; a lock request whose reply was lost is
            remembered as "maybe locked" and unlocked at logout.

        Where it differs from pyFMG: a lock counts as taken on code 0 (pyFMG also wanted the
        message ``"OK"``, and raised ``KeyError`` on a reply without ``status``); ``wait`` is new.
        """
        if wait is not None:
            kwargs["wait"] = wait
        return self._lock_ctx.lock_adom(adom, *args, **kwargs)

    def unlock_adom(self, adom: str | None = None, *args: Any, **kwargs: Any) -> Reply:
        """Unlock an ADOM's workspace; changes not committed are discarded by FortiManager.

        Sends ``exec`` on ``/dvmdb/adom/<adom>/workspace/unlock/`` (``/dvmdb/global/...`` for
        ``"global"``), as pyFMG did, and forgets the lock on code 0.

        :param adom: the ADOM; ``None`` means ``root``, spelled as pyFMG spelled it.
        :param args: dicts merged into the request's param.
        :param kwargs: sent as the request's ``data`` (pyFMG's keyword translation applies).
        :returns: ``(code, data)``: ``0`` when unlocked, else FortiManager's code. While
            :meth:`workspace` blocks of other threads still use the ADOM, nothing is sent: this
            call gives up only its own claim and returns ``0`` with a message saying so.
        :raises FMGValidSessionException: there is no session.
        :raises FMGConnectionError: FortiManager could not be reached.
        """
        return self._lock_ctx.unlock_adom(adom, *args, **kwargs)

    def commit_changes(self, adom: str | None = None, aux: bool = False, *args: Any, **kwargs: Any) -> Reply:
        """Commit (save) the changes made in an ADOM's workspace; the lock stays.

        Sends ``exec`` on ``/dvmdb/adom/<adom>/workspace/commit`` (``/dvmdb/global/workspace/commit/``
        for ``"global"``; with ``aux``, ``/pm/config/adom/<adom>/workspace/commit``), as pyFMG did.

        :param adom: the ADOM; ``None`` means ``root``.
        :param aux: use pyFMG's alternative URL under ``pm/config`` (only with a named ADOM).
        :param args: dicts merged into the request's param.
        :param kwargs: sent as the request's ``data`` (pyFMG's keyword translation applies).
        :returns: ``(code, data)``: ``0`` when committed, else FortiManager's code (returned,
            not raised, as in pyFMG; :meth:`workspace` raises instead).
        :raises FMGValidSessionException: there is no session.
        :raises FMGConnectionError: FortiManager could not be reached.
        """
        return self._lock_ctx.commit_changes(adom, aux, *args, **kwargs)

    def lock(
        self, adom: str | None = None, package: str | None = None, device: str | None = None, wait: float | None = None
    ) -> Reply:
        """Lock an ADOM, or only one policy package or device in it (new in pyfmg).

        Sends ``exec`` on the workspace URL of the scope: ``/dvmdb/adom/<adom>/workspace/lock/``,
        ``.../workspace/lock/pkg/<package>`` or ``.../workspace/lock/dev/<device>``. Two scripts
        can then change two packages of one ADOM at the same time. The lock is released by
        :meth:`unlock` or :meth:`logout`.

        :param adom: the ADOM (``"global"`` for the global database); ``None`` means ``root``.
        :param package: a policy package, by its full path (``"emea/branch"`` inside folder
            ``emea``; :func:`pyfmg.resolve_package_path` finds it from its name).
        :param device: a managed device, by name (not with ``package``).
        :param wait: seconds to keep trying while another session holds it; ``None`` sends one
            request.
        :returns: ``(code, data)``: ``0`` when locked, else FortiManager's code (``-20055``
            locked by another session), returned unless ``wait`` is given.
        :raises FMGLockError: with ``wait``, when the lock is still held at the deadline or was refused.
        :raises FMGValueError: both ``package`` and ``device``, or a ``wait`` that is not a number.
        :raises FMGConnectionError: as for every call (the scope is then unlocked at logout).
        """
        return self._workspace.lock(LockScope(adom, package, device), wait=wait)

    def unlock(self, adom: str | None = None, package: str | None = None, device: str | None = None) -> Reply:
        """Unlock what :meth:`lock` locked (new in pyfmg); uncommitted changes in it are discarded.

        Sends ``exec`` on the scope's ``.../workspace/unlock...`` URL, unless :meth:`workspace`
        blocks of other threads still use the scope: then only this claim is given up and the
        last block unlocks.

        :param adom: the ADOM; ``package``, ``device``: the scope, as in :meth:`lock`.
        :returns: ``(code, data)``: ``0`` when unlocked (or still in use, with a message saying
            so), else FortiManager's code.
        :raises FMGValueError: both ``package`` and ``device``.
        :raises FMGConnectionError: FortiManager could not be reached.
        """
        return self._workspace.unlock(LockScope(adom, package, device))

    def commit(self, adom: str | None = None, package: str | None = None, device: str | None = None) -> Reply:
        """Commit the changes made under a lock taken with :meth:`lock` (new in pyfmg); the lock stays.

        Sends ``exec`` on the scope's ``.../workspace/commit...`` URL.

        :param adom: the ADOM; ``package``, ``device``: the scope, as in :meth:`lock`.
        :returns: ``(code, data)``: ``0`` when committed, else FortiManager's code (returned,
            not raised; :meth:`workspace` raises instead).
        :raises FMGValueError: both ``package`` and ``device``.
        :raises FMGConnectionError: FortiManager could not be reached.
        """
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
        """A ``with`` block that changes a workspace safely (new in pyfmg)::

            with fmg.workspace("root"):
                fmg.add("pm/config/adom/root/obj/firewall/address", name="web01", subnet="10.0.0.10/32")

        In workspace mode: lock the scope (as :meth:`lock`), run the block, commit if it ended
        without an exception, and always unlock (discarding what was not committed). Outside
        workspace mode the block just runs and nothing is sent. Blocks of several threads on one
        scope share its lock; the last one out unlocks.

        :param adom: the ADOM; ``package``, ``device``: the scope, as in :meth:`lock`.
        :param commit: ``False`` to leave without committing (the unlock discards the changes).
        :param wait: seconds to wait for a lock another session holds.
        :returns: the client itself, as the ``with`` block's target.
        :raises FMGLockError: the lock could not be had (held by another session past ``wait``).
        :raises FMGWorkspaceError: the commit failed; nothing was saved and the lock is released.
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
        """Follow a task (an install, an import, a script run) until it ends, as pyFMG did.

        Sends ``get`` on ``/task/task/<task_id>`` until ``percent`` reaches 100, polling fails
        ``retrieval_fail_gate`` times, or a timeout passes.

        :param task_id: the task's id, e.g. ``data["task"]`` from :meth:`execute`.
        :param sleep_time: the longest wait between polls, in seconds. pyFMG waited exactly
            this long; pyfmg starts ``min_sleep_time`` apart and closes in on the moment the
            task's progress says it will end, so it notices the end sooner.
        :param retrieval_fail_gate: failed polls (a non-zero code, or a connection error with
            ``track_task_disable_connerr``) after which tracking gives up.
        :param timeout: seconds after which tracking gives up.
        :param delete_task_on_timeout: on a timeout, also send ``delete`` on the task.
        :param timeout_only: ``False`` also gives up when the task sits at 0 % for
            ``zero_percent_timeout`` seconds or stops progressing for ``task_stale_timeout``.
        :param zero_percent_timeout: see ``timeout_only``.
        :param task_stale_timeout: see ``timeout_only``.
        :param progress: called with a :class:`pyfmg.TaskProgress` whenever the task's percent,
            lines done or errors change (new in pyfmg).
        :param min_sleep_time: the shortest wait between polls (new in pyfmg).
        :returns: pyFMG's values: ``(0, task)`` at 100 %, the task record with
            ``total_task_time`` added (its ``num_err`` says whether lines failed); ``(code, last
            reply)`` when polling failed ``retrieval_fail_gate`` times; ``(1, {"msg": ...})`` on
            timeout; ``(1, task)`` with ``msg`` added when the task sat at 0 % or went stale.
        :raises FMGValueError: a setting that is not a number of the right kind.
        :raises FMGConnectionError: a poll could not reach FortiManager, unless the client was
            made with ``track_task_disable_connerr=True`` (then it counts as a failed poll).

        Where it differs from pyFMG: when the polls happen (above); pyFMG crashed with
        ``UnboundLocalError`` when its first poll failed, and on task fields that were not numbers.
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
        """Follow several tasks at once, polling them all with one request per round (new in pyfmg).

        Each round sends one ``get`` request whose params are ``/task/task/<id>`` for every task
        still running, so following 50 installs costs one round trip per round, not 50.

        :param task_ids: the tasks' ids.
        :param sleep_time: and the other settings: as for :meth:`track_task`, for each task.
        :returns: what :meth:`track_task` would have returned for each task, in the order given;
            ``[]`` for no tasks.
        :raises FMGValueError: a setting that is not a number of the right kind.
        :raises FMGConnectionError: a poll could not reach FortiManager (unless
            ``track_task_disable_connerr``).
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
        """Apply ``method`` to many items with few requests (new in pyfmg).

        Sends JSON-RPC ``method`` with up to ``chunk_size`` params a request:
        ``bulk("add", url, objects)`` sends ``{"url": url, "data": obj}`` per object, and
        ``bulk("delete", [{"url": ...}, ...])`` sends the given params as they are. Requests go
        ``workers`` at a time (at most ``pool_size``). Failed items do not raise, and nothing
        is sent again (see :mod:`pyfmg.bulk`)::

            results = fmg.bulk("add", "pm/config/adom/root/obj/firewall/address", addresses, adom="root")
            failed = [r for r in results if not r.ok]

        :param method: the JSON-RPC method (``"add"``, ``"set"``, ``"update"``, ``"delete"``...).
        :param url_or_params: a table URL (then ``items`` are the objects), or the params themselves.
        :param items: the objects to send as ``data`` to ``url_or_params``.
        :param chunk_size: params per request.
        :param workers: requests in flight at once.
        :param progress: called as ``progress(done, total)`` after each request.
        :param adom: run inside :meth:`workspace` on this ADOM: one lock for the whole run.
        :param commit: with ``adom``, commit at the end.
        :returns: one :class:`pyfmg.ItemResult` per item, in input order: its ``code``,
            ``message`` and ``data``.
        :raises FMGValidSessionException: there is no session.
        :raises FMGValueError: a method that is not a name, a ``chunk_size`` or ``workers`` that
            is not a whole number >= 1 (or more workers than ``pool_size``), items or params of
            the wrong shape.
        :raises FMGLockError: with ``adom``, the lock could not be had.
        :raises FMGWorkspaceError: with ``adom``, the commit failed.
        """
        params = _bulk.build_params(url_or_params, items)
        _bulk.check_options(method, chunk_size, workers, self._transport.pool_size)
        if self._sid is None:
            raise FMGValidSessionException(method, params or [{"url": "?"}])
        if not params:
            return []

        scope = None if adom is None else LockScope(adom)
        return _planning.bulk_job(
            self._job_channel(),
            method,
            params,
            chunk_size=chunk_size,
            workers=workers,
            progress=progress,
            scope=scope,
            commit=commit,
        )

    def converge(
        self,
        url: str,
        objects: Iterable[Mapping[str, Any]] = (),
        *,
        key: str = "name",
        absent: Iterable[Any] = (),
        check_mode: bool = False,
        chunk_size: int = _bulk.DEFAULT_CHUNK_SIZE,
        workers: int | None = None,
        commit: bool = True,
        wait: float | None = None,
        progress: Callable[[int, int], None] | None = None,
        validate: bool = False,
        lock_adom: str | None = None,
    ) -> ConvergeResult:
        """Bring many objects of one table to a wanted state with the fewest requests.

        Reads the objects named (one filtered ``get`` of the table for up to about 1,500 keys,
        with ``fields``; more keys page the table or chunk the filter, whichever takes fewer
        requests), compares them with the wanted attributes in memory (:mod:`pyfmg.compare`), and
        writes only what differs, in multi-param requests: ``add`` to the table for new objects,
        ``update`` of the row with only the differing attributes, ``delete`` of the row for
        ``absent`` ones.  In workspace mode the narrowest lock is taken once, only when something
        must be written, committed once and always released (a lock you hold is used as is).

        :param url: the table, e.g. ``"pm/config/adom/root/obj/firewall/address"``.
        :param objects: the wanted objects, dicts of attributes each with its ``key``
            (``{"name": "h1", "subnet": "10.0.0.1/32"}``).  Only the attributes named are compared
            and written; the others are left as they are.
        :param key: the table's key attribute (``"policyid"`` for policies).
        :param absent: key values of objects that must not exist (deleted if they do).
        :param check_mode: plan only: read and compare, send no write, lock or commit; the
            result says what would change (status ``planned``, with ``before``/``after``).
        :param chunk_size: writes per request (default 100).
        :param workers: requests in flight at once (default ``min(4, pool_size)``, at most ``pool_size``).
        :param commit: commit at the end (workspace mode).  ``False`` only inside your own
            ``with fmg.workspace(...)`` block: unlocking uncommitted changes drops them.
        :param wait: seconds to wait for a lock another session holds (default: fail at once).
        :param progress: called as ``progress(done, total)`` in this thread, after planning and
            after each write request.  If it raises, the job stops, unlocks and re-raises.
        :param validate: check the objects to create or update against the table's schema, as
            :meth:`validate` does, before any lock or write.  The table's ``option=syntax`` is
            asked in the same request as the first read unless :attr:`schemas` has it already.
        :param lock_adom: lock this whole ADOM (``"global"`` for the global database) instead
            of the narrowest scope, as fortinet.fortimanager's ``workspace_locking_adom`` does;
            still only when something must be written.  It must be the ADOM ``url`` is in.
        :returns: a :class:`pyfmg.ConvergeResult`: one :class:`pyfmg.ObjectResult` per object,
            ``objects`` then ``absent``, in input order; ``.summary``, ``.ok``,
            ``.raise_for_status()``.  Failed objects and a lock or commit that failed do not
            raise: they are in the result.
        :raises FMGValueError: bad input, before any request is sent: an object without its key,
            a key twice, attributes that are not a dict or not JSON, a URL that is not a string,
            a ``lock_adom`` that is not the URL's ADOM.
        :raises FMGObjectStatusError: the first read was refused (an unknown table: ``-6``), before
            any lock or write.
        :raises FMGValidationError: with ``validate``, objects the table's schema rules out; its
            ``problems`` name each object by its key value.  Nothing was locked or written.

        New in pyfmg (pyFMG has no such call).  A lost reply is settled by reading the objects
        back: what was applied is reported applied, only what is missing is sent again.
        """
        return _planning.converge(
            self._job_channel(),
            url,
            objects,
            key=key,
            absent=absent,
            check_mode=check_mode,
            chunk_size=chunk_size,
            workers=workers,
            commit=commit,
            wait=wait,
            progress=progress,
            validate=validate,
            lock_adom=lock_adom,
        )

    def _job_channel(self) -> _planning.Channel:
        def send(method: str, params: list[dict[str, Any]]) -> Reply:
            return self.free_form(method, data=params)

        return _planning.Channel(send, self._workspace, self._transport.pool_size, self.schemas)

    @property
    def schemas(self) -> SchemaCache:
        """This client's table schemas: each table's ``option=syntax`` answer, read once (new in pyfmg).

        :meth:`validate`, :meth:`converge` (its ``validate`` and its comparison of enums given by
        number with the names FortiManager returns) and :func:`pyfmg.converge.table_enums` share
        it, so a table costs one ``syntax`` request per client whichever asks first.  Reading
        this attribute sends nothing; see :class:`pyfmg.validation.SchemaCache`.
        """
        cache = self.__dict__.get("_schemas")
        if cache is None:
            cache = self._schemas = SchemaCache(self.get)
        return cache

    def validate(self, url: str, data: Any) -> None:
        """Check the data of a write to ``url`` against the table's schema, before sending the write.

        Sends ``get <url> option=syntax`` the first time a table is checked; this client keeps
        the answer, so each table costs one request per client. ``data`` is one object's
        attributes or a list of them. Returns None when the data fits (or when FortiManager
        cannot describe the table: nothing is then ruled out). pyFMG had no such check.

        :raises FMGValidationError: an unknown attribute, a wrong type, an enum value the table
            does not allow (the allowed ones are named), an integer out of range or a string
            too long; ``problems`` lists each.
        """
        self.schemas.validate(url, data)

    # --- requests ----------------------------------------------------------------------------------
    @documented("get")
    def get(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("get", url, *args, **kwargs)

    @documented("add")
    def add(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("add", url, *args, **kwargs)

    @documented("update")
    def update(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("update", url, *args, **kwargs)

    @documented("set")
    def set(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("set", url, *args, **kwargs)

    @documented("delete")
    def delete(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("delete", url, *args, **kwargs)

    @documented("replace")
    def replace(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("replace", url, *args, **kwargs)

    @documented("clone")
    def clone(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("clone", url, *args, **kwargs)

    @documented("execute")
    def execute(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("exec", url, *args, **kwargs)

    @documented("move")
    def move(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("move", url, *args, **kwargs)

    @documented("unset")
    def unset(self, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._call("unset", url, *args, **kwargs)

    def free_form(self, method: str, create_task: Any = None, **kwargs: Any) -> Reply:
        """Send a request made by hand: several params in one call, or a param of any shape.

        Sends ``{"method": method, "params": data, ...}``: ``data`` is the list of params, sent
        as it is (no keyword translation)::

            code, results = fmg.free_form("get", data=[{"url": "sys/status"}, {"url": "dvmdb/adom"}])

        :param method: the JSON-RPC method: ``"get"``, ``"add"``, ``"exec"``...
        :param create_task: sent as the request's ``"create task"`` (FortiManager then answers
            at once with ``{"task": N}``: follow it with :meth:`track_task`).
        :param kwargs: ``data=[{"url": ...}, ...]``, the params; other keywords are ignored.
        :returns: ``(200, results)``: ``200`` whatever FortiManager answered, and the list of
            results, one per param in order, each with its own ``status`` code (as pyFMG).
            A reply that is not JSON gives ``(100, NotJSONResponse)``.
        :raises FMGRequestNotFormedCorrect: no ``data`` keyword, an empty ``data``, or no method name.
        :raises FMGValidSessionException: there is no session.
        :raises FMGValueError: data that cannot be sent as JSON (a circular structure).
        :raises FMGConnectionError: FortiManager could not be reached; a ``get`` is repeated
            first when ``retry=Retry(reads=N)`` allows, a write never.
        :raises FMGInvalidResponse: the reply is not a JSON-RPC answer to this request.

        Where it differs from pyFMG: an empty ``data`` and a missing method raise at once; the
        reply's ``id`` is checked; a reply that is not JSON comes as a
        :class:`~pyfmg.response.NotJSONResponse` instead of the raw response.
        """
        data = free_form_params(method, kwargs)
        return self._post_request(method, data, free_form=True, create_task=create_task)
