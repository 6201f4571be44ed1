"""The docstrings of FortiManager's ten verbs (``get`` ... ``unset``), written once.

The verbs differ only in their JSON-RPC method, where keyword arguments go, and what
FortiManager does and answers; the rest (the keyword translation, the ``(code, data)`` reply,
the exceptions, the differences from pyFMG) is the same text. :func:`documented` fills a verb's
docstring from :data:`TEMPLATE` and the verb's entry in :data:`VERBS`, so ``help(fmg.get)`` and
the API reference each read as a whole.
"""

from __future__ import annotations

import textwrap
from typing import Any, Callable, NamedTuple, TypeVar

__all__ = ["TEMPLATE", "VERBS", "documented"]

#: Lines of a rendered docstring are at most this long (``help()`` in an 100-column terminal).
WIDTH = 96

Function = TypeVar("Function", bound=Callable[..., Any])


class Verb(NamedTuple):
    """What one verb's docstring says beyond the shared text."""

    method: str  # the JSON-RPC method sent
    summary: str  # the first line, and what FortiManager does
    example: str  # one call, as a user would write it
    keywords: str  # where keyword arguments go
    returns: str  # what ``data`` holds on success
    codes: str  # the failure codes worth knowing for this verb
    repeats: str  # whether a call that failed on the way is sent again
    note: str = ""  # anything else: the verb's own difference from pyFMG, a caveat


#: Where keywords go for every verb but ``get`` and ``clone`` (pyFMG's rule).
AS_DATA = (
    "the request's ``data``: the object's attributes. A ``data`` keyword is sent as ``data`` as it "
    "is instead (a dict whose keys are not Python names, or a list such as group members), and the "
    "other keywords are then ignored."
)

#: The docstring of every verb: one paragraph a line (wrapped by :func:`documented`), fields indented.
TEMPLATE = """{summary}

Sends one JSON-RPC request, method ``{method}``, with one param ``{{"url": url, ...}}``, plus the \
session (or, with an API key, the ``Authorization`` header). For example::

    {example}

:param url: the API path, e.g. ``"{url}"``.
:param args: dicts merged into the param as they are, beside ``url`` (pyFMG's rule), for what \
FortiManager reads there (``option``, ``target``, ``filter``...). A positional dict is not sent as \
``data``: pass an object's attributes as keywords or as ``data={{...}}``.
:param kwargs: {keywords} Keyword names are translated as in pyFMG: ``__`` becomes ``-`` and \
``___`` becomes a space (``associated__interface`` is sent as ``associated-interface``, \
``unset___attrs`` as ``unset attrs``); values are sent as they are.
:returns: ``(code, data)``: FortiManager's status code for the call and the result's ``data`` \
({returns}), or the whole result (``{{"status": ..., "url": ...}}``) when it has none. ``0`` means \
success; {codes}; ``-11`` no permission, or the session expired (with ``retry=Retry(relogin=True)`` \
the client then logs in again and sends the call once more). A reply that is not JSON (a proxy's \
error page) gives ``(100, NotJSONResponse)``.
:raises FMGValidSessionException: there is no session (not logged in, or logged out).
:raises FMGValueError: ``url`` is not a non-empty string, a positional argument is not a dict, or \
the data is circular; data of a type JSON cannot hold (a set, a datetime) raises \
:class:`FMGBaseException`. Both name the call.
:raises FMGConnectionError: FortiManager could not be reached or the connection broke \
(:class:`FMGConnectTimeout`, :class:`FMGReadTimeout` and :class:`FMGTLSError` are kinds of it); \
{repeats}
:raises FMGInvalidResponse: the reply is JSON but not a JSON-RPC answer to this request, or is \
larger than ``max_reply_bytes`` (:class:`FMGReplyTooLarge`); it is also pyFMG's \
``FMGResponseNotFormedCorrect``.

Where it differs from pyFMG 0.8.6: the wire format is the same; a bad ``url`` or positional \
argument raises :class:`FMGValueError` before anything is sent; a reply that is not JSON comes as \
a :class:`~pyfmg.response.NotJSONResponse` (a dict in FortiManager's result shape that keeps the \
``status_code``, ``text`` and ``headers`` pyFMG's raw response had); a malformed reply raises \
:class:`FMGInvalidResponse` instead of a raw ``TypeError``; ``data=[]`` is sent as ``data: []``. \
{note}See :doc:`migration`.
"""

OBJECT = "pm/config/adom/root/obj/firewall/address/web01"
TABLE = "pm/config/adom/root/obj/firewall/address"

