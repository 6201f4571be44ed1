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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Union

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.sessions import merge_setting
from requests.utils import get_environ_proxies, get_netrc_auth

from .exceptions import (
    FMGBaseException,
    FMGConnectionError,
    FMGConnectTimeout,
    FMGInvalidResponse,
    FMGReadTimeout,
    FMGTLSError,
    FMGValueError,
)
from .logs import Redactor

logger = logging.getLogger(__name__)

JSON_HEADERS = {"content-type": "application/json"}

VerifySetting = Union[bool, str]


@dataclass
class HTTPReply:
    """What came back for one POST."""

    status: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)


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
    ) -> None:
        self.host = host
        self.use_ssl = use_ssl
        self.verify_ssl = verify_ssl
        self.timeout = timeout
        self.redactor = redactor or Redactor()
        self.pool_size = pool_size
        self.session = requests.Session()
        # With trust_env, requests re-reads the proxy variables and ~/.netrc on every request, which
        # costs more than the rest of a small call; they are read once per URL instead (see _environment).
        self.session.trust_env = False
        self._environments: dict[str, tuple[dict[str, str], Any]] = {}
        self._templates: dict[Any, requests.PreparedRequest] = {}
        adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
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
        """
        target = url or self.jsonrpc_url
        # pyFMG serialises with json.dumps' default separators; keeping them keeps the bytes identical.
        body = json.dumps(payload)
        verify_setting = self.verify_ssl if verify is None else verify
        if verify_setting is True:
            verify_setting = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        proxies, netrc_auth = self._environment(target)
        try:
            # Streaming separates "no reply" from "a reply whose body broke", whose status we can then report.
            # Session.request's own steps (prepare, merge the session's settings, send), with the
            # environment already applied by _environment and the preparation usually from a template.
            response = self.session.send(
                self._prepare(target, body, headers or JSON_HEADERS, netrc_auth),
                timeout=self.timeout,
                allow_redirects=True,
                proxies=merge_setting(dict(proxies) if proxies else None, self.session.proxies),
                stream=True,
                verify=merge_setting(verify_setting, self.session.verify),
                cert=self.session.cert,
            )
        except requests.exceptions.SSLError as err:
            raise FMGTLSError(self._message("TLS handshake failed", label, target, err)) from None
        except requests.exceptions.ConnectTimeout as err:
            raise FMGConnectTimeout(
                self._message(f"no connection within {self.timeout} s", label, target, err)
            ) from None
        except requests.exceptions.ReadTimeout as err:
            raise FMGReadTimeout(
                self._message(f"no reply within timeout={self.timeout} s", label, target, err)
            ) from None
        except requests.exceptions.ConnectionError as err:
            raise FMGConnectionError(self._message("connection failed", label, target, err)) from None
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as err:
            raise FMGInvalidResponse(
                self._message("the reply was cut off or garbled", label, target, err), url=label
            ) from None
        except ValueError as err:  # includes requests' InvalidURL, MissingSchema, InvalidHeader
            raise FMGValueError(self._message("invalid request", label, target, err)) from None
        except requests.exceptions.RequestException as err:
            raise FMGBaseException(self._message("request failed", label, target, err)) from None
        except OSError as err:  # requests' "Could not find a suitable TLS CA certificate bundle"
            # pyFMG wrapped this in its catch-all; so do we, with a message that says what to fix.
            raise FMGBaseException(
                self._message(f"cannot set up TLS verification with verify_ssl={self.verify_ssl!r}", label, target, err)
            ) from None
        try:
            # One read: response.content would read 10 kB pieces and join them, holding a large reply twice.
            content = response.raw.read(decode_content=True)
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as err:
            status = response.status_code
            if isinstance(err, (urllib3.exceptions.ReadTimeoutError, socket.timeout, TimeoutError)):
                # A body that stalls: pyFMG (requests reading it) raised FMGConnectionError, and callers retry on it.
                raise FMGConnectionError(
                    self.redactor.text(
                        f"the reply stalled: {label} -> POST {target}: HTTP {status}, no more bytes within "
                        f"timeout={self.timeout} s ({type(err).__name__}: {err})"
                    )
                ) from None
            raise FMGInvalidResponse(
                self.redactor.text(
                    f"the reply was cut off or garbled: {label} -> POST {target}: HTTP {status}, "
                    f"{response.headers.get('Content-Length', 'no')} bytes announced, no readable body "
                    f"({type(err).__name__}: {err})"
                ),
                url=label,
                http_status=status,
                body_start=b"",
            ) from None
        finally:
            response.close()
        return HTTPReply(response.status_code, content, dict(response.headers))

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
        key = (url, tuple(headers.items()), tuple(session.headers.items()))
        template = self._templates.get(key)
        if template is None:
            template = session.prepare_request(requests.Request("POST", url, headers=dict(headers)))
            if len(self._templates) > 32:  # bounded: a caller who keeps changing headers gets no leak
                self._templates.clear()
            self._templates[key] = template
        prepared = template.copy()
        prepared.prepare_body(body, None)
        return prepared

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
