"""The ``FortiManager`` class: pyFMG 0.8.6's public surface over pyfmg's transport, auth, workspace and tasks."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import warnings
from collections.abc import Iterable, Iterator
from typing import Any, Callable

import urllib3

from . import bulk as _bulk
from .arguments import check_host, check_pool_size, check_timeout, check_verify, serialisable
from .auth import is_forticloud_host
from .cassette import CassetteWriter, PathLike
from .exceptions import (
    FMGInsecureTLSWarning,
    FMGRequestNotFormedCorrect,
    FMGValidSessionException,
    FMGValueError,
)
from .legacy import FMGLockContext, PyFMGSurface
from .logs import Redactor
from .request import build_envelope, build_params
from .response import NOT_JSON_CODE, NotJSONResponse, all_results, first_result, parse_releasing_bytes
from .retry import INVALID_SESSION, READ_METHODS, Retry
from .tasks import MIN_SLEEP_TIME, TaskProgress, TaskTracker, TrackOptions
from .transport import DEFAULT_MAX_REPLY_BYTES, Transport, VerifySetting
from .validation import SchemaCache
from .workspace import LockScope

logger = logging.getLogger(__name__)

Reply = tuple[int, Any]


class FortiManager(PyFMGSurface):
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
        if not isinstance(host, str) or not host.strip():
            raise FMGValueError(
                "Host is required: the FortiManager's name or address, e.g. '10.1.1.1' or 'fmg.example.com:8443'"
            )
        check_timeout(timeout)
        check_host(host.strip())
        check_verify(verify_ssl)
        self._tls_warned = False
        self._host = host.strip()
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
        if retry is not None and not isinstance(retry, Retry):
            raise FMGValueError(f"retry must be a pyfmg.retry.Retry, got {type(retry).__name__}")
        self._retry = retry if retry is not None else Retry.disabled()
        self._recovery_lock = threading.RLock()
        self._print_lock = threading.Lock()
        self._redactor = Redactor()
        self._cassette = CassetteWriter(record, self._redactor) if record is not None else None
        self._apikeyused = passwd is None and apikey is not None
        if forticloud_access_token is not None and (
            not isinstance(forticloud_access_token, str) or not forticloud_access_token
        ):
            raise FMGValueError("forticloud_access_token must be a non-empty string (a FortiCloud OAuth token)")
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

    # --- session -----------------------------------------------------------------------------------
    def login(self) -> Reply:
        """Log in (or set up the API-key session) and read the workspace mode.

        Returns ``(0, {"status": {"message": "OK", "code": 0}, "url": ...})`` on success and
        ``(-1, {...})`` on failure.  As in pyFMG, a failed login with ``check_adom_workspace``
        on raises :class:`FMGValidSessionException` (from the workspace check), naming the cause.
        """
        if self._sid is not None:
            self.logout()
        if self._use_ssl and self.verify_ssl is False and not self._tls_warned:
            self._tls_warned = True
            warnings.warn(
                f"pyfmg: the TLS certificate of {self._host} is not verified (verify_ssl=False): anyone on the path "
                "can read the password and the session. Pass verify_ssl='/path/to/ca.pem' (the CA that signed it)",
                FMGInsecureTLSWarning,
                stacklevel=2,
            )
        with self._reporting_errors(), serialisable("login"):
            sid, code, detail = self._log_in(self._sid)
        if sid is not None:
            self.sid = sid
        cause = f"login to {self._host} as {self._user!r} failed: code {code}, {_describe(detail)}"
        if sid is None:
            logger.warning("%s", self._redactor.text(cause))
            if self._check_adom_workspace:
                raise FMGValidSessionException(
                    "get", [{"url": "/cli/global/system/global"}], msg=self._redactor.text(f"no valid session: {cause}")
                )
        else:
            with self._without_recovery():
                self._lock_ctx.check_mode()
        login_url = self._auth.login_url
        if sid is not None:
            return 0, {"status": {"message": "OK", "code": 0}, "url": login_url}
        return -1, {"status": {"message": self._redactor.text(cause), "code": -1}, "url": login_url}

    def logout(self) -> Reply | None:
        """Release every lock taken through this client, then end the session.

        The session is forgotten even when unlocking or the logout call fails; an unlock error is
        raised after the logout was attempted.
        """
        if self._sid is None:
            return None
        unlock_error: BaseException | None = None
        # Logging in again only to unlock and log out would be wasted work: the old session's locks died with it.
        with self._without_recovery():
            try:
                self._lock_ctx.run_unlock()
            except Exception as err:
                unlock_error = err
            try:
                reply = self.execute("sys/logout")
            finally:
                self._sid = None
                self._workspace.forget_all()
        if unlock_error is not None:
            raise unlock_error
        return reply

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

    def _get_many(self, urls: list[str]) -> list[Reply]:
        code, results = self.free_form("get", data=[{"url": url} for url in urls])
        if code != 200 or not isinstance(results, list):
            return [(code, results)] * len(urls)
        replies: list[Reply] = [(r["status"]["code"], r.get("data", r)) for r in results]
        return replies + [(-1, None)] * (len(urls) - len(replies))

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

        def send(chunk_method: str, chunk: list[dict[str, Any]]) -> Reply:
            return self.free_form(chunk_method, data=chunk)

        def run() -> list[_bulk.ItemResult]:
            return _bulk.run(send, method, params, chunk_size, workers, progress, self._transport.pool_size)

        if adom is None:
            return run()
        with self.workspace(adom, commit=commit):
            return run()

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
        if self.__dict__.get("_schemas") is None:
            self._schemas = SchemaCache(self.get)
        self._schemas.validate(url, data)

    # --- requests ----------------------------------------------------------------------------------
    def _post_request(self, method: str, params: Any, free_form: bool = False, create_task: Any = None) -> Reply:
        """Send one call; repeat it only where the retry policy allows (see :mod:`pyfmg.retry`)."""
        policy = self._retry
        repeats = 0
        relogged_in = False
        while True:
            sid = self._sid
            try:
                code, data = self._send(method, params, free_form, create_task)
            except Exception as err:
                if not (policy.is_transient(err) and policy.may_repeat_read(method, repeats)):
                    raise
                repeats += 1
                self._wait_before_repeat(policy, repeats, method, params, str(err))
                continue
            if (
                code == NOT_JSON_CODE
                and isinstance(data, NotJSONResponse)
                and data.status_code in policy.status_forcelist
                and policy.may_repeat_read(method, repeats)
            ):
                repeats += 1
                self._wait_before_repeat(policy, repeats, method, params, f"HTTP {data.status_code}")
                continue
            if (
                policy.relogin
                and not relogged_in
                and _reply_code(code, data, free_form) == INVALID_SESSION
                and not getattr(self._local, "no_recovery", False)
                and self._sid is not None
            ):
                relogged_in = True
                self._recover_session(sid, _label(method, params))
                continue
            written = method not in READ_METHODS and "/workspace/" not in _first_url(params)
            if written and _reply_code(code, data, free_form) == 0:
                self._workspace.note_write()
            return code, data

    def _wait_before_repeat(self, policy: Retry, repeat: int, method: str, params: Any, why: str) -> None:
        delay = policy.backoff(repeat)
        logger.warning(
            "%s failed (%s); repeating it (%d of %d) in %.2f s",
            _label(method, params),
            self._redactor.text(why),
            repeat,
            policy.reads,
            delay,
        )
        if delay > 0:
            time.sleep(delay)

    def _recover_session(self, failed_sid: str | None, label: str) -> None:
        """Log in again after FortiManager refused ``failed_sid``, and take back the locks it held.

        Threads sharing the client that see the same refusal wait here; only the first logs in.
        Raises :class:`FMGValidSessionException` when the new login fails, :class:`FMGLockError`
        when a lock could not be taken back and :class:`FMGWorkspaceError` when changes made under
        the old session were not committed (FortiManager discards them with the session).
        """
        with self._recovery_lock:
            if self._sid != failed_sid or self._sid is None:
                return  # another thread already logged in again
            logger.warning("FortiManager refused the session for %s (code -11); logging in again", label)
            with self._without_recovery():
                with self._reporting_errors(), serialisable("login"):
                    sid, code, detail = self._log_in(None)
                if sid is None:
                    self._sid = None
                    self._workspace.forget_all()
                    raise FMGValidSessionException(
                        msg=self._redactor.text(
                            f"The session expired and logging in to {self._host} again failed: code {code}, "
                            f"{_describe(detail)}"
                        )
                    )
                self.sid = sid
                self._workspace.reacquire()

    def _send(self, method: str, params: Any, free_form: bool, create_task: Any) -> Reply:
        if self._uses_pyfmg_path():
            return self._post_through_session(method, params, free_form, create_task)
        record = self.req_resp_object
        record.reset()
        if self._sid is None:
            raise FMGValidSessionException(method, params)
        request_id = self._transport.next_id()
        envelope = build_envelope(method, params, self._sid, request_id, self._verbose, create_task)
        record.request_json = envelope
        with self._reporting_errors():
            with serialisable(_label(method, params)):
                reply = self._transport.post(envelope, label=_label(method, params), headers=self._auth.headers())
            url = _first_url(params)
            body = parse_releasing_bytes(reply, url, record)
            if isinstance(body, NotJSONResponse):
                not_json = body
                record.error_msg = not_json["status"]["message"] = self._redactor.text(not_json["status"]["message"])
                self.dprint()
                return not_json["status"]["code"], not_json
            self.dprint()
            if self._cassette is not None:
                self._cassette.exchange(envelope, body)
            if free_form:
                return 200, all_results(body, request_id, url, reply.status, reply.content)
            return first_result(body, request_id, url, reply.status, reply.content)

    @contextlib.contextmanager
    def _without_recovery(self) -> Iterator[None]:
        previous = getattr(self._local, "no_recovery", False)
        self._local.no_recovery = True
        try:
            yield
        finally:
            self._local.no_recovery = previous

    def _call(self, method: str, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._post_request(method, build_params(method, url, *args, **kwargs))

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
        if not kwargs:
            raise FMGRequestNotFormedCorrect(
                "Free Form Request was not formed correctly: free_form needs a data keyword, "
                "free_form(method, data=[{'url': ...}, ...])"
            )
        data = kwargs.get("data")
        if not data:
            raise FMGRequestNotFormedCorrect(
                "Free Form Request was not formed correctly: the data keyword is missing or empty; "
                "pass data=[{'url': ...}, ...]"
            )
        if not isinstance(method, str) or not method:
            raise FMGRequestNotFormedCorrect(f"free_form needs a method name such as 'get', got {method!r}")
        return self._post_request(method, data, free_form=True, create_task=create_task)


def _first_url(params: Any) -> str:
    if isinstance(params, list) and params and isinstance(params[0], dict):
        return str(params[0].get("url", ""))
    return ""


def _label(method: str, params: Any) -> str:
    url = _first_url(params)
    extra = len(params) - 1 if isinstance(params, list) else 0
    return f"{method} {url}" + (f" (+{extra} more)" if extra > 0 else "")


def _reply_code(code: int, data: Any, free_form: bool) -> int:
    """The FortiManager code of a reply; for ``free_form`` (always 200) the first result's."""
    if free_form and isinstance(data, list) and data and isinstance(data[0], dict):
        status = data[0].get("status")
        if isinstance(status, dict) and isinstance(status.get("code"), int):
            return int(status["code"])
    return code


def _describe(detail: Any) -> str:
    if isinstance(detail, dict) and isinstance(detail.get("status"), dict):
        return str(detail["status"].get("message", ""))
    return "no session in the reply"
