"""FortiCloud: the OAuth token service (FortiCloud IAM) and a FortiCloud instance's token login.

A FortiManager hosted by FortiCloud takes no password login. A client asks FortiCloud IAM for an
OAuth token (``POST /api/v1/oauth/token/`` with the IAM user's name and password, client_id
``FortiManager``, grant_type ``password``), trades it at the instance for a JSON-RPC session
(``POST /p/forticloud_jsonrpc_login/`` with ``{"access_token": ...}``, answered with a bare
``{"session": ...}``), and may revoke the token at once (``POST /api/v1/oauth/revoke_token/``).
Sources in docs/simulator.rst. The simulator plays both parts on its one port.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from .codes import LOGIN_FAIL, RpcError, status
from .sessions import SessionStore

TOKEN_PATH = "/api/v1/oauth/token/"
REVOKE_PATH = "/api/v1/oauth/revoke_token/"
LOGIN_PATH = "/p/forticloud_jsonrpc_login/"

Answer = tuple[int, Any]

#: Tokens issued through ``TOKEN_PATH`` that are kept at once; the oldest goes first, as if it had
#: expired. A client that asks for tokens and never revokes them cannot grow the simulator.
MAX_ISSUED_TOKENS = 1000


class FortiCloud:
    """IAM users (name -> password), the tokens issued to them, and the instance's token login.

    ``tokens`` maps tokens issued beforehand (a playbook's ``forticloud_access_token``) to the
    administrator they log in as; an IAM user logs in as the administrator of the same name.
    ``issued`` holds the tokens ``TOKEN_PATH`` gave out (the latest ``MAX_ISSUED_TOKENS``);
    ``revoked`` counts the tokens revoked.
    """

    def __init__(self, sessions: SessionStore, users: Mapping[str, str], tokens: Mapping[str, str]) -> None:
        self.sessions = sessions
        self.users = dict(users)
        self.tokens = dict(tokens)
        self.issued: OrderedDict[str, str] = OrderedDict()
        self.revoked = 0
        self._lock = threading.Lock()

    def routes(self) -> dict[str, Any]:
        """HTTP path -> handler of the parsed JSON body, answering (HTTP status, JSON reply)."""
        return {TOKEN_PATH: self.token, REVOKE_PATH: self.revoke, LOGIN_PATH: self.login}

    def token(self, body: Any) -> Answer:
        if not isinstance(body, dict) or body.get("grant_type") != "password":
            return 400, {"error": "unsupported_grant_type"}
        user, password = body.get("username"), body.get("password")
        if not isinstance(user, str) or self.users.get(user) != password or not isinstance(password, str):
            return 401, {"error": "invalid_grant", "error_description": "Invalid credentials given."}
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.issued[token] = user
            if len(self.issued) > MAX_ISSUED_TOKENS:
                self.issued.popitem(last=False)
        return 200, {
            "access_token": token,
            "expires_in": 3600,
            "token_type": "Bearer",
            "scope": "read write",
            "refresh_token": secrets.token_urlsafe(24),
        }

    def revoke(self, body: Any) -> Answer:
        token = body.get("token") if isinstance(body, dict) else None
        with self._lock:
            if isinstance(token, str) and (token in self.issued or token in self.tokens):
                self.issued.pop(token, None)
                self.tokens.pop(token, None)
                self.revoked += 1
        return 200, {"status": "success", "message": "Token revoked"}

    def login(self, body: Any) -> Answer:
        token = body.get("access_token") if isinstance(body, dict) else None
        with self._lock:
            user = (self.issued.get(token) or self.tokens.get(token)) if isinstance(token, str) else None
        if user is None:
            return 200, {"result": [{"status": status(LOGIN_FAIL), "url": LOGIN_PATH}]}
        try:
            session = self.sessions.open(user)
        except RpcError as error:
            return 200, {"result": [{"status": status(error.code, error.message), "url": LOGIN_PATH}]}
        return 200, {"session": session.token}
