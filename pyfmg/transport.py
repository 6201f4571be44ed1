"""The wire: one HTTP session to one FortiManager, JSON in, bytes out, errors as FMG* exceptions.

Nothing here knows about logins, ADOMs or tasks; like requests' adapters it only moves bytes
and says precisely what went wrong when it could not.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import socket
import threading
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.sessions import merge_setting
from requests.utils import get_environ_proxies, get_netrc_auth

from .directroute import DirectRoutes, VerifySetting
from .exceptions import (
    FMGBaseException,
    FMGConnectionError,
    FMGConnectTimeout,
    FMGDeadlineExceeded,
    FMGInvalidResponse,
    FMGReadTimeout,
    FMGRedirectRefused,
    FMGReplyTooLarge,
    FMGReplyTooSlow,
    FMGTLSError,
    FMGValueError,
    bounded_repr,
)
from .logs import Redactor
from .wirelimits import (
    DEFAULT_MAX_REPLY_BYTES,
    DEFAULT_MIN_SPEED,
    MAX_EXPANSION,
    WATCHDOG,
    Body,
    CallGuard,
    MinSpeed,
    ReplyTooLarge,
    read_body,
    watch_pool,
    watch_pools_of,
)

logger = logging.getLogger(__name__)

JSON_HEADERS = {"content-type": "application/json"}
#: The statuses requests follows (``requests.Response.is_redirect``); every one is refused here.
REDIRECT_STATI = frozenset({301, 302, 303, 307, 308})


@dataclass
class HTTPReply:
    """What came back for one POST."""

    status: int
    content: Body  # a bytearray when read in pieces (a large reply is never copied into bytes)
    headers: Mapping[str, str] = field(default_factory=dict)  # case-insensitive when from the wire


class Transport:
    """POSTs JSON to a FortiManager over a pooled, thread-safe ``requests.Session``."""

    def __init__(
        self,
        host: str,
        use_ssl: bool = True,
        verify_ssl: VerifySetting = False,
        timeout: float = 300,
        redactor: Redactor | None = None,
        pool_size: int = 10,
        max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES,
        deadline: float | None = None,
        min_speed: MinSpeed | None = DEFAULT_MIN_SPEED,
    ) -> None:
        self.host = host
        self.use_ssl = use_ssl
        self.verify_ssl = verify_ssl
        self.timeout = timeout
        self.redactor = redactor or Redactor()
        self.pool_size = pool_size
        self.max_reply_bytes = check_max_reply_bytes(max_reply_bytes)
        self.deadline = check_deadline(deadline)
        self.min_speed = check_min_speed(min_speed)
        self.session = requests.Session()
        # With trust_env, requests re-reads the proxy variables and ~/.netrc on every request, which
        # costs more than the rest of a small call; they are read once per URL instead (see _environment).
        self.session.trust_env = False
        self._environments: dict[str, tuple[dict[str, str], Any]] = {}
        self._templates: dict[Any, requests.PreparedRequest] = {}
        self._adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size)
        self.session.mount("https://", self._adapter)
        self.session.mount("http://", self._adapter)
        watch_pools_of(self._adapter.poolmanager)
        self._direct = DirectRoutes(self._template)
        #: "direct" (requests' urllib3 pool, see :mod:`pyfmg.directroute`) or "requests" (``Session.send``)
        self.last_route = ""
        self._ids = itertools.count(1)
        self._id_lock = threading.Lock()
        self.last_id = 0
        #: Exchanges that broke (see :meth:`post`).
        self.faults = 0

    @property
    def jsonrpc_url(self) -> str:
        return f"{'https' if self.use_ssl else 'http'}://{self.host}/jsonrpc"

    def next_id(self) -> int:
        """A request id no other thread gets."""
        with self._id_lock:
            self.last_id = next(self._ids)
            return self.last_id

    def reset_ids(self, value: int) -> None:
        with self._id_lock:
            self._ids = itertools.count(value + 1)
            self.last_id = value

    def post(
        self,
        payload: Any,
        label: str,
        url: str | None = None,
        headers: Mapping[str, str] | None = None,
        verify: VerifySetting | None = None,
    ) -> HTTPReply:
        """POST ``payload`` as JSON to ``url`` (default: the JSON-RPC endpoint).

        ``label`` names the call in error messages (e.g. ``"get pm/config/adom/root/obj"``).
        Redirects are refused, the reply is read up to ``max_reply_bytes``, a call that stops
        making progress (``min_speed``) is cut off and, with a ``deadline``, so is one that takes
        longer.  Every exchange that breaks (no reply, a reply cut off or garbled) adds one to
        ``faults``: the server may have restarted, and the workspace manager re-checks its locks.
        """
        try:
            return self._post(payload, label, url, headers, verify)
        except (FMGConnectionError, FMGInvalidResponse) as err:
            if not isinstance(err, FMGReplyTooLarge):  # a reply refused whole says nothing of the server's state
                with self._id_lock:
                    self.faults += 1
            raise

    def _post(
        self,
        payload: Any,
        label: str,
        url: str | None,
        headers: Mapping[str, str] | None,
        verify: VerifySetting | None,
    ) -> HTTPReply:
        target = url or self.jsonrpc_url
        # pyFMG serialises with json.dumps' default separators; keeping them keeps the bytes identical.
        body = json.dumps(payload)
        verify_setting = self.verify_ssl if verify is None else verify
        if verify_setting is True:
            verify_setting = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        header_setting = headers or JSON_HEADERS
        guard = self._guard(len(body))
        try:
            raw = self._send(target, body, header_setting, verify_setting, label, guard)
            try:
                if guard is not None and guard.bytes_per_second is not None:
                    WATCHDOG.body_started(guard)
                status = raw.status
                if status in REDIRECT_STATI and raw.headers.get("Location") is not None:
                    raise FMGRedirectRefused(
                        self.redactor.text(
                            f"refused to follow a redirect: {label} -> POST {target}: HTTP {status} to "
                            f"{bounded_repr(raw.headers['Location'])}; nothing was sent there. Give host= the "
                            f"FortiManager's own address (and use_ssl= its scheme)"
                        ),
                        status=status,
                        location=raw.headers["Location"],
                    )
                content = self._read(raw, label, target, guard)
                if guard is not None and guard.expired:
                    # A cut in the headers can read as their end, and a cut body as a short one.
                    raise self._guard_error(guard, label, target, "and what arrived is incomplete", None, raw.status)
            except BaseException:
                raw.close()  # never put back a connection with unread bytes on it
                raise
            finally:
                if guard is not None:
                    WATCHDOG.end_call(guard)
                    guard = None
                raw.release_conn()
            return HTTPReply(status, content, raw.headers)
        finally:
            if guard is not None:
                WATCHDOG.end_call(guard)

    def _guard(self, request_bytes: int) -> CallGuard | None:
        """The watchdog's guard for one call, or None when neither a deadline nor a speed rule applies."""
        speed = self.min_speed
        if speed is None:
            return WATCHDOG.start_call(self.deadline) if self.deadline is not None else None
        window = speed.window(self.timeout)
        # Connecting and waiting for the first byte may each take ``timeout``, as in pyFMG; sending
        # the request may take its size at the minimum speed; the headers' own bytes get a window.
        headers_within = 2 * self.timeout + window + request_bytes / speed.bytes_per_second
        return WATCHDOG.start_call(self.deadline, headers_within, speed.bytes_per_second, window)

    def _send(
        self,
        target: str,
        body: str,
        headers: Mapping[str, str],
        verify: VerifySetting,
        label: str,
        guard: CallGuard | None,
    ) -> Any:
        """Send the request; the urllib3 response, headers read, body not yet."""
        proxies, netrc_auth = self._environment(target)
        timeout: Any = self.timeout
        if guard is not None:
            timeout = min(self.timeout, guard.remaining())
        try:
            route = self._direct.find(self.session, target, verify, proxies, netrc_auth, headers)
            self.last_route = "requests" if route is None else "direct"
            if route is not None:
                if guard is not None:  # a session swapped in by the caller has pools of its own
                    watch_pool(route.pool)
                return self._direct.send(self.session, route, body, timeout)
            # Session.request's own steps (prepare, merge the session's settings, send), with the
            # environment already applied by _environment and the preparation usually from a template.
            response = self.session.send(
                self._prepare(target, body, headers, netrc_auth),
                timeout=timeout,
                allow_redirects=False,
                proxies=merge_setting(dict(proxies) if proxies else None, self.session.proxies),
                # Streaming separates "no reply" from "a reply whose body broke", whose status we can then report.
                stream=True,
                verify=merge_setting(verify, self.session.verify),
                cert=self.session.cert,
            )
            if guard is not None:  # through an adapter of the caller's, the pool may not be watched
                WATCHDOG.note_connection(getattr(response.raw, "_connection", None))
            return response.raw
        except Exception as err:
            if guard is not None and (guard.expired or guard.passed()):
                raise self._guard_error(guard, label, target, "before the reply's headers", err, None) from None
            raise self._send_error(err, label, target) from None

    def _read(self, raw: Any, label: str, target: str, guard: CallGuard | None) -> Body:
        try:
            return read_body(raw, self.max_reply_bytes, guard)
        except ReplyTooLarge as err:
            what = "announces" if err.announced else "exceeded"
            received = f"{err.received} bytes" + ("" if err.announced else " so far")
            if raw.headers.get("Content-Encoding"):
                received += ", decompressed"
            if err.expansion is not None:
                message = (
                    f"the reply is too large: {label} -> POST {target}: HTTP {raw.status}, its "
                    f"{raw.headers.get('Content-Encoding')} body expanded {err.expansion:.0f} times ({received}), more "
                    f"than the {MAX_EXPANSION} times any JSON reply does: a compression bomb; refused before "
                    f"max_reply_bytes={self.max_reply_bytes}. If it is genuine, ask for it uncompressed "
                    f"(fmg.sess.headers['Accept-Encoding'] = 'identity')"
                )
            else:
                message = (
                    f"the reply is too large: {label} -> POST {target}: HTTP {raw.status}, it {what} "
                    f"max_reply_bytes={self.max_reply_bytes} ({received}); raise max_reply_bytes "
                    f"or ask for less (fields=, filter=, range=)"
                )
            raise FMGReplyTooLarge(
                self.redactor.text(message),
                url=label,
                http_status=raw.status,
                body_start=b"",
                limit=self.max_reply_bytes,
            ) from None
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError, zlib.error) as err:
            if guard is not None and (guard.expired or guard.passed()):
                raise self._guard_error(guard, label, target, "while reading the body", err, raw.status) from None
            if isinstance(err, (urllib3.exceptions.ReadTimeoutError, socket.timeout, TimeoutError)):
                # A body that stalls: pyFMG (requests reading it) raised FMGConnectionError, and callers retry on it.
                raise FMGConnectionError(
                    self.redactor.text(
                        f"the reply stalled: {label} -> POST {target}: HTTP {raw.status}, no more bytes within "
                        f"timeout={self.timeout} s ({type(err).__name__}: {err})"
                    )
                ) from None
            raise FMGInvalidResponse(
                self.redactor.text(
                    f"the reply was cut off or garbled: {label} -> POST {target}: HTTP {raw.status}, "
                    f"{raw.headers.get('Content-Length', 'no')} bytes announced, no readable body "
                    f"({type(err).__name__}: {err})"
                ),
                url=label,
                http_status=raw.status,
                body_start=b"",
            ) from None

    def _send_error(self, err: Exception, label: str, target: str) -> Exception:
        """The FMG* exception for a request that got no reply."""
        if isinstance(err, requests.exceptions.SSLError):
            return FMGTLSError(self._message("TLS handshake failed", label, target, err))
        if isinstance(err, requests.exceptions.ConnectTimeout):
            return FMGConnectTimeout(self._message(f"no connection within {self.timeout} s", label, target, err))
        if isinstance(err, requests.exceptions.ReadTimeout):
            return FMGReadTimeout(self._message(f"no reply within timeout={self.timeout} s", label, target, err))
        if isinstance(err, requests.exceptions.ConnectionError):
            return FMGConnectionError(self._message("connection failed", label, target, err))
        if isinstance(err, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
            return FMGInvalidResponse(self._message("the reply was cut off or garbled", label, target, err), url=label)
        if isinstance(err, ValueError):  # includes requests' InvalidURL, MissingSchema, InvalidHeader
            return FMGValueError(self._message("invalid request", label, target, err))
        if isinstance(err, requests.exceptions.RequestException):
            return FMGBaseException(self._message("request failed", label, target, err))
        if isinstance(err, OSError):  # requests' "Could not find a suitable TLS CA certificate bundle"
            # pyFMG wrapped this in its catch-all; so do we, with a message that says what to fix.
            return FMGBaseException(
                self._message(
                    f"cannot set up TLS verification with verify_ssl={bounded_repr(self.verify_ssl)}",
                    label,
                    target,
                    err,
                )
            )
        return err

    def _guard_error(
        self, guard: CallGuard, label: str, target: str, when: str, err: Exception | None, status: int | None
    ) -> FMGReadTimeout:
        """The exception for a call the watchdog cut off (or whose deadline passed while it failed)."""
        cause = f" ({type(err).__name__})" if err is not None else ""
        http = f"HTTP {status}, " if status is not None else ""
        if guard.reason in ("headers", "body") and not guard.passed():
            rule = (  # the figures of the guard that cut the call (min_speed may have changed since)
                f"min_speed: headers within 2 x timeout={self.timeout:g} s + {guard.window:g} s"
                if guard.reason == "headers"
                else f"min_speed: at least {guard.bytes_per_second:g} bytes/s over every {guard.window:g} s"
            )
            return FMGReplyTooSlow(
                self.redactor.text(
                    f"the reply is too slow: {label} -> POST {target}: {http}{guard.detail}, below {rule}; "
                    f"cut off {when}{cause}. A server or proxy is trickling it; for a link this slow pass "
                    f"min_speed=MinSpeed(bytes_per_second=..., seconds=...), or min_speed=None"
                ),
                phase=guard.reason,
            )
        return FMGDeadlineExceeded(
            self.redactor.text(
                f"no complete reply within deadline={self.deadline} s: {label} -> POST {target}: {http}cut off "
                f"{when}{cause}; raise deadline= for calls that legitimately take longer"
            )
        )

    def _prepare(self, url: str, body: str, headers: Mapping[str, str], netrc_auth: Any) -> requests.PreparedRequest:
        """The request Session.post would prepare, copied from a template kept per URL and headers.

        Preparing a request from scratch merges the session's settings and costs about a fifth of
        a small call's client time. A template is exact as long as the session adds nothing that
        changes per request; with cookies, auth (the caller's or ~/.netrc's), hooks or query
        parameters on the session, the request is prepared from scratch.
        """
        session = self.session
        if (
            netrc_auth is not None
            or session.auth is not None
            or session.params
            or len(session.cookies)
            or any(session.hooks.values())
        ):
            # As requests does: ~/.netrc credentials only where the session sets no auth of its own.
            auth = netrc_auth if session.auth is None else None
            request = requests.Request("POST", url, data=body, headers=dict(headers), auth=auth)
            return session.prepare_request(request)
        prepared = self._template(url, headers).copy()
        prepared.prepare_body(body, None)
        return prepared

    def _template(self, url: str, headers: Mapping[str, str]) -> requests.PreparedRequest:
        """A POST to ``url`` prepared by the session with ``headers`` and no body."""
        session = self.session
        key = (url, tuple(headers.items()), tuple(session.headers.items()))
        template = self._templates.get(key)
        if template is None:
            template = session.prepare_request(requests.Request("POST", url, headers=dict(headers)))
            if len(self._templates) > 32:  # bounded: a caller who keeps changing headers gets no leak
                self._templates.clear()
            self._templates[key] = template
        return template

    def _environment(self, url: str) -> tuple[dict[str, str], Any]:
        """Proxies and ~/.netrc credentials the environment gives ``url``, as requests would apply them."""
        found = self._environments.get(url)
        if found is None:
            found = self._environments[url] = (get_environ_proxies(url), get_netrc_auth(url))
        return found

    def _message(self, what: str, label: str, target: str, err: Exception) -> str:
        return self.redactor.text(
            f"{what}: {label} -> POST {target}: no HTTP status, no bytes received ({type(err).__name__}: {err})"
        )

    def close(self) -> None:
        self.session.close()


def check_max_reply_bytes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise FMGValueError(f"max_reply_bytes must be a number of bytes greater than 0, got {bounded_repr(value)}")
    return value


def check_min_speed(value: Any) -> MinSpeed | None:
    if value is not None and not isinstance(value, MinSpeed):
        raise FMGValueError(
            f"min_speed must be a pyfmg.MinSpeed (e.g. MinSpeed(bytes_per_second=100, seconds=60)) or None, "
            f"got {bounded_repr(value)}"
        )
    return value


def check_deadline(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e9:
        raise FMGValueError(f"deadline must be None or a number of seconds greater than 0, got {bounded_repr(value)}")
    return float(value)
