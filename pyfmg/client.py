"""The ``FortiManager`` class: pyFMG 0.8.6's public surface over pyfmg's transport, auth, workspace and tasks."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import warnings
from collections.abc import Iterable, Iterator
from typing import Any, Callable, Union

import requests
import urllib3

from . import bulk as _bulk
from .arguments import check_host, check_pool_size, check_timeout, check_verify, serialisable
from .auth import ApiKeyLogin, FortiCloudLogin, PasswordLogin, is_forticloud_host
from .cassette import CassetteWriter, PathLike
from .exceptions import (
    FMGInsecureTLSWarning,
    FMGRequestNotFormedCorrect,
    FMGValidSessionException,
    FMGValueError,
)
from .logs import Redactor, RequestResponse, format_exchange, jprint
from .request import build_envelope, build_params
from .response import BODY_EXCERPT, NOT_JSON_CODE, NotJSONResponse, all_results, decode, decode_text, first_result
from .retry import INVALID_SESSION, READ_METHODS, Retry
from .tasks import MIN_SLEEP_TIME, TaskProgress, TaskTracker, TrackOptions
from .transport import HTTPReply, Transport, VerifySetting
from .workspace import LockScope, WorkspaceManager

logger = logging.getLogger(__name__)

Reply = tuple[int, Any]
LoginStrategy = Union[PasswordLogin, ApiKeyLogin, FortiCloudLogin]


class FortiManager:
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
        record: PathLike | None = None,
    ) -> None:
        if not isinstance(host, str) or not host.strip():
            raise FMGValueError(
                "host is required: the FortiManager's name or address, e.g. '10.1.1.1' or 'fmg.example.com:8443'"
            )
        check_timeout(timeout)
        check_host(host.strip())
        check_verify(verify_ssl)
        self._tls_warned = False
        self._host = host.strip()
        self._user = user
        self._debug = debug
        self._use_ssl = use_ssl
        self._verbose = verbose
        self._check_adom_workspace = check_adom_workspace
        self._track_task_disable_connerr = track_task_disable_connerr
        self._sid: str | None = None
        self._logger: logging.Logger | None = None
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
        self._forticloudused = is_forticloud_host(self._host)
        self._auth: LoginStrategy
        if self._apikeyused:
            self._auth = ApiKeyLogin(str(apikey), self._redactor)
        elif self._forticloudused:
            self._auth = FortiCloudLogin(self._host, user, passwd, self._redactor)
        else:
            self._auth = PasswordLogin(user, passwd, self._redactor)
        self._transport = Transport(self._host, use_ssl, verify_ssl, timeout, self._redactor, pool_size)
        self._workspace = WorkspaceManager(lambda url, *a, **kw: self.execute(url, {}, *a, **kw), self.get)
        self._tasks = TaskTracker(self.get, self.delete, self._note, get_many=self._get_many)
        if disable_request_warnings:
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    # --- pyFMG's properties ------------------------------------------------------------------------
    @property
    def api_key_used(self) -> bool:
        return self._apikeyused

    @property
    def forticloud_used(self) -> bool:
        return self._forticloudused

    @property
    def check_adom_workspace(self) -> bool:
        return self._check_adom_workspace

    @check_adom_workspace.setter
    def check_adom_workspace(self, val: bool) -> None:
        self._check_adom_workspace = val

    @property
    def debug(self) -> bool:
        return self._debug

    @debug.setter
    def debug(self, val: bool) -> None:
        self._debug = val

    @property
    def req_id(self) -> int:
        """The id of the last request sent (by any thread)."""
        return self._transport.last_id

    @req_id.setter
    def req_id(self, val: int) -> None:
        if isinstance(val, bool) or not isinstance(val, int):
            raise FMGValueError(f"req_id must be a whole number, got {val!r}")
        self._transport.reset_ids(val)

    @property
    def sid(self) -> str | None:
        return self._sid

    @sid.setter
    def sid(self, val: str | None) -> None:
        self._sid = val
        self._redactor.add(val)

    @property
    def verify_ssl(self) -> VerifySetting:
        return self._transport.verify_ssl

    @verify_ssl.setter
    def verify_ssl(self, val: VerifySetting) -> None:
        check_verify(val)
        self._transport.verify_ssl = val

    @property
    def timeout(self) -> float:
        return self._transport.timeout

    @timeout.setter
    def timeout(self, val: float) -> None:
        check_timeout(val)
        self._transport.timeout = val

    @property
    def verbose(self) -> bool:
        return self._verbose

    @verbose.setter
    def verbose(self, val: bool) -> None:
        self._verbose = val

    @property
    def sess(self) -> requests.Session:
        return self._transport.session

    @property
    def track_task_disable_connerr(self) -> bool:
        return self._track_task_disable_connerr

    @property
    def req_resp_object(self) -> RequestResponse:
        """The last request and reply of the calling thread."""
        record = getattr(self._local, "record", None)
        if record is None:
            record = self._local.record = RequestResponse()
        return record

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

    # --- logging, pyFMG style ----------------------------------------------------------------------
    def getLog(self, loggername: str = "fortinet", lvl: int = logging.INFO) -> logging.Logger:
        if self._logger is None:
            self._logger = logging.getLogger(loggername)
            self._logger.setLevel(lvl)
        return self._logger

    def resetLog(self) -> None:
        self._logger = None

    def addHandler(self, handler: logging.Handler) -> None:
        if self._logger is not None:
            self._logger.addHandler(handler)

    def removeHandler(self, handler: logging.Handler) -> None:
        if self._logger is not None:
            self._logger.removeHandler(handler)

    @staticmethod
    def jprint(json_obj: Any) -> str:
        return jprint(json_obj)

    def dlog(self) -> None:
        """Log the calling thread's last exchange (redacted) to the logger set up with :meth:`getLog`."""
        if self._logger is not None:
            self._logger.info(format_exchange(self.req_resp_object, self._redactor))

    def dprint(self) -> None:
        """Log, and with ``debug`` print, the calling thread's last exchange, secrets masked."""
        wanted_by_module_log = logger.isEnabledFor(logging.DEBUG)
        if not (self._debug or self._logger is not None or wanted_by_module_log):
            return
        text = format_exchange(self.req_resp_object, self._redactor)
        if self._logger is not None:
            self._logger.info(text)
        if wanted_by_module_log:
            logger.debug("%s", text)
        if self._debug:
            rule = "-" * 100
            with self._print_lock:
                print(f"{rule}\n{text}\n{rule}\n" if self.req_resp_object.error_msg is None else text)

    def _note(self, message: str) -> None:
        record = self.req_resp_object
        record.reset()
        record.error_msg = message
        self.dprint()

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
        record = self.req_resp_object
        record.reset()
        with self._reporting_errors(), serialisable("login"):
            sid, code, detail = self._auth.login(self._transport, self._sid)
        record.request_json = self._auth.last_request
        record.response_json = detail
        self.dprint()
        if sid is not None:
            self.sid = sid
        cause = f"login to {self._host} as {self._user!r} failed: code {code}, {_describe(detail)}"
        if sid is None:
            logger.warning("%s", self._redactor.text(cause))
        if self._check_adom_workspace:
            if sid is None:
                raise FMGValidSessionException(
                    "get", [{"url": "/cli/global/system/global"}], msg=self._redactor.text(f"No valid session: {cause}")
                )
            with self._without_recovery():
                self._workspace.check_mode()
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
                self._workspace.unlock_all()
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
        return self._workspace.lock(LockScope(adom), wait, *args, **kwargs)

    def unlock_adom(self, adom: str | None = None, *args: Any, **kwargs: Any) -> Reply:
        return self._workspace.unlock(LockScope(adom), *args, **kwargs)

    def commit_changes(self, adom: str | None = None, aux: bool = False, *args: Any, **kwargs: Any) -> Reply:
        return self._workspace.commit(LockScope(adom), aux, *args, **kwargs)

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

    # --- requests ----------------------------------------------------------------------------------
    @staticmethod
    def common_datagram_params(method_type: str, url: str, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        """pyFMG's param builder (``method_type`` ``"execute"`` builds an ``exec`` param)."""
        return build_params("exec" if method_type == "execute" else method_type, url, *args, **kwargs)

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
                    sid, code, detail = self._auth.login(self._transport, None)
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
            body = _parse_releasing_bytes(reply, url)
            if isinstance(body, NotJSONResponse):
                not_json = body
                record.error_msg = not_json["status"]["message"] = self._redactor.text(not_json["status"]["message"])
                self.dprint()
                return not_json["status"]["code"], not_json
            record.response_json = body
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

    @contextlib.contextmanager
    def _reporting_errors(self) -> Iterator[None]:
        """Mask known secrets in any exception raised inside, and show it in debug output."""
        try:
            yield
        except Exception as err:
            if err.args and isinstance(err.args[0], str):
                err.args = (self._redactor.text(err.args[0]), *err.args[1:])
            record = self.req_resp_object
            record.error_msg = str(err)
            self.dprint()
            raise

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
                "free_form needs a data keyword: free_form(method, data=[{'url': ...}, ...])"
            )
        data = kwargs.get("data")
        if not data:
            raise FMGRequestNotFormedCorrect(
                "free_form was called without a non-empty data keyword; pass data=[{'url': ...}, ...]"
            )
        if not isinstance(method, str) or not method:
            raise FMGRequestNotFormedCorrect(f"free_form needs a method name such as 'get', got {method!r}")
        return self._post_request(method, data, free_form=True, create_task=create_task)

    def __str__(self) -> str:
        if self._sid is not None:
            return f"FortiManager instance connected to {self._host}."
        return "FortiManager object with no valid connection to a FortiManager appliance."

    def __repr__(self) -> str:
        if self._sid is not None:
            return (
                f"{self.__class__.__name__}(host={self._host}, pwd omitted, debug={self._debug}, "
                f"use_ssl={self._use_ssl}, verify_ssl={self.verify_ssl}, timeout={self.timeout})"
            )
        return "FortiManager object with no valid connection to a FortiManager appliance."


def _parse_releasing_bytes(reply: HTTPReply, url: str) -> Any:
    """The JSON value of a reply, or a :class:`NotJSONResponse`; ``reply.content`` keeps only its start.

    ``json.loads(bytes)`` decodes to text and parses that while the bytes stay alive, so a large
    reply would be held three times (bytes, text, objects).  Dropping the bytes once the text
    exists keeps two.  Messages quote only the start of a reply, which is kept.
    """
    content, reply.content = reply.content, reply.content[:BODY_EXCERPT]
    try:
        text, encoding = decode_text(content)
    except ValueError:
        return NotJSONResponse(url, reply.status, content, reply.headers)
    del content
    try:
        return decode(text)
    except ValueError:
        return NotJSONResponse(url, reply.status, text.encode(encoding, "surrogatepass"), reply.headers)


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
