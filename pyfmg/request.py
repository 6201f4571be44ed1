"""Building JSON-RPC requests the way pyFMG 0.8.6 builds them (same keys, same order)."""

from __future__ import annotations

from typing import Any

from .exceptions import FMGRequestNotFormedCorrect, FMGValueError, bounded_repr

#: Methods whose keyword arguments go straight into the param, not into ``data``.
PARAM_LEVEL_METHODS = frozenset({"get", "clone"})


def translate_keyword(name: str) -> str:
    """``allow__routing`` -> ``allow-routing``; ``fake___attribute`` -> ``fake attribute``."""
    return name.replace("___", " ").replace("__", "-")


def build_params(method: str, url: Any, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """One JSON-RPC param for ``method`` on ``url``.

    Positional dicts are merged into the param. Keyword arguments are translated with
    :func:`translate_keyword`; for ``get`` and ``clone`` they are merged into the param, for the
    other methods they become its ``data`` -- unless a ``data`` keyword is given, whose value is
    then sent as ``data`` as it is (for array payloads) and the other keywords are ignored.
    """
    if not isinstance(url, str) or not url.strip():
        raise FMGValueError(f"url must be a non-empty string, got {bounded_repr(url)}")
    param: dict[str, Any] = {"url": url}
    for arg in args:
        if not isinstance(arg, dict):
            raise FMGValueError(
                f"positional arguments after the url must be dicts to merge into the request, got "
                f"{type(arg).__name__}; pass attributes as a dict or as keyword arguments"
            )
        param.update(arg)
    if kwargs:
        translated = {translate_keyword(key): value for key, value in kwargs.items()}
        if method in PARAM_LEVEL_METHODS:
            param.update(translated)
        elif "data" in translated:
            param["data"] = translated["data"]
        else:
            param["data"] = translated
    return [param]


def free_form_params(method: Any, kwargs: dict[str, Any]) -> Any:
    """The params ``free_form(method, data=[...])`` sends: its ``data``, as given (pyFMG's rule).

    Raises :class:`FMGRequestNotFormedCorrect` (pyFMG's class and opening words) when ``data`` is
    missing or empty, or ``method`` is not a method name.
    """
    if not kwargs:
        raise FMGRequestNotFormedCorrect(
            "Free Form Request was not formed correctly: free_form needs a data keyword, "
            "free_form(method, data=[{'url': ...}, ...])"
        )
    data = kwargs.get("data")
    if not data:
        raise FMGRequestNotFormedCorrect(
            "Free Form Request was not formed correctly: the data keyword is missing or empty; "
            "pass data=[{'url': ...}, ...]"
        )
    if not isinstance(method, str) or not method:
        raise FMGRequestNotFormedCorrect(f"free_form needs a method name such as 'get', got {bounded_repr(method)}")
    return data


def build_envelope(
    method: str,
    params: Any,
    session: str | None,
    request_id: int,
    verbose: bool = False,
    create_task: Any = None,
) -> dict[str, Any]:
    """The request object; key order matches pyFMG's so the bytes on the wire are the same."""
    envelope: dict[str, Any] = {}
    if create_task:
        envelope["create task"] = create_task
    envelope["method"] = method
    envelope["params"] = params
    if verbose and method == "get" and not create_task:
        envelope["verbose"] = 1
    envelope["session"] = session
    envelope["id"] = request_id
    return envelope
