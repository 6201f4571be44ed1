"""Status codes and messages the simulator answers with, as a FortiManager spells them."""

from __future__ import annotations

OK = 0
INTERNAL = -1
EXISTS = -2
NOT_FOUND = -3
INVALID_URL = -6
INVALID_PARAM = -8
INVALID_COMMAND = -9
INVALID_DATA = -10
NO_PERMISSION = -11
LOGIN_FAIL = -22
LOGIN_LIMIT = -23
NO_WRITE_PERMISSION = -10147
LOCKED_BY_OTHER = -20055

MESSAGES: dict[int, str] = {
    OK: "OK",
    INTERNAL: "Internal error",
    EXISTS: "Object already exists",
    NOT_FOUND: "Object does not exist",
    INVALID_URL: "Invalid url",
    INVALID_PARAM: "Invalid parameter",
    INVALID_COMMAND: "The command is invalid for selected url",
    INVALID_DATA: "The data is invalid for selected url",
    NO_PERMISSION: "No permission for the resource",
    LOGIN_FAIL: "Login fail",
    LOGIN_LIMIT: "Reach login limit",
    NO_WRITE_PERMISSION: "no write permission",
    LOCKED_BY_OTHER: "Workspace is locked by other user",
}


def status(code: int, message: str | None = None) -> dict[str, object]:
    return {"code": code, "message": message if message is not None else MESSAGES.get(code, "")}


class RpcError(Exception):
    """Raised inside the simulator to end one param with a non-zero status."""

    def __init__(self, code: int, message: str | None = None) -> None:
        self.code = code
        self.message = message if message is not None else MESSAGES.get(code, "")
        super().__init__(f"{code}: {self.message}")
