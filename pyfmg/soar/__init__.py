"""A platform-neutral SOAR adapter for FortiManager (no SOAR SDK is imported).

A connector for any SOAR platform calls two functions:

* :func:`check_health` -- log in, read ``sys/status``, log out; a small dict or :class:`SOARError`;
* :func:`run` -- run one operation of :data:`OPERATIONS` with the platform's configuration and the
  action's parameters; a JSON-serialisable dict or :class:`SOARError`.

Both log in and out on every call, so concurrent workers never share a session, and every lock a write
takes is released before they return.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Callable

from pyfmg import FortiManager
from pyfmg.soar.addresses import op_block_ip, op_unblock_ip
from pyfmg.soar.calls import call, fmg_session, require_ok
from pyfmg.soar.config import SOARConfig, parse_config
from pyfmg.soar.errors import SOARError
from pyfmg.soar.generic import (
    op_add,
    op_clone,
    op_delete,
    op_exec,
    op_free_form,
    op_get,
    op_move,
    op_replace,
    op_set,
    op_update,
)
from pyfmg.soar.install import op_install_policy_package
from pyfmg.soar.urls import op_block_url, op_unblock_url

__all__ = ["OPERATIONS", "SOARConfig", "SOARError", "check_health", "parse_config", "run"]

logger = logging.getLogger(__name__)

NO_PERMISSION = -11

Operation = Callable[[FortiManager, SOARConfig, dict[str, Any]], dict[str, Any]]

#: Operation name -> implementation; the FortiSOAR ``info.json`` lists exactly these names.
OPERATIONS: dict[str, Operation] = {
    "get": op_get,
    "add": op_add,
    "set": op_set,
    "update": op_update,
    "delete": op_delete,
    "replace": op_replace,
    "clone": op_clone,
    "move": op_move,
    "exec": op_exec,
    "free_form": op_free_form,
    "install_policy_package": op_install_policy_package,
    "block_ip": op_block_ip,
    "unblock_ip": op_unblock_ip,
    "block_url": op_block_url,
    "unblock_url": op_unblock_url,
}


def check_health(config: Mapping[str, Any]) -> dict[str, Any]:
    """Log in, read ``sys/status`` and log out.

    Returns ``{"address", "version", "hostname", "serial", "workspace_mode"}``; raises
    :class:`SOARError` with a message an analyst can act on (bad credentials, unreachable host, TLS
    failure, timeout).
    """
    cfg = parse_config(config)
    with fmg_session(cfg) as fmg:
        answer = call(fmg, "get", "sys/status")
        if answer.get("code") == NO_PERMISSION and cfg.api_key:
            # An API key is not checked at login: the first call is where a bad key shows.
            raise SOARError(
                "FortiManager at {} refused the login with this API key (code -11, {}). Check the API key "
                "and that its REST API administrator may use JSON-RPC and has trusted hosts allowing this "
                "host".format(cfg.host, answer.get("message")),
                code=NO_PERMISSION,
                fmg_message=answer.get("message"),
                url=answer.get("url"),
            )
        status = require_ok(answer, "get").get("data")
        workspace = bool(fmg.workspace_mode)
    status = status if isinstance(status, dict) else {}
    return {
        "address": cfg.host,
        "version": status.get("Version"),
        "hostname": status.get("Hostname"),
        "serial": status.get("Serial Number"),
        "workspace_mode": workspace,
    }


def run(operation: str, config: Mapping[str, Any], params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Run ``operation`` (a key of :data:`OPERATIONS`) and return its JSON-serialisable result.

    ``config`` holds the connector configuration, ``params`` the action's parameters; values may be
    strings as SOAR forms send them. Every failure is a :class:`SOARError`.
    """
    implementation = OPERATIONS.get(operation) if isinstance(operation, str) else None
    if implementation is None:
        raise SOARError("Unknown operation {!r}; expected one of {}".format(operation, ", ".join(OPERATIONS)))
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise SOARError("Operation parameters must be a mapping of names to values")
    cfg = parse_config(config)
    logger.debug("running %s on %s", operation, cfg.host)
    with fmg_session(cfg) as fmg:
        return implementation(fmg, cfg, dict(params))
