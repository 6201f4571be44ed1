"""The command line's grammar. Global options are accepted before or after the command."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any, NoReturn

from .errors import EXIT_USAGE, CliError

WRITE_VERBS = ("add", "set", "update", "delete", "replace", "clone", "move", "unset")
OUTPUTS = ("json", "jsonl", "table")


#: Options that look like they carry a secret (``--password``, ``--apikey``, ``--token``...).
#: pyfmg has none of them; a value typed after one is masked in every error message.
SECRET_OPTION = re.compile(r"^--?[\w-]*(pass|pwd|secret|token|key|cred|auth)[\w-]*$", re.IGNORECASE)
#: ...except options that name a file (``--apikey-file PATH``): a path is not a secret.
FILE_OPTION = re.compile(r"[-_](file|path)$", re.IGNORECASE)
MASK = "***"


class Parser(argparse.ArgumentParser):
    """Reports a bad command line as one line (a CliError with status 2), not usage plus a message.

    Long options are never abbreviated: ``--apikey KEY`` is an unknown option, not ``--apikey-file``.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(**kwargs)

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see '{self.prog} --help')", EXIT_USAGE)


def is_secret_option(option: str) -> bool:
    option = option.split("=", 1)[0]
    return bool(SECRET_OPTION.match(option)) and not FILE_OPTION.search(option)


def secret_values(argv: list[str]) -> list[str]:
    """The values in ``argv`` typed after (or ``=``-joined to) an option that looks like a secret's."""
    found: list[str] = []
    for position, token in enumerate(argv):
        if token == "--":
            break
        _, joined, value = token.partition("=")
        if token.startswith("-p") and not token.startswith("--") and len(token) > 2:
            found.append(token)  # "-pSECRET", the way mysql and others take a password: masked whole
        elif token == "-p" or (token.startswith("-") and is_secret_option(token)):
            if joined:
                found.append(value)
            elif position + 1 < len(argv):
                found.append(argv[position + 1])
    return [value for value in found if value]


def masked(text: str, secrets: list[str]) -> str:
    """``text`` with each secret, as typed or as repr() quotes it, replaced by ``***`` where it stands alone."""
    for secret in sorted(secrets, key=len, reverse=True):
        for form in {secret, repr(secret)[1:-1]}:
            text = re.sub(rf"(?<![^\s'\"=,:(\[]){re.escape(form)}(?![^\s'\",)\]])", MASK, text)
    return text


def json_argument(text: str) -> Any:
    """``--data``/``--filter`` value: inline JSON, ``@file`` or ``@-`` (stdin)."""
    source = "the argument"
    if text.startswith("@"):
        path = text[1:]
        source = "stdin" if path == "-" else path
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as exc:
            raise argparse.ArgumentTypeError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{source} is not valid JSON: {exc}") from None


