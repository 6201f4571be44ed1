"""One login session on a FortiManager and the calls it carries.

Logging in and out, sending a call (one exchange on the wire), repeating it where the retry
policy allows, and logging in again when FortiManager refused the session (code -11), taking
back the locks the old session held. :class:`LoginSession` is the part of
:class:`pyfmg.FortiManager` every verb ends in: ``get`` ... ``free_form`` build their params,
then call ``_post_request``. It keeps pyFMG's private names (``_post_request``) because pyFMG
code calls and replaces them, and it sits on pyFMG's surface: a call takes pyFMG's path
(``sess.post`` then ``_handle_response``) when code swapped that plumbing, and a login goes
through the surface's ``_log_in`` either way.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any, Callable

from .arguments import serialisable
from .exceptions import FMGInsecureTLSWarning, FMGValidSessionException, FMGValueError, bounded_repr
from .legacy import PyFMGSurface
from .lockscope import lock_scope
from .request import build_envelope, build_params
from .response import NOT_JSON_CODE, NotJSONResponse, all_results, first_result, parse_releasing_bytes
from .retry import INVALID_SESSION, READ_METHODS, Retry
from .workspace import NO_WRITE_PERMISSION

# Failed logins, repeats and new logins are logged under the client's name, where users look (docs/scale.rst).
logger = logging.getLogger("pyfmg.client")

Reply = tuple[int, Any]


class LoginSession(PyFMGSurface):
    """The session of :class:`pyfmg.FortiManager`: login, logout, sending calls, retry and recovery."""

    # Set by FortiManager.__init__.
    _retry: Retry
    _recovery_lock: threading.RLock
    _tls_warned: bool
    free_form: Callable[..., Reply]
    execute: Callable[..., Reply]

    def login(self) -> Reply:
        """Log in, then read the workspace and ADOM modes; a ``with`` block calls it on entry.

        Sends, as pyFMG did: with a password, ``exec`` on ``sys/login/user`` with
        ``data: {"passwd": ..., "user": ...}``, and keeps the ``session`` of the reply; with an
        API key, nothing (every call carries ``Authorization: Bearer <key>`` and a made-up
        session id); for FortiCloud, the OAuth token (fetched with ``user``/``passwd`` unless
        ``forticloud_access_token`` was given) to ``/p/forticloud_jsonrpc_login/``. Then, with
        ``check_adom_workspace``, ``get`` on ``/cli/global/system/global`` for ``workspace-mode``
        and ``adom-status`` (see :attr:`workspace_mode`). A logged-in client logs out first.

        :returns: ``(0, {"status": {"message": "OK", "code": 0}, "url": "sys/login/user"})`` on
            success (pyFMG's reply, not FortiManager's); ``(-1, {"status": {"message": ...,
            "code": -1}, "url": ...})`` on failure when ``check_adom_workspace`` is off, the
            message naming FortiManager's code and message.
        :raises FMGValidSessionException: the login failed and ``check_adom_workspace`` is on
            (as in pyFMG); the message says why.
        :raises FMGConnectionError: FortiManager could not be reached (:class:`FMGConnectTimeout`,
            :class:`FMGTLSError` when the certificate is not trusted...).
        :raises FMGRedirectRefused: the server answered with a redirect, which is never followed.
        :raises FMGOAuthTokenError: FortiCloud gave no OAuth token.

        Over HTTPS with ``verify_ssl=False`` the first login warns with
        :class:`FMGInsecureTLSWarning`. Where it differs from pyFMG: the failure message is a
        string, not the client object; secrets never reach debug output, logs or messages;
        logging in again ends the old session instead of leaving it to idle out; the warning.
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
        cause = f"login to {self._host} as {bounded_repr(self._user)} failed: code {code}, {login_failure(detail)}"
        if sid is None:
            logger.warning("%s", self._redactor.text(cause))
            if self._check_adom_workspace:
                raise FMGValidSessionException(
                    "get", [{"url": "/cli/global/system/global"}], msg=self._redactor.text(f"no valid session: {cause}")
                )
        else:
            try:
                with self._without_recovery():
                    self._lock_ctx.check_mode()
            except BaseException:
                # login() raising means __exit__ never runs: end the new session here or it idles on.
                with contextlib.suppress(Exception):
                    self.logout()
                raise
        login_url = self._auth.login_url
        if sid is not None:
            return 0, {"status": {"message": "OK", "code": 0}, "url": login_url}
        return -1, {"status": {"message": self._redactor.text(cause), "code": -1}, "url": login_url}

    def logout(self) -> Reply | None:
        """Release every lock taken through this client, then end the session; ``with`` calls it on exit.

        Sends ``exec`` on the workspace ``unlock`` URL of every scope still locked (ADOMs,
        packages, devices, and locks whose request failed after it may have reached
        FortiManager), then ``exec`` on ``sys/logout`` (also with an API key, as pyFMG did).
        The session is forgotten even when unlocking or logging out fails.

        :returns: ``(code, data)`` of the logout call (``0`` on success), or ``None`` when there
            was no session.
        :raises FMGConnectionError: the logout could not reach FortiManager (the session is
            forgotten all the same).
        :raises Exception: the first error of the unlock calls, after the others and the logout
            were tried.

        Where it differs from pyFMG: pyFMG skipped every second locked ADOM, released nothing
        with ``check_adom_workspace=False`` and stopped at the first unlock error.
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

    # --- calls -------------------------------------------------------------------------------------
    def _call(self, method: str, url: str, *args: Any, **kwargs: Any) -> Reply:
        return self._post_request(method, build_params(method, url, *args, **kwargs))

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
            outcome = reply_code(code, data, free_form)
            if (
                policy.relogin
                and not relogged_in
                and outcome == INVALID_SESSION
                and not getattr(self._local, "no_recovery", False)
                and self._sid is not None
            ):
                relogged_in = True
                self._recover_session(sid, call_label(method, params))
                continue
            written = method not in READ_METHODS and "/workspace/" not in first_url(params)
            if written and outcome == 0:
                self._workspace.note_write()
            elif outcome in (INVALID_SESSION, NO_WRITE_PERMISSION) and not getattr(self._local, "no_recovery", False):
                self._update_lock_book(outcome, method, params)
            return code, data

    def _update_lock_book(self, outcome: int, method: str, params: Any) -> None:
        """What a refusal says about the locks: -11, the session (and so its locks) may be gone;
        -10147 on a write, FortiManager does not count a lock we hold for it."""
        with self._without_recovery():  # the question asked below must not ask again
            if outcome == INVALID_SESSION:
                self._workspace.session_refused()
            elif method not in READ_METHODS:
                try:
                    scope = lock_scope(method, params)
                except FMGValueError:
                    return  # no telling which lock the write needed: the book stays as it is
                if scope is not None:
                    self._workspace.write_refused(scope)

    def _wait_before_repeat(self, policy: Retry, repeat: int, method: str, params: Any, why: str) -> None:
        delay = policy.backoff(repeat)
        logger.warning(
            "%s failed (%s); repeating it (%d of %d) in %.2f s",
            call_label(method, params),
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
                            f"{login_failure(detail)}"
                        )
                    )
                self._redactor.add(sid)
                try:
                    # The new session is this thread's until its locks are back. Meanwhile the other
                    # threads send the old one, get -11 and wait above: they never see no session, nor
                    # a session without its locks.
                    with self._private_sid(sid):
                        self._workspace.reacquire()
                finally:
                    self.sid = sid  # one assignment: every thread's next call carries the new session

    @contextlib.contextmanager
    def _without_recovery(self) -> Iterator[None]:
        """Calls made inside (logging in, unlocking at logout) never log in again on ``-11``."""
        previous = getattr(self._local, "no_recovery", False)
        self._local.no_recovery = True
        try:
            yield
        finally:
            self._local.no_recovery = previous

    def _send(self, method: str, params: Any, free_form: bool, create_task: Any) -> Reply:
        """One exchange: the envelope out, the reply checked; ``(200, results)`` for ``free_form``."""
        if self._uses_pyfmg_path():
            return self._post_through_session(method, params, free_form, create_task)
        record = self.req_resp_object
        record.reset()
        sid = self._sid
        if sid is None:
            raise FMGValidSessionException(method, params)
        request_id = self._transport.next_id()
        envelope = build_envelope(method, params, sid, request_id, self._verbose, create_task)
        record.request_json = envelope
        with self._reporting_errors():
            label = call_label(method, params)
            with serialisable(label):
                reply = self._transport.post(envelope, label=label, headers=self._auth.headers())
            url = first_url(params)
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

    def _get_many(self, urls: list[str]) -> list[Reply]:
        """``get`` several URLs in one request (for following many tasks): one ``(code, data)`` per URL."""
        code, results = self.free_form("get", data=[{"url": url} for url in urls])
        if code != 200 or not isinstance(results, list):
            return [(code, results)] * len(urls)
        replies: list[Reply] = [(r["status"]["code"], r.get("data", r)) for r in results]
        return replies + [(-1, None)] * (len(urls) - len(replies))


def first_url(params: Any) -> str:
    """The URL of the first param, or ``""``."""
    if isinstance(params, list) and params and isinstance(params[0], dict):
        url = params[0].get("url", "")
        return url if isinstance(url, str) else bounded_repr(url)
    return ""


def call_label(method: str, params: Any) -> str:
    """``"get pm/config/... (+2 more)"``: a call as logs and error messages name it."""
    url = first_url(params)
    extra = len(params) - 1 if isinstance(params, list) else 0
    name = method if isinstance(method, str) else bounded_repr(method)
    return f"{name} {url}" + (f" (+{extra} more)" if extra > 0 else "")


def reply_code(code: int, data: Any, free_form: bool) -> int:
    """The FortiManager code of a reply; for ``free_form`` (always 200) the first result's."""
    if free_form and isinstance(data, list) and data and isinstance(data[0], dict):
        status = data[0].get("status")
        if isinstance(status, dict) and isinstance(status.get("code"), int):
            return int(status["code"])
    return code


def login_failure(detail: Any) -> str:
    """What a failed login's reply says, for the message that reports it."""
    if isinstance(detail, dict) and isinstance(detail.get("status"), dict):
        return str(detail["status"].get("message", ""))
    return "no session in the reply"
