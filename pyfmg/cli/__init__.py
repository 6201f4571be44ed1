"""``pyfmg``: the FortiManager JSON-RPC API from a shell.

Results go to stdout (a table on a terminal, JSON otherwise), messages and progress to stderr.
Every failure is one line on stderr and an exit status: 0 ok, 1 FortiManager error, 2 usage,
3 connection/TLS/timeout/malformed reply, 4 task failed, 5 task still running, 130 interrupted.
``--debug`` adds a traceback. Nothing heavy is imported before a command needs it, so
``pyfmg --help`` and ``pyfmg --version`` start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any, Callable, TextIO

from .errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, CliError, describe

__all__ = ["main"]


def _nothing() -> None:
    return None


def _log_to(err: TextIO, args: Any) -> Callable[[], None]:
    """With -v/-vv/--debug, show pyfmg's log records on ``err``; returns what undoes it."""
    verbose = getattr(args, "verbose", None) or 0
    if not verbose and not getattr(args, "debug", None):
        return _nothing
    import logging

    logger = logging.getLogger("pyfmg")
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    previous = logger.level
    logger.setLevel(logging.INFO if verbose == 1 and not args.debug else logging.DEBUG)
    logger.addHandler(handler)

    def undo() -> None:
        logger.removeHandler(handler)
        logger.setLevel(previous)

    return undo


def _interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _dispatch(args: Any, argv: list[str], environ: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    if args.command == "sim":
        from pyfmg.testing.__main__ import run as run_simulator

        from .arguments import Parser

        # The CLI's parser class: its errors are one line, like every other command's.
        return int(run_simulator(argv[argv.index("sim") + 1 :], prog="pyfmg sim", parser_class=Parser))
    if args.command == "completion":
        from .arguments import build_parser
        from .completion import completion_script

        out.write(completion_script(build_parser(), args.shell))
        return EXIT_OK
    if args.command == "soar":
        from pyfmg.soar_bundle import build_fortisoar

        out.write(f"{build_fortisoar(args.outdir)}\n")
        return EXIT_OK
    if args.command == "demo":
        from pyfmg.demo import run_demo

        return run_demo(out, err, task_duration=args.task_duration)
    return _call_fortimanager(args, environ, out, err)


def _call_fortimanager(args: Any, environ: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    import getpass
    import logging
    import warnings

    from pyfmg import FortiManager

    from .commands import COMMANDS, Context, refuse_lock_without_apikey
    from .output import default_format
    from .settings import resolve

    settings = resolve(args, environ, getpass.getpass, _interactive())
    logging.getLogger(__name__).info("settings %r from %s", settings, settings.origin)
    refuse_lock_without_apikey(args, settings)
    common: dict[str, Any] = {
        "use_ssl": settings.use_ssl,
        "verify_ssl": settings.verify,
        "timeout": settings.timeout,
        "verbose": bool(args.enum_names),
        "disable_request_warnings": True,
        "record": args.record,
    }
    unchecked = settings.use_ssl and settings.verify is False
    if unchecked:
        source = settings.origin.get("verify_ssl", "settings")
        err.write(f"warning: the certificate of {settings.host} is not checked (turned off by the {source})\n")
    if settings.apikey:
        fmg = FortiManager(settings.host, apikey=settings.apikey, **common)
    else:
        fmg = FortiManager(settings.host, settings.user, settings.password, **common)
    ctx = Context(settings, out, args.output or default_format(out), err)
    with warnings.catch_warnings():
        if unchecked:  # the line above says it in the command's own terms; the client's warning would repeat it
            from pyfmg import FMGInsecureTLSWarning

            warnings.filterwarnings("ignore", category=FMGInsecureTLSWarning)
        with fmg:
            return COMMANDS[args.command](fmg, args, ctx)


def main(
    argv: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run one command; returns the exit status (the ``pyfmg`` script exits with it)."""
    from .arguments import build_parser

    argv = list(sys.argv[1:] if argv is None else argv)
    environ = os.environ if environ is None else environ
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    args: Any = None
    stop_logging = _nothing
    try:
        parser = build_parser()
        # The simulator's own options pass through untouched; anywhere else unknown options are errors.
        args, unknown = parser.parse_known_args(argv)
        if unknown and args.command != "sim":
            raise CliError(f"unrecognized arguments: {' '.join(unknown)} (see 'pyfmg --help')", EXIT_USAGE)
        stop_logging = _log_to(err, args)
        return _dispatch(args, argv, environ, out, err)
    except SystemExit as done:  # --help and --version
        return done.code if isinstance(done.code, int) else EXIT_OK
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. "pyfmg get ... | head": the reader left, nothing to report
        sys.stdout = None  # no flush error at exit
        return EXIT_OK
    except Exception as error:
        if getattr(args, "debug", None):
            import traceback

            traceback.print_exc(file=err)
        status, message = describe(error)
        err.write(f"error: {message}\n")
        return status
    finally:
        stop_logging()


if __name__ == "__main__":
    sys.exit(main())
