"""Debug output and logging, with every secret masked.

pyFMG printed the login request, password included.  Here every request and reply goes through
:class:`Redactor` before it is printed or logged: values under secret-looking keys are masked, and
the secrets the client knows (password, API key, OAuth token, session id) are masked wherever
they appear in text.  The work is only done when somebody will read it (``debug=True``, a
pyFMG-style logger from ``getLog()``, or this module's logger enabled for DEBUG).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable
from typing import Any, Callable
from urllib.parse import quote, quote_plus

logger = logging.getLogger(__name__)

MASK = "********"

#: Keys whose values are masked wherever they appear in a request or reply (compared lower-case).
SECRET_KEYS = frozenset(
    {
        "passwd",
        "password",
        "new-passwd",
        "session",
        "access_token",
        "refresh_token",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "authorization",
        "psksecret",
        "secret",
        "private-key",
        "passphrase",
        # Device credentials in dvm/cmd/add/device and VPN pre-shared keys.
        "adm_pass",
        "psk",
        "pre-shared-key",
        "sharedkey",
    }
)


def alternation(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words``, longest first, as a trie of shared prefixes.

    Python's regex engine tries the branches of a flat alternation one by one at every position;
    factoring the common prefixes out makes masking a large text several times faster.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


# A secret key, its closing quote (plain or JSON-escaped), ``:`` or ``=``, then a quoted value: a
# JSON-escaped string inside a JSON string, a JSON string (escapes included; one cut off by an
# excerpt runs to the end of the text) or a single-quoted Python string; or a Bearer token.  Keys
# are matched on a lower-cased copy of the text (the spans are the same): a case-insensitive
# pattern would be several times slower.
_FIELD_PATTERN = (
    "(?:"
    + alternation(SECRET_KEYS)
    + r"""\\?["']?\s*[:=]\s*"""
    + r"""(?:\\"(?P<v1>(?:\\\\\\.|[^\\])*?)\\"|"(?P<v2>(?:\\.|[^"\\])*)(?:"|$)|'(?P<v3>(?:\\.|[^'\\])*)')"""
    + r"|bearer\s+(?P<bearer>[a-z0-9._~+/=-]+))"
)
_SECRET_FIELD = re.compile(_FIELD_PATTERN)
_SECRET_FIELD_ANY_CASE = re.compile(_FIELD_PATTERN, re.IGNORECASE)
_VALUE_GROUPS = ("v1", "v2", "v3", "bearer")


