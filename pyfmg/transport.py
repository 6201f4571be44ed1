"""The wire: one HTTP session to one FortiManager, JSON in, bytes out, errors as FMG* exceptions.

Nothing here knows about logins, ADOMs or tasks; like requests' adapters it only moves bytes
and says precisely what went wrong when it could not.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Union

import requests
from requests.adapters import HTTPAdapter

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
        self.session = requests.Session()
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
        try:
            # Streaming separates "no reply" from "a reply whose body broke", whose status we can then report.
            response = self.session.post(
                target,
                data=body,
                headers=dict(headers or JSON_HEADERS),
                verify=self.verify_ssl if verify is None else verify,
                timeout=self.timeout,
                stream=True,
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
            content = response.content
        except requests.exceptions.RequestException as err:
            response.close()
            status = response.status_code
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
        return HTTPReply(response.status_code, content, dict(response.headers))

    def _message(self, what: str, label: str, target: str, err: Exception) -> str:
        return self.redactor.text(
            f"{what}: {label} -> POST {target}: no HTTP status, no bytes received ({type(err).__name__}: {err})"
        )

    def close(self) -> None:
        self.session.close()
