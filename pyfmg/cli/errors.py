"""Exit statuses of the ``pyfmg`` command and how each failure maps onto one of them."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FMG_ERROR = 1  # FortiManager answered with an error status (or refused the login)
EXIT_USAGE = 2  # the command line or the settings are wrong
EXIT_CONNECTION = 3  # no usable answer: connection, TLS, timeout, malformed reply
EXIT_TASK_FAILED = 4
EXIT_TASK_RUNNING = 5  # still running when the wait ended
EXIT_INTERRUPTED = 130

TLS_HINT = (
    "give the FortiManager's CA with --ca-cert FILE, or skip the check with --insecure; "
    "if it speaks plain HTTP, use --host http://HOST[:PORT]"
)


class CliError(Exception):
    """A failure to report on stderr as one line, with an exit status."""

    def __init__(self, message: str, status: int = EXIT_FMG_ERROR) -> None:
        super().__init__(message)
        self.status = status


def describe(error: BaseException) -> tuple[int, str]:
    """The exit status and the one-line message for an exception raised while a command ran."""
    if isinstance(error, CliError):
        return error.status, str(error)
    # Imported here: these pull in requests, which --help and --version never need.
    from pyfmg import (
        FMGBaseException,
        FMGConnectionError,
        FMGRedirectRefused,
        FMGResponseNotFormedCorrect,
        FMGTLSError,
        FMGValueError,
    )

    text = " ".join(str(error).split()) or type(error).__name__
    if isinstance(error, FMGTLSError):
        return EXIT_CONNECTION, f"{text} ({TLS_HINT})"
    if isinstance(error, FMGRedirectRefused):  # e.g. a FortiManager that sends plain HTTP to HTTPS
        target = f" to {error.location}" if error.location else ""
        return EXIT_CONNECTION, f"{text} (the server redirects{target}: give that address to --host)"
    if isinstance(error, (FMGConnectionError, FMGResponseNotFormedCorrect)):
        return EXIT_CONNECTION, text
    if isinstance(error, FMGValueError):
        return EXIT_USAGE, text
    if isinstance(error, FMGBaseException):
        return EXIT_FMG_ERROR, text
    if isinstance(error, OSError):
        return EXIT_USAGE, f"{text}"
    return EXIT_FMG_ERROR, f"unexpected {type(error).__name__}: {text} (--debug shows the traceback)"