def _field_spans(text: str) -> list[tuple[int, int]]:
    """Where values under secret keys, and Bearer tokens, are in ``text``."""
    # "İ" is the one character that grows when lower-cased; it is no part of a key.
    lowered = text.replace("\u0130", "i").lower()
    matches = _SECRET_FIELD.finditer(lowered) if len(lowered) == len(text) else _SECRET_FIELD_ANY_CASE.finditer(text)
    spans = []
    for match in matches:
        group = next(name for name in _VALUE_GROUPS if match.group(name) is not None)
        spans.append(match.span(group))
    return spans


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every span (sorted by start, possibly overlapping) replaced by :data:`MASK`."""
    if not spans:
        return text
    parts: list[str] = []
    done = 0
    for start, end in spans:
        if start < done:  # overlaps the span masked last: widen that mask
            done = max(done, end)
            continue
        parts += (text[done:start], MASK)
        done = end
    parts.append(text[done:])
    return "".join(parts)


def mask_secret_fields(text: str) -> str:
    """Mask values that follow a secret-looking key in JSON-ish text, and Bearer tokens.

    Used on excerpts of replies quoted in messages, where secrets the client has not seen yet
    (a new session id, an object's password) may appear.
    """
    return _masked(text, _field_spans(text))


#: Secrets shorter than this are masked by key only: masking every "ab" in a text would garble it.
_MIN_TEXT_SECRET = 4
#: A piece of a secret this long, cut off where an excerpt ends, is masked too.
_CUT_SECRET = 10


def _python_repr(chars: str, quote: str, escape_non_ascii: bool) -> str:
    """The inside of a Python ``str`` (or, for bytes, ``bytes``) repr of ``chars`` quoted with ``quote``."""
    out = []
    for char in chars:
        if char == "\\" or char == quote:
            out.append("\\" + char)
        elif char in "\t\n\r":
            out.append(repr(char)[1:-1])
        elif " " <= char < "\x7f" or (not escape_non_ascii and char.isprintable()):
            out.append(char)
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(repr(char)[1:-1])
    return "".join(out)


_PERCENT = re.compile(r"%[0-9A-F]{2}")


def _encoded_once(text: str) -> set[str]:
    """The forms ``text`` takes after one encoding step."""
    raw = text.encode("utf-8", "surrogatepass")
    forms = {json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}
    forms.update([form.replace("/", "\\/") for form in forms])
    for quoted in (quote(raw, safe=""), quote(raw), quote_plus(raw, safe=""), quote_plus(raw)):
        forms.update((quoted, _PERCENT.sub(lambda m: m.group(0).lower(), quoted)))
    latin = raw.decode("latin-1")
    for mark in ("'", '"'):
        forms.add(_python_repr(text, mark, escape_non_ascii=False))
        forms.add(_python_repr(latin, mark, escape_non_ascii=True))
    return forms


def encodings(secret: str) -> set[str]:
    """Every form ``secret`` can take on the wire or in a log, itself included.

    One encoding step: JSON-escaped (``\\"``, ``\\\\``, ``\\uXXXX``, and FortiManager's ``\\/``),
    URL-encoded (``quote`` and ``quote_plus``, upper- and lower-case hex), quoted inside a Python
    ``str`` or UTF-8 ``bytes`` repr.  Then every such step applied to each of those, since a
    message quotes the ``b'...'`` repr of a JSON body, a JSON text carries a URL-encoded value...
    """
    once = _encoded_once(secret)
    forms = {secret, *once}
    for form in once:
        forms.update(_encoded_once(form))
    return {form for form in forms if form}


def _shared_length(form: str, text: str, start: int) -> int:
    """How many leading characters of ``form`` the text holds from ``start`` on."""
    limit = min(len(form), len(text) - start)
    length = 0
    while length < limit and form[length] == text[start + length]:
        length += 1
    return length


class _KnownSecrets:
    """Finds the known secrets, in all their forms, in a text with one regular expression.

    The expression matches the first :data:`_CUT_SECRET` characters of each form (shorter forms
    whole); each match is then widened to as much of a form as the text holds.  So a form is
    masked whole, and so is a piece of one cut off where a quoted excerpt ends.
    """

    def __init__(self, forms: set[str]) -> None:
        self._forms_by_head: dict[str, list[str]] = {}
        for form in forms:
            if len(form) >= _CUT_SECRET:
                self._forms_by_head.setdefault(form[:_CUT_SECRET], []).append(form)
        short = {form for form in forms if len(form) < _CUT_SECRET}
        self._pattern = re.compile(alternation(short | set(self._forms_by_head)))

    def spans(self, text: str) -> list[tuple[int, int]]:
        found = []
        for match in self._pattern.finditer(text):
            start, end = match.span()
            for form in self._forms_by_head.get(match.group(), ()):
                end = max(end, start + _shared_length(form, text, start))
            found.append((start, end))
        return found


class Redactor:
    """Masks secrets in structures and text. Thread-safe; secrets can be added at any time.

    Every known secret, in every form :func:`encodings` lists, is found in one pass over a text
    whatever their number; values under secret keys are found in a second pass.  Nothing
    recurses: no nesting depth overflows the stack.
    """

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._forms: set[str] = set()
        self._known: _KnownSecrets | None = None
        for secret in secrets:
            self.add(secret)

    def add(self, secret: Any) -> None:
        """Mask ``secret`` from now on, in every form it takes; text under 4 characters, or not text, is ignored."""
        if isinstance(secret, str) and len(secret) >= _MIN_TEXT_SECRET:
            with self._lock:
                if secret in self._secrets:
                    return
                self._secrets.add(secret)
                self._forms |= encodings(secret)
                self._known = _KnownSecrets(self._forms)

    def text(self, text: str) -> str:
        """Return ``text`` with every known secret, and every value under a secret key, masked."""
        spans = _field_spans(text)
        known = self._known
        if known is not None:
            found = known.spans(text)
            if found:
                spans = sorted(spans + found)
        return _masked(text, spans)

    def data(self, obj: Any) -> Any:
        """Return a copy of a JSON-like structure with secrets masked; ``obj`` is left untouched."""
        return mask_keys(obj, self.text)


def mask_keys(obj: Any, text: Callable[[str], str] | None = None) -> Any:
    """A copy of a JSON-like structure with the values under :data:`SECRET_KEYS` masked.

    ``text``, when given, is applied to every other string. Walks the structure with an explicit
    stack, so that no nesting depth can overflow the interpreter's.
    """
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(obj, root, 0)]
    while stack:
        value, parent, slot = stack.pop()
        if isinstance(value, dict):
            copy: dict[Any, Any] = {}
            parent[slot] = copy
            for key, item in value.items():
                if isinstance(key, str) and key.lower() in SECRET_KEYS and item not in (None, ""):
                    copy[key] = MASK
                else:
                    copy[key] = None
                    stack.append((item, copy, key))
        elif isinstance(value, list):
            items: list[Any] = [None] * len(value)
            parent[slot] = items
            stack.extend((item, items, index) for index, item in enumerate(value))
        elif isinstance(value, str) and text is not None:
            parent[slot] = text(value)
        else:
            parent[slot] = value
    return root[0]


def jprint(json_obj: Any) -> str:
    """Pretty JSON text of ``json_obj`` (sorted keys), or a note when it cannot be serialised."""
    try:
        return json.dumps(json_obj, indent=2, sort_keys=True)
    except (TypeError, ValueError) as err:
        return json.dumps({"Type Information": str(err)})
    except RecursionError:
        # The indenting encoder recurses in Python; the compact one in C goes much deeper.
        try:
            return json.dumps(json_obj, sort_keys=True)
        except (TypeError, ValueError, RecursionError) as err:
            return json.dumps({"Type Information": f"{type(err).__name__}: nested too deeply to print"})


class Exchange:
    """One request and its reply, as ``req_resp_object`` shows them (:class:`pyfmg.response.RequestResponse`).

    ``request_json`` and ``response_json`` are the objects sent and received (not copies, not
    redacted): they are only redacted when printed or logged.
    """

    request_string = "REQUEST:"
    response_string = "RESPONSE:"

    def __init__(self) -> None:
        self.request_json: Any = None
        self.response_json: Any = None
        self.error_msg: str | None = None

    def reset(self) -> None:
        self.request_string = "REQUEST:"
        self.request_json = None
        self.response_json = None
        self.error_msg = None


def format_exchange(record: Exchange, redactor: Redactor) -> str:
    """The human-readable, redacted text of one request/reply (or of its message)."""
    if record.error_msg is not None:
        return redactor.text(record.error_msg)
    # Secret keys are masked in the structure; the known secrets in the printed text, in one pass
    # (the printed text holds them JSON-escaped, which the redactor's patterns include).
    parts = [record.request_string]
    if record.request_json is not None:
        parts.append(jprint(mask_keys(record.request_json)))
    parts.append(record.response_string)
    if record.response_json is not None:
        parts.append(jprint(mask_keys(record.response_json)))
    return redactor.text("\n".join(parts))
