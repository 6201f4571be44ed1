"""How a session is obtained: password, API key, or FortiCloud OAuth.

Each strategy knows the headers every request needs, how to log in and what URL pyFMG reports
for the login.  Logging out is the same JSON-RPC call for all of them and lives in the facade.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Optional

from .exceptions import FMGOAuthTokenError, bounded_repr
from .logs import Redactor
from .request import build_envelope, build_params
from .response import NotJSONResponse, decode, first_result
from .transport import JSON_HEADERS, Transport

logger = logging.getLogger(__name__)

FORTICLOUD_SUFFIXES = ("fortimanager.forticloud.com", "fortianalyzer.forticloud.com")
#: FortiCloud's identity service (FortiCloud IAM); class attributes so tests and proxies can point elsewhere.
FORTICLOUD_TOKEN_URL = "https://customerapiauth.fortinet.com/api/v1/oauth/token/"
FORTICLOUD_REVOKE_URL = "https://customerapiauth.fortinet.com/api/v1/oauth/revoke_token/"

LoginOutcome = tuple[Optional[str], int, Any]
"""(session id or None, FortiManager's code, what FortiManager said)."""


def is_forticloud_host(host: str) -> bool:
    return host.split(":", 1)[0].endswith(FORTICLOUD_SUFFIXES)


class PasswordLogin:
    """``exec sys/login/user`` with user and password; the session id comes back in the reply."""

    login_url = "sys/login/user"
    last_request: Any = None

    def __init__(self, user: str | None, passwd: str | None, redactor: Redactor) -> None:
        self.user = user
        self.passwd = passwd
        redactor.add(passwd)

    def headers(self) -> dict[str, str]:
        return JSON_HEADERS

    def login(self, transport: Transport, current_sid: str | None) -> LoginOutcome:
        params = build_params("exec", self.login_url, passwd=self.passwd, user=self.user)
        request_id = transport.next_id()
        envelope = self.last_request = build_envelope("exec", params, current_sid, request_id)
        reply = transport.post(envelope, label=f"exec {self.login_url}", headers=self.headers())
        try:
            body = decode(reply.content)
        except ValueError:
            not_json = NotJSONResponse(self.login_url, reply.status, reply.content, reply.headers)
            return None, not_json["status"]["code"], not_json
        code, data = first_result(body, request_id, self.login_url, reply.status, reply.content)
        session = body.get("session")
        if code == 0 and isinstance(session, str) and session:
            return session, code, data
        return None, code, data


class ApiKeyLogin:
    """FortiManager 7.2.2+ API keys: a Bearer header on every request and no login call.

    pyFMG invents a session id (a UUID, a dash, the key's last four characters) so that code
    which tracks sessions keeps working; FortiManager ignores it.
    """

    login_url = "sys/login/user"
    last_request: Any = None

    def __init__(self, apikey: str, redactor: Redactor) -> None:
        self.apikey = apikey
        redactor.add(apikey)

    def headers(self) -> dict[str, str]:
        return {**JSON_HEADERS, "Authorization": f"Bearer {self.apikey}"}

    def login(self, transport: Transport, current_sid: str | None) -> LoginOutcome:
        return f"{uuid.uuid4()}-{self.apikey[-4:]}", 0, None


class FortiCloudLogin:
    """FortiCloud-hosted FortiManager/FortiAnalyzer: OAuth password grant, token for session, revoke."""

    token_url = FORTICLOUD_TOKEN_URL
    revoke_url = FORTICLOUD_REVOKE_URL
    last_request: Any = None

    def __init__(
        self, host: str, user: str | None, passwd: str | None, redactor: Redactor, access_token: str | None = None
    ) -> None:
        self.host = host
        self.user = user
        self.passwd = passwd
        self.redactor = redactor
        #: A token the caller obtained from FortiCloud: used as it is, and left for its owner to revoke.
        self.access_token = access_token
        redactor.add(passwd)
        redactor.add(access_token)
        self.client_id = "FortiAnalyzer" if "fortianalyzer" in host else "FortiManager"

    @property
    def login_url(self) -> str:
        return f"https://{self.host}/p/forticloud_jsonrpc_login/"

    def headers(self) -> dict[str, str]:
        return JSON_HEADERS

    def login(self, transport: Transport, current_sid: str | None) -> LoginOutcome:
        token = self.access_token or self._get_token(transport)
        try:
            reply = transport.post(
                {"access_token": token}, label="FortiCloud session login", url=self.login_url, headers=self.headers()
            )
        finally:
            if token is not self.access_token:
                self._revoke(transport, token)
        try:
            body = decode(reply.content)
        except ValueError:
            not_json = NotJSONResponse(self.login_url, reply.status, reply.content, reply.headers)
            return None, not_json["status"]["code"], not_json
        session = body.get("session") if isinstance(body, dict) else None
        if isinstance(session, str) and session:
            return session, 0, {}
        return None, reply.status, body

    def _get_token(self, transport: Transport) -> str:
        grant = {"username": self.user, "password": self.passwd, "client_id": self.client_id, "grant_type": "password"}
        reply = transport.post(grant, label="FortiCloud OAuth token", url=self.token_url, verify=True)
        excerpt = bytes(reply.content[:200])
        if reply.status != 200:
            raise FMGOAuthTokenError(
                self.redactor.text(
                    f"FortiCloud refused the OAuth token request for user {bounded_repr(self.user)}: "
                    f"HTTP {reply.status}, reply starts {excerpt!r}; check the FortiCloud IAM user name and password"
                )
            )
        try:
            body = decode(reply.content)
        except ValueError:
            raise FMGOAuthTokenError(
                self.redactor.text(
                    f"FortiCloud's OAuth token endpoint answered HTTP 200 with a body that is not JSON, "
                    f"starting {excerpt!r}"
                )
            ) from None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise FMGOAuthTokenError(
                self.redactor.text(f"FortiCloud's OAuth token reply has no access_token; it starts {excerpt!r}")
            )
        self.redactor.add(token)
        return token

    def _revoke(self, transport: Transport, token: str) -> None:
        # The session outlives the token, so revoking it at once leaves nothing worth stealing.
        try:
            transport.post(
                {"client_id": self.client_id, "token": token},
                label="FortiCloud OAuth revoke",
                url=self.revoke_url,
                verify=True,
            )
        except Exception as err:  # a failed revoke must not fail a good login
            logger.warning("Could not revoke the FortiCloud OAuth token: %s", self.redactor.text(str(err)))