def seconds(text: str) -> float:
    from .settings import positive_seconds

    try:
        return positive_seconds(text, "the value")
    except CliError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def whole_number(text: str) -> int:
    """A count of at least 1 (``--chunk-size``, ``--workers``)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def add_global_options(parser: argparse.ArgumentParser, sources: str) -> None:
    conn = parser.add_argument_group(f"connection (also PYFMG_* variables, a profile or ~/.netrc; {sources})")
    conn.add_argument("--host", metavar="URL", help="https://address[:port], http://... or address[:port]")
    conn.add_argument("--user", metavar="NAME", help="administrator for a password login")
    conn.add_argument("--apikey-file", metavar="PATH", help="read the API key from this file")
    conn.add_argument("--profile", metavar="NAME", help="profile in ~/.config/pyfmg/config.toml")
    conn.add_argument("--http", dest="http", action="store_const", const=True, help="plain HTTP")
    conn.add_argument("--https", dest="http", action="store_const", const=False, help="HTTPS (the default)")
    conn.add_argument("--insecure", dest="verify", action="store_const", const=False, help="skip the certificate check")
    conn.add_argument("--verify", dest="verify", action="store_const", const=True, help="check it (the default)")
    conn.add_argument("--ca-cert", metavar="PATH", help="check the certificate against this CA file")
    conn.add_argument("--timeout", type=seconds, metavar="SECONDS", help="per request (default 60)")
    conn.add_argument("--adom", metavar="NAME", help="ADOM for lock/commit/unlock/--workspace (default root)")
    out = parser.add_argument_group("output")
    out.add_argument("-o", "--output", choices=OUTPUTS, help="default: table on a terminal, json otherwise")
    out.add_argument("--enum-names", action="store_const", const=True, help="ask for enum names, not numbers")
    out.add_argument("-v", "--verbose", action="count", help="log what happens on stderr (-vv: in detail)")
    out.add_argument("--debug", action="store_const", const=True, help="detailed log, and a traceback on failure")
    out.add_argument("--record", metavar="PATH", help="write the calls and replies, redacted, to a cassette")


def build_parser() -> Parser:
    parser = Parser(
        prog="pyfmg",
        description="Call the FortiManager JSON-RPC API from a shell.",
        epilog="Settings: flags > PYFMG_* environment variables > profile (--profile, PYFMG_PROFILE) > ~/.netrc. "
        "Exit status: 0 ok, 1 FortiManager error, 2 usage or settings, 3 connection/TLS/timeout or a reply that "
        "is not JSON-RPC, 4 task failed, "
        "5 task still running, 130 interrupted.",
    )
    from pyfmg import __version__

    parser.add_argument("--version", action="version", version=f"pyfmg {__version__}")
    add_global_options(parser, "the order is below")
    # The same options after the command: their defaults are suppressed there so that they never
    # overwrite what was given before the command.
    anywhere = Parser(add_help=False, argument_default=argparse.SUPPRESS)
    add_global_options(anywhere, "see 'pyfmg --help'")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, help="what to do")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=text, description=text, parents=[anywhere])

    get = command("get", "read a table or an object")
    get.add_argument("url", help="e.g. pm/config/adom/root/obj/firewall/address")
    get.add_argument("--fields", nargs="+", metavar="FIELD", help="attributes to return")
    get.add_argument("--filter", type=json_argument, metavar="JSON", help='e.g. \'["name","like","web%%"]\'')
    get.add_argument("--option", action="append", metavar="OPTION", help='e.g. "count" (repeatable)')
    get.add_argument("--range", nargs=2, type=int, metavar=("OFFSET", "COUNT"), help="a page of the table")
    get.add_argument("--sort", metavar="JSON", type=json_argument, help="sortings, e.g. '[{\"name\": 1}]'")

    for verb in (*WRITE_VERBS, "exec"):
        sub = command(verb, f"{'execute' if verb == 'exec' else verb} with optional data")
        sub.add_argument("url", help="the table, object or command URL")
        sub.add_argument("--data", type=json_argument, metavar="JSON|@FILE", help="the param's data (@- reads stdin)")
        if verb == "exec":
            sub.add_argument("--wait", action="store_true", help="follow the task the command starts")
            sub.add_argument("--wait-timeout", type=seconds, default=600.0, metavar="SECONDS", help="default 600")
        else:
            sub.add_argument("--workspace", action="store_true", help="lock the ADOM, write, commit, unlock")

    free = command("free-form", "send several params in one request (one result per param)")
    free.add_argument("method", help="get, add, set, update, delete, exec...")
    free.add_argument("--data", type=json_argument, metavar="JSON|@FILE", help="a JSON list of params, each with a url")
    free.add_argument("params", nargs="?", type=json_argument, metavar="PARAMS", help="the same as --data (older form)")
    free.add_argument("--create-task", type=json_argument, metavar="JSON", help='e.g. \'{"adom": "root"}\'')
    free.add_argument("--workspace", action="store_true", help="lock the ADOM, send, commit, unlock")

    converge = command("converge", "bring many objects of one table to the state --data describes, in a few requests")
    converge.add_argument("url", help="the table, e.g. pm/config/adom/root/obj/firewall/address")
    converge.add_argument(
        "--data", type=json_argument, metavar="JSON|@FILE", help="a JSON list of the wanted objects (@- reads stdin)"
    )
    # Not "--key": an option named like that is taken for one that carries an API key (and masked).
    converge.add_argument(
        "--by", default="name", metavar="ATTRIBUTE", help="the attribute naming an object (default name; policyid...)"
    )
    converge.add_argument(
        "--absent", nargs="+", action="extend", default=[], metavar="NAME", help="objects that must not exist"
    )
    converge.add_argument("--check", action="store_true", help="only show what would change: no write, lock or commit")
    converge.add_argument("--chunk-size", type=whole_number, default=100, metavar="N", help="writes per request")
    converge.add_argument("--workers", type=whole_number, metavar="N", help="requests at once (default 4)")

    for action in ("lock", "commit", "unlock"):
        sub = command(action, f"{action} an ADOM (or one package or device in it); needs an API key")
        sub.add_argument("target_adom", nargs="?", metavar="ADOM", help="the ADOM (default --adom, else root)")
        target = sub.add_mutually_exclusive_group()
        target.add_argument("--package", metavar="PATH", help="one policy package")
        target.add_argument("--device", metavar="NAME", help="one device")

    track = command("track-task", "follow a task until it ends (exit 4 failed, 5 still running)")
    track.add_argument("task_id", type=int, help="the task number, e.g. from exec's reply")
    track.add_argument("--interval", type=seconds, default=1.0, metavar="SECONDS", help="between polls (default 1)")
    track.add_argument("--wait", type=seconds, default=600.0, metavar="SECONDS", help="give up after (default 600)")

    commands.add_parser("sim", help="run a FortiManager simulator (options: pyfmg sim --help)", add_help=False)
    demo = commands.add_parser("demo", help="drive a realistic session against an embedded simulator")
    demo.add_argument("--task-duration", type=float, default=4.0, help="seconds the install takes")
    soar = commands.add_parser("soar", help="SOAR connectors (see the SOAR guide)")
    soar_commands = soar.add_subparsers(dest="soar_command", metavar="SOAR_COMMAND", required=True, help="what to do")
    bundle = soar_commands.add_parser("build-fortisoar", help="build the FortiSOAR connector .tgz into OUTDIR")
    bundle.add_argument("outdir", help="folder for the .tgz (created when missing)")
    completion = commands.add_parser("completion", help="print a shell completion script")
    completion.add_argument("shell", choices=("bash", "zsh"), help='e.g. eval "$(pyfmg completion bash)"')
    return parser