VERBS: dict[str, Verb] = {
    "get": Verb(
        "get",
        "Read an object, a table or a setting; reading changes nothing.",
        f'fmg.get("{TABLE}", fields=["name", "subnet"], filter=["name", "like", "web%"])',
        "go into the param beside ``url`` (pyFMG's rule for ``get`` and ``clone``): ``fields``, "
        '``filter``, ``range``, ``sortings``, ``loadsub``, ``option`` (``option="count"``...). '
        "A client made with ``verbose=True`` also sends ``verbose: 1`` (enum values as names).",
        "an object's attributes as a dict, a table's rows as a list",
        "``-3`` the object does not exist, ``-6`` the URL is not valid",
        "a ``get`` is sent again after such an error, a read timeout or a proxy's 502/503/504 page "
        "only when ``retry=Retry(reads=N)`` allows, after a backoff.",
    ),
    "add": Verb(
        "add",
        "Create an object in a table (or add members to a member list); an existing one is an error.",
        f'fmg.add("{TABLE}", name="web01", subnet="10.0.0.10/32", associated__interface="any")',
        AS_DATA,
        'the new object\'s key, e.g. ``{"name": "web01"}``',
        "``-2`` the object already exists, ``-10`` the data is not valid for the URL",
        "a write is never sent again (whether FortiManager applied it is unknown).",
    ),
    "set": Verb(
        "set",
        "Create an object, or overwrite the one with the same key.",
        f'fmg.set("{TABLE}", name="web01", subnet="10.0.0.10/32")',
        AS_DATA,
        'the object\'s key, e.g. ``{"name": "web01"}``',
        "``-10`` the data is not valid for the URL",
        "a write is never sent again (whether FortiManager applied it is unknown).",
    ),
    "update": Verb(
        "update",
        "Change the given attributes of an existing object; the others (child tables too) stay as they are.",
        f'fmg.update("{OBJECT}", comment="front end")',
        AS_DATA,
        'the object\'s key, e.g. ``{"name": "web01"}``',
        "``-3`` the object does not exist, ``-10`` the data is not valid for the URL",
        "a write is never sent again (whether FortiManager applied it is unknown).",
        "Renaming is an update (``name=`` the new name on the old object's URL). ",
    ),
    "delete": Verb(
        "delete",
        "Delete an object (or, with ``data=[...]``, members of a member list).",
        f'fmg.delete("{OBJECT}")',
        AS_DATA,
        "usually none",
        "``-3`` the object does not exist",
        "a write is never sent again (whether FortiManager applied it is unknown).",
    ),
    "replace": Verb(
        "replace",
        "Overwrite an object entirely, child tables included: what is not given is reset.",
        f'fmg.replace("{OBJECT}", subnet="10.0.0.11/32")',
        AS_DATA,
        'the object\'s key, e.g. ``{"name": "web01"}``',
        "``-3`` the object does not exist, ``-10`` the data is not valid for the URL",
        "a write is never sent again (whether FortiManager applied it is unknown).",
    ),
    "clone": Verb(
        "clone",
        "Copy an object (``url`` is the source) under a new key given in ``data``.",
        f'fmg.clone("{OBJECT}", data={{"name": "web02"}})',
        "go into the param beside ``url`` (pyFMG's rule for ``get`` and ``clone``), so the new "
        'object\'s attributes go in ``data={"name": ...}``.',
        'the copy\'s key, e.g. ``{"name": "web02"}``',
        "``-2`` the new key is taken, ``-3`` the source does not exist",
        "a write is never sent again (whether FortiManager applied it is unknown).",
    ),
    "execute": Verb(
        "exec",
        "Run a command (install, login, script run...); JSON-RPC method ``exec``.",
        'fmg.execute("securityconsole/install/package", flags=["none"], adom="root", pkg="default", '
        'scope=[{"name": "FGT1", "vdom": "root"}])',
        AS_DATA,
        'what the command answers, e.g. ``{"task": 42}`` for one that starts a task (follow it with '
        ":meth:`track_task`)",
        "``-6`` the command does not exist, ``-10`` its data is not valid",
        "a command is never sent again (whether FortiManager ran it is unknown).",
    ),
    "move": Verb(
        "move",
        "Move an object before or after another one in an ordered table (firewall policies).",
        'fmg.move("pm/config/adom/root/pkg/default/firewall/policy/4", {"option": "after", "target": "7"})',
        AS_DATA,
        'the moved object\'s key, e.g. ``{"policyid": 4}``',
        "``-3`` the object or the target does not exist, ``-10`` no ``option``/``target``",
        "a write is never sent again (whether FortiManager applied it is unknown).",
        "As in pyFMG, ``move(url, option=..., target=...)`` sends them inside ``data``; FortiManager "
        "reads them beside ``url``, as Fortinet's Ansible collection sends them: pass a positional "
        "dict, as in the example. ",
    ),
    "unset": Verb(
        "unset",
        "Reset attributes of an object to their defaults (or empty a member list).",
        f'fmg.unset("{OBJECT}", unset___attrs=["comment"])',
        AS_DATA,
        'the object\'s key, e.g. ``{"name": "web01"}``',
        "``-3`` the object does not exist",
        "a write is never sent again (whether FortiManager applied it is unknown).",
    ),
}


def documented(name: str) -> Callable[[Function], Function]:
    """Give the verb ``name`` its docstring, from :data:`TEMPLATE` and ``VERBS[name]``."""
    verb = VERBS[name]
    text = TEMPLATE.format(url=verb.example.split('"')[1], **verb._asdict())
    doc = "\n".join(_wrapped(line) for line in text.splitlines())

    def document(function: Function) -> Function:
        function.__doc__ = doc
        return function

    return document


def _wrapped(line: str) -> str:
    """One paragraph wrapped for ``help()``; a field's continuation lines indented, code left as it is."""
    if line.startswith("    "):
        return line
    indent = "    " if line.startswith(":") else ""
    return textwrap.fill(line, WIDTH, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)
