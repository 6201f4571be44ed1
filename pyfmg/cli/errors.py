"""Exit statuses of the ``pyfmg`` command and how each failure maps onto one of them."""

from __future__ import annotations

import re
from typing import Any

EXIT_OK = 0
EXIT_FMG_ERROR = 1  # FortiManager answered with an error status (or refused the login)
EXIT_USAGE = 2  # the command line or the settings are wrong
EXIT_CONNECTION = 3  # no usable answer: connection, TLS, timeout, a reply that is not JSON-RPC
EXIT_TASK_FAILED = 4
EXIT_TASK_RUNNING = 5  # still running when the wait ended
EXIT_INTERRUPTED = 130

TLS_HINT = (
    "give the FortiManager's CA with --ca-cert FILE, or skip the check with --insecure; "
    "if it speaks plain HTTP, use --host http://HOST[:PORT]"
)
NOT_FORTIMANAGER_HINT = "check that --host names the FortiManager's address and port; --debug shows the reply"
#: What the text of a failed connection (requests' and urllib3's, quoted by pyfmg) means, and what to check.
CONNECTION_FAILURES = (
    (
        r"Connection refused|actively refused|ECONNREFUSED",
        "connection refused",
        "check the address and port in --host, and that the FortiManager's web service is up",
    ),
    (
        r"Name or service not known|nodename nor servname|Failed to resolve|getaddrinfo failed|name resolution"
        r"|No address associated",
        "the name does not resolve",
        "check the host name in --host and the DNS",
    ),
    (
        r"No route to host|Network is unreachable|EHOSTUNREACH|ENETUNREACH",
        "no route to it",
        "check the address in --host and the network path (VPN, firewall)",
    ),
    (
        r"Connection reset|Connection aborted|RemoteDisconnected|without response|BadStatusLine",
        "the connection closed without a reply",
        "check the scheme and port in --host (https:// or http://)",
    ),
    (
        r"stalled",
        "the reply stopped coming",
        "try again; raise --timeout if the FortiManager is busy",
    ),
)


class CliError(Exception):
    """A failure to report on stderr as one line, with an exit status."""

    def __init__(self, message: str, status: int = EXIT_FMG_ERROR) -> None:
        super().__init__(message)
        self.status = status


def not_json_problem(data: Any, what: str) -> str | None:
    """The message for a reply that was not JSON at all (an HTML page...), or None for any other reply.

    pyfmg returns such a reply as pyFMG did: code 100 and a dict that keeps the HTTP ``status_code``.
    """
    status = getattr(data, "status_code", None)
    if not isinstance(data, dict) or status is None or data.get("status", {}).get("code") != 100:
        return None
    content = bytes(getattr(data, "content", b"") or b"")
    content_type = str(getattr(data, "headers", {}).get("Content-Type", ""))
    if "html" in content_type.lower() or content.lstrip()[:1] == b"<":
        kind = "an HTML page"
    else:
        kind = "an empty body" if not content.strip() else "a body that is not JSON"
    return f"{what}: the server answered with HTTP {status} and {kind}, not JSON-RPC ({NOT_FORTIMANAGER_HINT})"


def connection_problem(error: BaseException, target: str, timeout: float | None = None) -> str | None:
    """One short line for an exchange that brought no usable answer, saying what to check; None for other errors.

    The full text (urllib3's included) stays on the exception, which ``--debug`` prints.
    """
    from pyfmg import (
        FMGConnectionError,
        FMGConnectTimeout,
        FMGDeadlineExceeded,
        FMGInvalidResponse,
        FMGReadTimeout,
        FMGRedirectRefused,
        FMGReplyTooLarge,
        FMGResponseNotFormedCorrect,
        FMGTLSError,
    )

    text = " ".join(str(error).split())
    if isinstance(error, FMGRedirectRefused):  # e.g. a FortiManager that sends plain HTTP to HTTPS
        found = f" to {error.location}" if error.location else ""
        return f"{target} redirects{found}; redirects are not followed: give that address to --host"
    if isinstance(error, FMGTLSError):
        return f"TLS handshake with {target} failed: {_tls_reason(text)} ({TLS_HINT})"
    if isinstance(error, FMGDeadlineExceeded):
        return f"{target} did not send a complete reply in time (try again; --debug shows the detail)"
    within = f"within {timeout:g} s" if timeout is not None else "in time"
    if isinstance(error, FMGReadTimeout):
        return f"{target} did not answer {within} (raise --timeout if the FortiManager is busy)"
    if isinstance(error, FMGConnectTimeout):
        return f"no connection to {target} {within} (check the address in --host and any firewall)"
    if isinstance(error, FMGReplyTooLarge):
        return f"the reply from {target} is over the limit of {error.limit} bytes (ask for less: --fields, --filter)"
    if isinstance(error, FMGInvalidResponse) and error.body_start:
        return f"{target} answered with JSON that is not a JSON-RPC reply ({NOT_FORTIMANAGER_HINT})"
    if isinstance(error, FMGResponseNotFormedCorrect):
        return f"the reply from {target} was cut off or is not JSON-RPC (try again; {NOT_FORTIMANAGER_HINT})"
    if isinstance(error, FMGConnectionError):
        for pattern, what, check in CONNECTION_FAILURES:
            if re.search(pattern, text, re.IGNORECASE):
                return f"cannot reach {target}: {what} ({check})"
        return f"cannot reach {target} (check --host and the network; --debug shows the detail)"
    return None


def _tls_reason(text: str) -> str:
    found = re.search(r"certificate verify failed: ([^()'\"]+?)(?: \(|['\"]|$)", text)
    if found:
        return f"certificate verify failed: {found.group(1).strip()}"
    if re.search(r"WRONG_VERSION_NUMBER|wrong version number|record layer failure", text):
        return "the server does not speak TLS on that port"
    return "the certificate or the protocol was refused"


def describe(error: BaseException, debug: bool = False) -> tuple[int, str]:
    """The exit status and the one-line message for an exception raised while a command ran."""
    if isinstance(error, CliError):
        return error.status, str(error)
    # Imported here: these pull in requests, which --help and --version never need.
    from pyfmg import FMGBaseException, FMGValueError

    problem = connection_problem(error, "the FortiManager")
    if problem is not None:
        return EXIT_CONNECTION, problem
    text = " ".join(str(error).split()) or type(error).__name__
    if isinstance(error, FMGValueError):
        return EXIT_USAGE, text
    if isinstance(error, FMGBaseException):
        return EXIT_FMG_ERROR, text
    if isinstance(error, OSError):
        return EXIT_USAGE, text
    return EXIT_FMG_ERROR, f"unexpected {type(error).__name__}: {text}" + (
        "" if debug else " (--debug shows the traceback)"
    )
