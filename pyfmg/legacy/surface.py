"""pyFMG 0.8.6's ``FortiManager`` instance surface, mixed into :class:`pyfmg.FortiManager`.

Its properties (with pyFMG's setters), its private attributes (``_passwd``, ``_verify_ssl``,
``_timeout``, ``_req_id``, ``_session``, ``_url``, ``_lock_ctx``...), its logging helpers and its
private methods (``_set_sid``, ``_handle_response``, ``_post_login_request``...), each backed by
pyfmg's transport, login strategies and workspace manager rather than by copies of their state.

pyfmg's own wire (a pooled, streamed ``requests`` session) carries every call unless code has
reached into pyFMG's plumbing: a ``_session`` swapped for another object, ``sess.post`` replaced,
or ``_handle_response`` / ``_freeform_response`` / ``_post_login_request`` replaced on the
instance or a subclass. Then calls take pyFMG's path (``sess.post`` with pyFMG's arguments, then
``_handle_response``) so that what the code put there is used.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import uuid
from collections.abc import Iterator
from typing import Any, Callable, Optional, Union

import requests

from ..arguments import check_timeout, check_verify
from ..auth import ApiKeyLogin, FortiCloudLogin, PasswordLogin
from ..exceptions import FMGOAuthTokenError, FMGValidSessionException, FMGValueError, bounded_repr
from ..logs import Redactor, format_exchange, jprint
from ..request import build_envelope, build_params
from ..response import NOT_JSON_CODE, RequestResponse, all_results, first_result
from ..transport import JSON_HEADERS, Transport, VerifySetting
from ..workspace import WorkspaceManager
from . import wire
from .lockcontext import FMGLockContext

# Exchanges are logged under the client's name, where users look for them (see docs/scale.rst).
exchange_logger = logging.getLogger("pyfmg.client")

Reply = tuple[int, Any]
LoginStrategy = Union[PasswordLogin, ApiKeyLogin, FortiCloudLogin]
LoginOutcome = tuple[Optional[str], int, Any]
#: No login in progress in this thread: ``_sid`` is the shared session id.
_SHARED: Any = object()


class PyFMGSurface:
    """The attributes, properties and methods pyFMG 0.8.6's ``FortiManager`` had."""

    # Set by FortiManager.__init__.
    _host: str
    _user: str | None
    _passwd: str | None
    _apikeyused: bool
    _forticloudused: bool
    _debug: bool
    _use_ssl: bool
    _verbose: bool
    _check_adom_workspace: bool
    _track_task_disable_connerr: bool
    _url: str | None
    _logger: logging.Logger | None
    _local: threading.local
    _print_lock: threading.Lock
    _redactor: Redactor
    _transport: Transport
    _lock_ctx: FMGLockContext
    _foreign_session: Any
    _login_cache: tuple[tuple[Any, ...], LoginStrategy] | None
    _forticloud_token: str | None
    _cassette: Any
    delete: Callable[..., Reply]

    # --- pyFMG's properties ------------------------------------------------------------------------
    @property
    def api_key_used(self) -> bool:
        """True when the client authenticates with an API key (``apikey=`` without ``passwd``); settable.

        As in pyFMG, setting it to ``True`` on a client made with ``passwd=KEY`` sends ``KEY`` as
        a Bearer token from the next call on.
        """
        return self._apikeyused

    @api_key_used.setter
    def api_key_used(self, val: bool) -> None:
        self._apikeyused = val

    @property
    def forticloud_used(self) -> bool:
        """True when the client logs in through FortiCloud (a ``*.forticloud.com`` host or a
        ``forticloud_access_token``); settable, as in pyFMG.
        """
        return self._forticloudused

    @forticloud_used.setter
    def forticloud_used(self, val: bool) -> None:
        self._forticloudused = val

    @property
    def check_adom_workspace(self) -> bool:
        """Whether :meth:`login` reads the workspace and ADOM modes (and raises when it fails); settable.

        With ``False`` the client assumes neither workspace mode nor ADOMs, as pyFMG did.
        """
        return self._check_adom_workspace

    @check_adom_workspace.setter
    def check_adom_workspace(self, val: bool) -> None:
        self._check_adom_workspace = val

    @property
    def debug(self) -> bool:
        """Print every request and reply to stdout, secrets masked (pyFMG's ``debug``); settable."""
        return self._debug

    @debug.setter
    def debug(self, val: bool) -> None:
        self._debug = val

    @property
    def req_id(self) -> int:
        """The id of the last request sent (by any thread); settable, as in pyFMG.

        Setting it makes the next request carry ``val + 1``. Ids are unique across threads.
        Setting something other than a whole number raises :class:`FMGValueError`.
        """
        return self._transport.last_id

    @req_id.setter
    def req_id(self, val: int) -> None:
        if isinstance(val, bool) or not isinstance(val, int):
            raise FMGValueError(f"req_id must be a whole number, got {bounded_repr(val)}")
        self._transport.reset_ids(val)

    _req_id = req_id

    @property
    def sid(self) -> str | None:
        """The session id of the current login, or ``None``; settable, as in pyFMG.

        With an API key it is pyFMG's made-up ``<uuid4>-<last 4 characters of the key>``. The
        value is masked in every print, log record and message.
        """
        return self._sid

    @sid.setter
    def sid(self, val: str | None) -> None:
        self._redactor.add(val)  # first: another thread may print the moment the id is in use
        self._sid = val

    @property
    def _sid(self) -> str | None:
        """pyFMG's session id attribute: the one every thread sends, or this thread's own during a login.

        A (re-)login sets up its session in a view of its own (:meth:`_private_sid`) and publishes
        it in one assignment when it is ready, so other threads never see it missing or half set up.
        """
        own = self.__dict__
        local = own.get("_local")
        if local is not None:
            view = local.__dict__.get("private_sid", _SHARED)
            if view is not _SHARED:
                return view
        return own.get("_shared_sid")

    @_sid.setter
    def _sid(self, val: str | None) -> None:
        local = self.__dict__.get("_local")
        if local is not None and "private_sid" in local.__dict__:
            local.private_sid = val
        else:
            self.__dict__["_shared_sid"] = val

    @contextlib.contextmanager
    def _private_sid(self, start: str | None) -> Iterator[None]:
        """Inside, this thread reads and writes its own ``_sid`` (from ``start``); the others keep the shared one."""
        view = self._local.__dict__
        previous = view.get("private_sid", _SHARED)
        view["private_sid"] = start
        try:
            yield
        finally:
            if previous is _SHARED:
                del view["private_sid"]
            else:
                view["private_sid"] = previous

    @property
    def verify_ssl(self) -> VerifySetting:
        """How HTTPS certificates are checked: ``False`` (not), ``True`` (system CAs) or a CA bundle path; settable.

        Setting a value that looks like a switch rather than a path (``""``, ``"false"``, ``0``)
        raises :class:`FMGValueError`: pyFMG's requests took any false value as "off".
        """
        return self._transport.verify_ssl

    @verify_ssl.setter
    def verify_ssl(self, val: VerifySetting) -> None:
        check_verify(val)
        self._transport.verify_ssl = val

    _verify_ssl = verify_ssl

    @property
    def timeout(self) -> float:
        """Seconds to wait for a connection and for each read of a reply; settable, as in pyFMG.

        Setting a value that is not a number above 0 and at most 10**9 raises :class:`FMGValueError`.
        """
        return self._transport.timeout

    @timeout.setter
    def timeout(self, val: float) -> None:
        check_timeout(val)
        self._transport.timeout = val

    _timeout = timeout

    @property
    def verbose(self) -> bool:
        """Ask for enum values as names (``"verbose": 1`` on every ``get``); settable, as in pyFMG."""
        return self._verbose

    @verbose.setter
    def verbose(self, val: bool) -> None:
        self._verbose = val

    @property
    def _session(self) -> Any:
        """The object calls are posted through: pyfmg's own ``requests.Session`` unless replaced."""
        return self._foreign_session if self._foreign_session is not None else self._transport.session

    @_session.setter
    def _session(self, value: Any) -> None:
        if type(value) is requests.Session:
            # Exactly requests' class: its post() is send() with the session's settings, which is what
            # pyfmg's wire does, so the session keeps pyfmg's fast path (its adapters, certs, headers apply).
            self._transport.session = value
            self._foreign_session = None
        else:
            self._foreign_session = None if value is self._transport.session else value

    @property
    def sess(self) -> Any:
        """The ``requests.Session`` calls are posted through (pyFMG's ``sess``); read-only.

        Unlike pyFMG's it has ``trust_env = False`` (pyfmg reads proxy settings itself): code
        posting through it on its own gets no proxy from the environment. To use your own
        session, assign it to ``fmg._session``.
        """
        return self._session

    @property
    def track_task_disable_connerr(self) -> bool:
        """Whether :meth:`track_task` counts a connection error as a failed poll instead of raising; read-only."""
        return self._track_task_disable_connerr

    @property
    def req_resp_object(self) -> RequestResponse:
        """The last request and reply of the calling thread (pyFMG's ``RequestResponse``); read-only.

        ``request_json``, ``response_json``, ``request_string``, ``response_string`` and
        ``error_msg``, as pyFMG had them. Unlike pyFMG's it is per thread, so threads sharing
        the client each see their own last call.
        """
        record = getattr(self._local, "record", None)
        if record is None:
            record = self._local.record = RequestResponse()
        return record

    _req_resp_object = req_resp_object

    @property
    def _workspace(self) -> WorkspaceManager:
        """The one record of the locks this client holds: the lock context's."""
        return self._lock_ctx.manager

    @property
    def _auth(self) -> LoginStrategy:
        """The login strategy for the current ``_apikeyused``/``_forticloudused``/``_user``/``_passwd``.

        pyFMG read those attributes at each login and call, and code sets them (``api_key_used``
        has a setter); the strategy follows them.
        """
        key = (self._apikeyused, self._forticloudused, self._user, self._passwd, self._forticloud_token)
        cached = self._login_cache
        if cached is None or cached[0] != key:
            if self._apikeyused:
                strategy: LoginStrategy = ApiKeyLogin(str(self._passwd), self._redactor)
            elif self._forticloudused:
                strategy = FortiCloudLogin(self._host, self._user, self._passwd, self._redactor, self._forticloud_token)
            else:
                strategy = PasswordLogin(self._user, self._passwd, self._redactor)
            cached = self._login_cache = (key, strategy)
        return cached[1]

    # --- logging, pyFMG style ----------------------------------------------------------------------
    def getLog(self, loggername: str = "fortinet", lvl: int = logging.INFO) -> logging.Logger:
        """Set up pyFMG's exchange logger: each request and reply is then logged to it (see :meth:`dlog`).

        Sends nothing. The first call takes ``logging.getLogger(loggername)`` and sets its
        level to ``lvl``; later calls return the same logger until :meth:`resetLog`.

        :param loggername: the stdlib logger's name.
        :param lvl: its level.
        :returns: the logger; add handlers with :meth:`addHandler`.

        Where it differs from pyFMG: one record per exchange (pyFMG wrote four), secrets masked.
        For pyfmg's own logging, configure the ``pyfmg`` logger instead.
        """
        if self._logger is None:
            self._logger = logging.getLogger(loggername)
            self._logger.setLevel(lvl)
        return self._logger

    def resetLog(self) -> None:
        """Stop logging exchanges to the logger of :meth:`getLog` (the logger itself is left as it is)."""
        self._logger = None

    def addHandler(self, handler: logging.Handler) -> None:
        """Add ``handler`` (a ``logging.Handler``) to the logger of :meth:`getLog`; nothing before ``getLog``."""
        if self._logger is not None:
            self._logger.addHandler(handler)

    def removeHandler(self, handler: logging.Handler) -> None:
        """Remove ``handler`` from the logger of :meth:`getLog`; nothing before ``getLog``."""
        if self._logger is not None:
            self._logger.removeHandler(handler)

    @staticmethod
    def jprint(json_obj: Any) -> str:
        """``json_obj`` as indented JSON text with sorted keys, as pyFMG's ``jprint``.

        :returns: the text; for an object JSON cannot hold, a small JSON object that says why
            (``{"Type Information": ...}``), never an exception.
        """
        return jprint(json_obj)

    def dlog(self) -> None:
        """Log the calling thread's last exchange, secrets masked, to the logger of :meth:`getLog`.

        The client calls it after every exchange; it does nothing before ``getLog``. One record
        per exchange (pyFMG wrote four), so concurrent calls do not interleave.
        """
        if self._logger is not None:
            self._logger.log(logging.INFO, format_exchange(self.req_resp_object.for_printing(), self._redactor))

    def dprint(self) -> None:
        """Report the calling thread's last exchange: :meth:`dlog`, then print it when :attr:`debug` is on.

        The client calls it after every exchange. The text is also logged at ``DEBUG`` on the
        ``pyfmg.client`` logger. Secrets are masked; replies over 4 MiB are summarised.
        """
        self.dlog()
        wanted_by_module_log = exchange_logger.isEnabledFor(logging.DEBUG)
        if not (self._debug or wanted_by_module_log):
            return
        text = format_exchange(self.req_resp_object.for_printing(), self._redactor)
        if wanted_by_module_log:
            exchange_logger.debug("%s", text)
        if self._debug:
            rule = "-" * 100
            with self._print_lock:
                print(f"{rule}\n{text}\n{rule}\n" if self.req_resp_object.error_msg is None else text)

    def _note(self, message: str) -> None:
        record = self.req_resp_object
        record.reset()
        record.error_msg = message
        self.dprint()

    @contextlib.contextmanager
    def _reporting_errors(self) -> Iterator[None]:
        """Give an exception raised inside pyFMG's opening words, mask known secrets, show it in debug output."""
        try:
            yield
        except Exception as err:
            if err.args and isinstance(err.args[0], str):
                err.args = (self._redactor.text(wire.with_opening_words(err, err.args[0])), *err.args[1:])
            record = self.req_resp_object
            record.error_msg = err.args[0] if err.args and isinstance(err.args[0], str) else str(err)
            self.dprint()
            raise

    # --- pyFMG's request plumbing ------------------------------------------------------------------
    @staticmethod
    def common_datagram_params(method_type: str, url: str, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        """The params a verb sends, as pyFMG built them (public in pyFMG; the verbs use the same rule).

        :param method_type: ``"get"``, ``"add"``... (``"execute"`` builds an ``exec`` param).
        :param url: the API path.
        :param args: dicts merged into the param beside ``url``.
        :param kwargs: for ``get`` and ``clone``, merged into the param; for the others, its
            ``data`` (or, with a ``data`` keyword, that value as it is). Names are translated:
            ``__`` becomes ``-`` and ``___`` becomes a space.
        :returns: ``[{"url": url, ...}]``, a list of one param. Nothing is sent.
        :raises FMGValueError: ``url`` is not a non-empty string, or an argument is not a dict.
        """
        return build_params("exec" if method_type == "execute" else method_type, url, *args, **kwargs)

    def _update_request_id(self, reqid: int = 0) -> None:
        if reqid:
            self._transport.reset_ids(reqid)
        else:
            self._transport.next_id()

    def _set_sid(self, response: Any) -> None:
        if self._apikeyused:
            if self._sid is None:
                suffix = "" if self._passwd is None else "-" + str(self._passwd)[-4:]
                self.sid = f"{uuid.uuid4()}{suffix}"
        elif self._sid is None and isinstance(response, dict) and "session" in response:
            self.sid = response["session"]

    def _uses_pyfmg_path(self) -> bool:
        """True when code replaced a piece of pyFMG's plumbing that pyfmg's own wire would bypass."""
        # Runs before every call: plain lookups, no loop (a fraction of a microsecond).
        if self._foreign_session is not None or "post" in vars(self._transport.session):
            return True
        own, cls = vars(self), type(self)
        return (
            "_handle_response" in own
            or "_freeform_response" in own
            or "_post_login_request" in own
            or cls._handle_response is not PyFMGSurface._handle_response
            or cls._freeform_response is not PyFMGSurface._freeform_response
            or cls._post_login_request is not PyFMGSurface._post_login_request
        )

    def _post_through_session(self, method: str, params: Any, free_form: bool, create_task: Any) -> Reply:
        """One call down pyFMG's path: ``sess.post`` with its arguments, then ``_handle_response``."""
        record = self.req_resp_object
        record.reset()
        if self._sid is None:
            raise FMGValidSessionException(method, params)
        envelope = build_envelope(method, params, self._sid, self._transport.next_id(), self._verbose, create_task)
        record.request_json = envelope
        with self._reporting_errors():
            try:
                response = self.sess.post(
                    self._url or self._transport.jsonrpc_url,
                    data=json.dumps(envelope),
                    verify=self.verify_ssl,
                    timeout=self.timeout,
                    headers=dict(self._auth.headers()),
                )
                reply = self._freeform_response(response) if free_form else self._handle_response(response)
            except Exception as err:
                raise wire.as_pyfmg_error(err) from None
        if self._cassette is not None and record.response_json is not None:
            self._cassette.exchange(envelope, record.response_json)
        return reply

    def _handle_response(self, resp: Any, login: bool = False) -> Reply:
        """pyFMG's reply handling: ``(100, resp)`` when not JSON, else the first result's code and data."""
        try:
            body = resp.json()
        except Exception:
            return NOT_JSON_CODE, resp
        self._set_sid(body)
        self.req_resp_object.response_json = body
        self.dprint()
        if self._forticloudused and login:
            return resp.status_code, {}
        reply_id = body.get("id") if isinstance(body, dict) else None  # pyFMG did not compare ids
        return first_result(body, reply_id, self._request_url(), wire.reply_status(resp), wire.excerpt(body))

    def _freeform_response(self, resp: Any) -> Reply:
        """pyFMG's ``free_form`` reply handling: ``(100, resp)`` when not JSON, else ``(200, results)``."""
        try:
            body = resp.json()
        except Exception:
            return NOT_JSON_CODE, resp
        self._set_sid(body)
        self.req_resp_object.response_json = body
        self.dprint()
        reply_id = body.get("id") if isinstance(body, dict) else None
        return 200, all_results(body, reply_id, self._request_url(), wire.reply_status(resp), wire.excerpt(body))

    def _request_url(self) -> str:
        request = self.req_resp_object.request_json
        params = request.get("params") if isinstance(request, dict) else None
        if isinstance(params, list) and params and isinstance(params[0], dict):
            return str(params[0].get("url", ""))
        return ""

    @staticmethod
    def _get_oauth_token(url: str, headers: Any, data: Any) -> Reply:
        """Ask FortiCloud for an OAuth token: ``(200, reply)``, or ``(100, response)`` on another status."""
        res = requests.post(url, headers=headers, json=data)
        if res.status_code == 200:
            return 200, json.loads(res.text)
        return NOT_JSON_CODE, res

    def _revoke_oauth_token(self, url: str, headers: Any, token: str) -> None:
        client_id = "FortiAnalyzer" if "fortianalyzer" in self._host else "FortiManager"
        requests.post(url, headers=headers, json={"client_id": client_id, "token": token})

    def _post_login_request(self, method: str, params: Any) -> Reply:
        """pyFMG's login call: the password login (or FortiCloud's token exchange) through ``sess.post``."""
        self._update_request_id()
        headers = dict(JSON_HEADERS)
        request: dict[str, Any] = {}
        token = ""
        if self._apikeyused:
            pass
        elif self._forticloudused:
            grant = {
                "username": self._user,
                "password": self._passwd,
                "client_id": "FortiAnalyzer" if "fortianalyzer" in self._host else "FortiManager",
                "grant_type": "password",
            }
            code, reply = self._get_oauth_token(wire.FORTICLOUD_TOKEN_URL, headers=headers, data=grant)
            if code != 200 or not isinstance(reply, dict):
                status = getattr(reply, "status_code", code)
                raise FMGOAuthTokenError(f"FortiCloud refused the OAuth token request: HTTP {status}")
            token = str(reply.get("access_token", ""))
            self._redactor.add(token)
            request["access_token"] = token
        else:
            request = {"method": method, "params": params, "session": self._sid, "id": self.req_id}
        self.req_resp_object.request_json = request
        try:
            response = self.sess.post(
                self._url, data=json.dumps(request), headers=headers, verify=self.verify_ssl, timeout=self.timeout
            )
            if self._forticloudused:
                self._revoke_oauth_token(wire.FORTICLOUD_REVOKE_URL, headers, token)
            return self._handle_response(response, login=True)
        except Exception as err:
            raise wire.as_pyfmg_error(err) from None

    def _log_in(self, current_sid: str | None) -> LoginOutcome:
        """Log in with pyfmg's login strategies, or down pyFMG's path (see the module docstring).

        ``current_sid`` is what the login request carries as its session (``None`` when logging in
        again after FortiManager refused the session).
        """
        self._url = self._transport.jsonrpc_url
        if not self._uses_pyfmg_path():
            record = self.req_resp_object
            record.reset()
            sid, code, detail = self._auth.login(self._transport, current_sid)
            record.request_json = self._auth.last_request
            record.response_json = detail
            self.dprint()
            return sid, code, detail
        self.req_resp_object.reset()
        # pyFMG's path takes the session id from the reply only while the client has none: in this
        # thread's own view, so the session other threads use stays as it is until the caller sets it.
        with self._private_sid(current_sid):
            if self._apikeyused:
                self._set_sid(None)
                return self._sid, 0, None
            if self._forticloudused:
                self._url = f"https://{self._host}/p/forticloud_jsonrpc_login/"
                try:
                    code, detail = self._post_login_request("post", None)
                finally:
                    self._url = self._transport.jsonrpc_url
            else:
                params = self.common_datagram_params("execute", "sys/login/user", passwd=self._passwd, user=self._user)
                code, detail = self._post_login_request("exec", params)
            return self._sid, code, detail

    # --- tasks ---------------------------------------------------------------------------------------
    def _delete_task(self, task_id: Any) -> None:
        self.delete(f"/task/task/{task_id}")

    # --- text ----------------------------------------------------------------------------------------
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


__all__ = ["PyFMGSurface"]
