"""The wire: one HTTP session to one FortiManager, JSON in, bytes out, errors as FMG* exceptions.

Nothing here knows about logins, ADOMs or tasks; like requests' adapters it only moves bytes
and says precisely what went wrong when it could not.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import threading
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Union

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.cookies import RequestsCookieJar, extract_cookies_to_jar
from requests.sessions import merge_setting
from requests.structures import CaseInsensitiveDict
from requests.utils import get_environ_proxies, get_netrc_auth

from .exceptions import (
    FMGBaseException,
    FMGConnectionError,
    FMGConnectTimeout,
    FMGDeadlineExceeded,
    FMGInvalidResponse,
    FMGReadTimeout,
    FMGRedirectRefused,
    FMGReplyTooLarge,
    FMGTLSError,
    FMGValueError,
)
from .logs import Redactor
from .wirelimits import (
    DEFAULT_MAX_REPLY_BYTES,
    WATCHDOG,
    DeadlineGuard,
    ReplyTooLarge,
    read_body,
    watch_pool,
    watch_pools_of,
)

logger = logging.getLogger(__name__)

JSON_HEADERS = {"content-type": "application/json"}
#: The statuses requests follows (``requests.Response.is_redirect``); every one is refused here.
REDIRECT_STATI = frozenset({301, 302, 303, 307, 308})

VerifySetting = Union[bool, str]


@dataclass
class HTTPReply:
    """What came back for one POST."""

    status: int
    content: bytes
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
    ) -> None:
        self.host = host
        self.use_ssl = use_ssl
        self.verify_ssl = verify_ssl
        self.timeout = timeout
        self.redactor = redactor or Redactor()
        self.pool_size = pool_size
        self.max_reply_bytes = check_max_reply_bytes(max_reply_bytes)
        self.deadline = check_deadline(deadline)
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
        self._direct: _DirectRoute | None = None
        self._timeout_cache: tuple[float, urllib3.Timeout] | None = None
        self._ids = itertools.count(1)
        self._id_lock = threading.Lock()
        self.last_id = 0

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
        Redirects are refused, the reply is read up to ``max_reply_bytes`` and, with a
        ``deadline``, the whole exchange is cut off when it takes longer.
        """
        target = url or self.jsonrpc_url
        # pyFMG serialises with json.dumps' default separators; keeping them keeps the bytes identical.
        body = json.dumps(payload)
        verify_setting = self.verify_ssl if verify is None else verify
        if verify_setting is True:
            verify_setting = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        header_setting = headers or JSON_HEADERS
        guard = WATCHDOG.start_call(self.deadline) if self.deadline is not None else None
        try:
            raw = self._send(target, body, header_setting, verify_setting, label, guard)
            try:
                status = raw.status
                if status in REDIRECT_STATI and raw.headers.get("Location") is not None:
                    raise FMGRedirectRefused(
                        self.redactor.text(
                            f"refused to follow a redirect: {label} -> POST {target}: HTTP {status} to "
                            f"{raw.headers['Location']!r}; nothing was sent there. Give host= the "
                            f"FortiManager's own address (and use_ssl= its scheme)"
                        ),
                        status=status,
                        location=raw.headers["Location"],
                    )
                content = self._read(raw, label, target, guard)
                if guard is not None and guard.expired:
                    # A cut in the headers can read as their end, and a cut body as a short one.
                    raise self._deadline_error(label, target, "and what arrived is incomplete", None)
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

    def _send(
        self,
        target: str,
        body: str,
        headers: Mapping[str, str],
        verify: VerifySetting,
        label: str,
        guard: DeadlineGuard | None,
    ) -> Any:
        """Send the request; the urllib3 response, headers read, body not yet."""
        proxies, netrc_auth = self._environment(target)
        timeout: Any = self.timeout
        if guard is not None:
            timeout = min(self.timeout, guard.remaining())
        try:
            direct = self._direct_route(target, verify, proxies, netrc_auth, headers)
            if direct is not None:
                return self._send_direct(direct, body, timeout)
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
            if guard is not None and guard.passed():
                raise self._deadline_error(label, target, "before the reply's headers", err) from None
            raise self._send_error(err, label, target) from None

    def _read(self, raw: Any, label: str, target: str, guard: DeadlineGuard | None) -> bytes:
        try:
            return read_body(raw, self.max_reply_bytes)
        except ReplyTooLarge as err:
            what = "announces" if err.announced else "exceeded"
            received = f"{err.received} bytes" + ("" if err.announced else " so far")
            if raw.headers.get("Content-Encoding"):
                received += ", decompressed"
            raise FMGReplyTooLarge(
                self.redactor.text(
                    f"the reply is too large: {label} -> POST {target}: HTTP {raw.status}, it {what} "
                    f"max_reply_bytes={self.max_reply_bytes} ({received}); raise max_reply_bytes "
                    f"or ask for less (fields=, filter=, range=)"
                ),
                url=label,
                http_status=raw.status,
                body_start=b"",
                limit=self.max_reply_bytes,
            ) from None
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError, zlib.error) as err:
            if guard is not None and guard.passed():
                raise self._deadline_error(label, target, f"while reading the body of HTTP {raw.status}", err) from None
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

    def _direct_route(
        self, target: str, verify: VerifySetting, proxies: Any, netrc_auth: Any, headers: Mapping[str, str]
    ) -> _DirectRoute | None:
        """The urllib3 pool requests would send this request through, or None where requests must do it.

        ``Session.send`` spends most of a small call's client time on work that changes nothing for
        an untouched session (hooks, cookies, proxy and redirect resolution, building a Response).
        When the session has nothing of that kind the request goes to the same pool of the same
        adapter with the same arguments requests gives it, so the bytes on the wire are the same.
        """
        session = self.session
        adapters = session.adapters
        if (
            type(session) is not requests.Session
            or proxies
            or netrc_auth is not None
            or session.proxies
            or session.auth is not None
            or session.cert is not None
            or session.params
            or _has_cookies(session.cookies)
            or any(session.hooks.values())
            or type(session.headers) is not CaseInsensitiveDict
            or len(adapters) != 2
            or adapters.get("https://") is not self._adapter
            or adapters.get("http://") is not self._adapter
            or requests.Session.send is not _SESSION_SEND
            or requests.Session.get_adapter is not _GET_ADAPTER
            or HTTPAdapter.send is not _ADAPTER_SEND
            or not _PATCHABLE.isdisjoint(vars(session))
            or "send" in vars(self._adapter)
        ):
            return None
        header_items = tuple(headers.items())
        direct = self._direct
        if (
            direct is not None
            and direct.target == target
            and direct.verify == verify
            and direct.header_items == header_items
            and direct.session_headers == session.headers._store  # type: ignore[attr-defined]
            and direct.pool.pool is not None  # None once closed (session closed, pool evicted)
        ):
            return direct
        template = self._template(target, headers)
        adapter = self._adapter
        if hasattr(adapter, "get_connection_with_tls_context"):  # requests >= 2.32
            pool = adapter.get_connection_with_tls_context(template, verify, proxies={}, cert=None)
        else:
            pool = adapter.get_connection(target, None)
        adapter.cert_verify(pool, target, verify, None)
        watch_pool(pool)
        # One entry: before 2.32 requests sets TLS settings on a pool shared by every verify setting,
        # so a change of setting must go through the adapter again.
        self._direct = _DirectRoute(
            target,
            verify,
            header_items,
            session.headers._store.copy(),  # type: ignore[attr-defined]
            pool,
            dict(template.headers.items()),
            template.path_url,
            template,
        )
        return self._direct

    def _send_direct(self, direct: _DirectRoute, body: str, timeout: float) -> Any:
        """``pool.urlopen`` with HTTPAdapter.send's arguments; urllib3's errors turned into requests' as it does."""
        headers = dict(direct.request_headers)
        headers["Content-Length"] = str(len(body))  # json.dumps output is ASCII: characters are bytes
        try:
            raw = direct.pool.urlopen(
                method="POST",
                url=direct.path,
                body=body,
                headers=headers,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
                decode_content=False,
                retries=self._adapter.max_retries,
                timeout=self._timeouts(timeout),
                chunked=False,
            )
        except Exception as err:
            raise _as_requests_error(err) from err
        if "Set-Cookie" in raw.headers:
            # As Session.send does, so the next requests carry the cookie (through requests' own path).
            extract_cookies_to_jar(self.session.cookies, direct.template, raw)
        return raw

    def _timeouts(self, seconds: float) -> urllib3.Timeout:
        cached = self._timeout_cache
        if cached is None or cached[0] != seconds:
            cached = self._timeout_cache = (seconds, urllib3.Timeout(connect=seconds, read=seconds))
        return cached[1]

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
                self._message(f"cannot set up TLS verification with verify_ssl={self.verify_ssl!r}", label, target, err)
            )
        return err

    def _deadline_error(self, label: str, target: str, when: str, err: Exception | None) -> FMGDeadlineExceeded:
        cause = f" ({type(err).__name__})" if err is not None else ""
        return FMGDeadlineExceeded(
            self.redactor.text(
                f"no complete reply within deadline={self.deadline} s: {label} -> POST {target}: cut off "
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
        raise FMGValueError(f"max_reply_bytes must be a number of bytes greater than 0, got {value!r}")
    return value


def check_deadline(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e9:
        raise FMGValueError(f"deadline must be None or a number of seconds greater than 0, got {value!r}")
    return float(value)


# What requests' own send path is made of; a test double that patches one of them (``responses``
# patches HTTPAdapter.send) must see every request, so the direct route steps aside.
_SESSION_SEND = requests.Session.send
_GET_ADAPTER = requests.Session.get_adapter
_ADAPTER_SEND = HTTPAdapter.send
_PATCHABLE = frozenset({"send", "get_adapter", "request", "post", "prepare_request", "merge_environment_settings"})


class _DirectRoute(NamedTuple):
    """Everything a request to one URL needs on the direct route, taken from requests once."""

    target: str
    verify: VerifySetting
    header_items: tuple[tuple[str, str], ...]
    session_headers: Any  # the session's headers as they were (requests' CaseInsensitiveDict store)
    pool: Any
    request_headers: dict[str, str]  # in the order requests prepares them, Content-Length last
    path: str
    template: requests.PreparedRequest


def _has_cookies(jar: Any) -> bool:
    # CookieJar.__len__ walks every cookie; its store being empty says the same for a requests jar.
    return bool(jar._cookies if type(jar) is RequestsCookieJar else len(jar))  # type: ignore[attr-defined]


def _as_requests_error(err: Exception) -> Exception:
    """The exception HTTPAdapter.send raises for urllib3's ``err`` (same class, same message)."""
    u3 = urllib3.exceptions
    rex = requests.exceptions
    if isinstance(err, (u3.ProtocolError, OSError)):
        return rex.ConnectionError(err)
    if isinstance(err, u3.MaxRetryError):
        reason = err.reason
        if isinstance(reason, u3.ConnectTimeoutError) and not isinstance(reason, u3.NewConnectionError):
            return rex.ConnectTimeout(err)
        if isinstance(reason, u3.ResponseError):
            return rex.RetryError(err)
        if isinstance(reason, u3.ProxyError):
            return rex.ProxyError(err)
        if isinstance(reason, u3.SSLError):
            return rex.SSLError(err)
        return rex.ConnectionError(err)
    if isinstance(err, u3.ClosedPoolError):
        return rex.ConnectionError(err)
    if isinstance(err, u3.ProxyError):
        return rex.ProxyError(err)
    if isinstance(err, u3.SSLError):
        return rex.SSLError(err)
    if isinstance(err, u3.ReadTimeoutError):
        return rex.ReadTimeout(err)
    if isinstance(err, u3.InvalidHeader):
        return rex.InvalidHeader(err)
    if isinstance(err, u3.LocationValueError):
        return rex.InvalidURL(err)
    return err
