"""The direct route: a request handed to requests' own urllib3 pool, without ``Session.send``.

``Session.send`` costs three times what the pool under it costs for a small call (hooks, cookie
extraction into two jars, proxy and redirect resolution, building a ``Response``), and changes
nothing for a session nobody touched.  For such a session the request goes to the pool requests'
``HTTPAdapter`` would pick, with the TLS settings and the ``urlopen`` arguments it would give, so
the connections and the bytes on the wire are the same.  Anything a caller can customise on the
session (or a test double patched over requests) sends the request through requests instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, NamedTuple, Union

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.cookies import RequestsCookieJar, extract_cookies_to_jar
from requests.structures import CaseInsensitiveDict

VerifySetting = Union[bool, str]

# What requests' own send path is made of; a test double that patches one of them (``responses``
# patches HTTPAdapter.send) must see every request, so the direct route steps aside.
_SESSION_SEND = requests.Session.send
_GET_ADAPTER = requests.Session.get_adapter
_ADAPTER_SEND = HTTPAdapter.send
_PATCHABLE = frozenset({"send", "get_adapter", "request", "post", "prepare_request", "merge_environment_settings"})


class Route(NamedTuple):
    """Everything a request to one URL needs on the direct route, taken from requests once."""

    adapter: HTTPAdapter
    target: str
    verify: VerifySetting
    header_items: tuple[tuple[str, str], ...]
    session_headers: Any  # the session's headers as they were (requests' CaseInsensitiveDict store)
    pool: Any
    request_headers: dict[str, str]  # in the order requests prepares them, Content-Length last
    path: str
    template: requests.PreparedRequest


class DirectRoutes:
    """Finds the direct route for a request on a session, and sends on it."""

    def __init__(self, template: Callable[[str, Mapping[str, str]], requests.PreparedRequest]) -> None:
        self._template = template  # the POST requests would prepare for a URL and headers, without body
        self._last: Route | None = None
        self._timeout: tuple[float, urllib3.Timeout] | None = None

    def find(
        self,
        session: requests.Session,
        target: str,
        verify: VerifySetting,
        proxies: Any,
        netrc_auth: Any,
        headers: Mapping[str, str],
    ) -> Route | None:
        """The route, or None when requests must send this request itself."""
        adapters = session.adapters
        adapter = adapters.get("https://" if target.startswith("https://") else "http://")
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
            or len(adapters) != 2  # requests' own mounts, "https://" and "http://", and no other
            or type(adapter) is not HTTPAdapter
            or requests.Session.send is not _SESSION_SEND
            or requests.Session.get_adapter is not _GET_ADAPTER
            or HTTPAdapter.send is not _ADAPTER_SEND
            or not _PATCHABLE.isdisjoint(vars(session))
            or "send" in vars(adapter)
        ):
            return None
        header_items = tuple(headers.items())
        last = self._last
        if (
            last is not None
            and last.adapter is adapter
            and last.target == target
            and last.verify == verify
            and last.header_items == header_items
            and last.session_headers == session.headers._store  # type: ignore[attr-defined]
            and last.pool.pool is not None  # None once closed (session closed, pool evicted)
        ):
            return last
        template = self._template(target, headers)
        if hasattr(adapter, "get_connection_with_tls_context"):  # requests >= 2.32
            pool = adapter.get_connection_with_tls_context(template, verify, proxies={}, cert=None)
        else:
            pool = adapter.get_connection(target, None)
        adapter.cert_verify(pool, target, verify, None)
        # One route kept: before 2.32 requests sets TLS settings on a pool shared by every verify
        # setting, so a change of setting must go through the adapter again.
        self._last = Route(
            adapter,
            target,
            verify,
            header_items,
            session.headers._store.copy(),  # type: ignore[attr-defined]
            pool,
            dict(template.headers.items()),
            template.path_url,
            template,
        )
        return self._last

    def send(self, session: requests.Session, route: Route, body: str, timeout: float) -> Any:
        """``pool.urlopen`` with HTTPAdapter.send's arguments; urllib3's errors become requests' as there."""
        headers = dict(route.request_headers)
        headers["Content-Length"] = str(len(body))  # json.dumps output is ASCII: characters are bytes
        try:
            raw = route.pool.urlopen(
                method="POST",
                url=route.path,
                body=body,
                headers=headers,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
                decode_content=False,
                retries=route.adapter.max_retries,
                timeout=self._timeouts(timeout),
                chunked=False,
            )
        except Exception as err:
            raise as_requests_error(err) from err
        if "Set-Cookie" in raw.headers:
            # As Session.send does, so the next requests carry the cookie (through requests' own path).
            extract_cookies_to_jar(session.cookies, route.template, raw)
        return raw

    def _timeouts(self, seconds: float) -> urllib3.Timeout:
        cached = self._timeout
        if cached is None or cached[0] != seconds:
            cached = self._timeout = (seconds, urllib3.Timeout(connect=seconds, read=seconds))
        return cached[1]


def _has_cookies(jar: Any) -> bool:
    # CookieJar.__len__ walks every cookie; its store being empty says the same for a requests jar.
    return bool(jar._cookies if type(jar) is RequestsCookieJar else len(jar))  # type: ignore[attr-defined]


def as_requests_error(err: Exception) -> Exception:
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
