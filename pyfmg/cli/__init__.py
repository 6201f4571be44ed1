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

from .arguments import Parser, build_parser, is_secret_option, masked, secret_values
from .errors import (
    EXIT_CONNECTION,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    connection_problem,
    describe,
    not_json_problem,
)

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

        # The CLI's parser class: its errors are one masked line, like every other command's.
        return int(run_simulator(argv[argv.index("sim") + 1 :], prog="pyfmg sim", parser_class=Parser))
    if args.command == "completion":
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

    from pyfmg import FMGValidSessionException, FortiManager

    from .commands import COMMANDS, Context, check_before_login
    from .output import default_format
    from .settings import resolve

    settings = resolve(args, environ, getpass.getpass, _interactive())
    logging.getLogger(__name__).info("settings %r from %s", settings, settings.origin)
    check_before_login(args, settings)
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
        target = f"{'https' if settings.use_ssl else 'http'}://{settings.host}"
        try:
            with fmg:
                return COMMANDS[args.command](fmg, args, ctx)
        except FMGValidSessionException as error:  # e.g. a login answered by a web page
            problem = not_json_problem(fmg.req_resp_object.response_json, target)
            if problem is None:
                raise
            raise CliError(problem, EXIT_CONNECTION) from error
        except Exception as error:
            problem = connection_problem(error, target, settings.timeout)
            if problem is None:
                raise
            raise CliError(problem, EXIT_CONNECTION) from error


def _refuse_secret_options(tokens: list[str]) -> None:
    """An option meant to carry a password or key (``--password``, ``--apikey``, ``-p``) gets its own message."""
    options = tokens[: tokens.index("--")] if "--" in tokens else tokens
    named = [token.split("=", 1)[0] for token in options if token.startswith("-") and is_secret_option(token)]
    named += ["-p" for token in options if token.startswith("-p") and not token.startswith("--")]
    if named:
        raise CliError(
            f"unrecognized option {', '.join(dict.fromkeys(named))}: there is no option for a password or an API "
            "key, as a secret on the command line shows in the process list; use PYFMG_PASSWORD, PYFMG_APIKEY, "
            "--apikey-file, a profile or the prompt",
            EXIT_USAGE,
        )


def main(
    argv: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run one command; returns the exit status (the ``pyfmg`` script exits with it)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    environ = os.environ if environ is None else environ
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    args: Any = None
    stop_logging = _nothing
    secrets = secret_values(argv)
    try:
        parser = build_parser()
        # The simulator's own options pass through untouched; anywhere else unknown options are errors.
        try:
            args, unknown = parser.parse_known_args(argv)
        except CliError:
            _refuse_secret_options(argv)  # e.g. "--password PW get x": PW was taken for the command
            raise
        if unknown and args.command != "sim":
            _refuse_secret_options(unknown)
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
        debug = bool(getattr(args, "debug", None))
        if debug:
            import traceback

            err.write(masked(traceback.format_exc(), secrets))
        status, message = describe(error, debug)
        err.write(f"error: {masked(message, secrets)}\n")
        return status
    finally:
        stop_logging()


if __name__ == "__main__":
    sys.exit(main())
