"""Blocking and unblocking URLs through the URL filter list of a web-filter profile.

Blocking adds (or turns into ``block``) an entry per URL in the list the profile uses, creating the list
when the profile has none; unblocking deletes the entries. One workspace lock covers each action.
"""

from __future__ import annotations

from typing import Any

from pyfmg import FortiManager
from pyfmg.soar.calls import (
    Params,
    Result,
    adom_param,
    call,
    escape_name,
    get_existing,
    locked,
    require_ok,
)
from pyfmg.soar.config import SOARConfig, as_list, as_text
from pyfmg.soar.errors import SOARError


def _clean_url(text: str) -> str:
    lowered = text.lower()
    for scheme in ("http://", "https://"):
        if lowered.startswith(scheme):
            return text[len(scheme) :]
    return text


def _filter_ref(profile: Any) -> str | None:
    web = profile.get("web") if isinstance(profile, dict) else None
    ref = web.get("urlfilter-table") if isinstance(web, dict) else None
    if isinstance(ref, list):
        ref = ref[0] if ref else None
    if ref in (None, "", 0, "0"):
        return None
    return str(ref)


def _profile_urls(adom: str, params: Params) -> tuple[str, str, str]:
    profile = as_text(params.get("webfilter_profile"), "webfilter_profile")
    assert profile is not None
    base = f"pm/config/adom/{adom}/obj/webfilter"
    return profile, f"{base}/profile/{escape_name(profile)}", f"{base}/urlfilter"


def _read_profile(fmg: FortiManager, adom: str, profile: str, profile_url: str) -> Any:
    return get_existing(fmg, profile_url, f"Web filter profile {profile} does not exist in ADOM {adom}")


def _entries(fmg: FortiManager, filter_url: str) -> list[dict[str, Any]]:
    table = require_ok(call(fmg, "get", filter_url), "get").get("data")
    entries = table.get("entries") if isinstance(table, dict) else None
    return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []


def op_block_url(fmg: FortiManager, cfg: SOARConfig, params: Params) -> Result:
    """Add block entries for URLs to a web-filter profile's URL filter list (created if it has none)."""
    adom = adom_param(params)
    profile, profile_url, urlfilter_url = _profile_urls(adom, params)
    urls = [_clean_url(url) for url in as_list(params.get("urls"), "urls")]
    list_name = as_text(params.get("url_filter_name"), "url_filter_name", required=False) or f"{profile}-soar"
    blocked: list[str] = []
    already: list[str] = []
    created: list[str] = []
    failed: list[dict[str, Any]] = []
    request = [{"url": profile_url}, {"url": urlfilter_url}]
    with locked(fmg, cfg, "update", request, adom) as lock:
        ref = _filter_ref(_read_profile(fmg, adom, profile, profile_url))
        if ref is None:
            made = require_ok(call(fmg, "add", urlfilter_url, {"name": list_name, "entries": []}), "add")
            key = made["data"] if isinstance(made.get("data"), dict) else {}
            ref = str(key.get("id")) if key.get("id") is not None else _lookup_filter_id(fmg, urlfilter_url, list_name)
            require_ok(
                call(fmg, "update", profile_url, {"web": {"urlfilter-table": int(ref) if ref.isdigit() else ref}}),
                "update",
            )
            created.append(list_name)
        filter_url = f"{urlfilter_url}/{escape_name(ref)}"
        entries = _entries(fmg, filter_url)
        for url in urls:
            match = next((entry for entry in entries if entry.get("url") == url), None)
            if match is not None and str(match.get("action", "")).lower() == "block":
                already.append(url)
                continue
            if match is not None:
                answer = call(fmg, "update", "{}/entries/{}".format(filter_url, match.get("id")), {"action": "block"})
            else:
                answer = call(
                    fmg,
                    "add",
                    f"{filter_url}/entries",
                    {"url": url, "type": "simple", "action": "block", "status": "enable"},
                )
            if answer.get("code") == 0:
                blocked.append(url)
            else:
                failed.append({"url": url, "reason": "code {} ({})".format(answer.get("code"), answer.get("message"))})
    return {
        "adom": adom,
        "webfilter_profile": profile,
        "url_filter": ref,
        "blocked": blocked,
        "already_blocked": already,
        "created": created,
        "failed": failed,
        **lock.as_dict(),
    }


def _lookup_filter_id(fmg: FortiManager, urlfilter_url: str, name: str) -> str:
    rows = require_ok(call(fmg, "get", urlfilter_url, filter=["name", "==", name], fields=["id", "name"]), "get").get(
        "data"
    )
    if isinstance(rows, list) and rows and isinstance(rows[0], dict) and rows[0].get("id") is not None:
        return str(rows[0]["id"])
    raise SOARError(f"URL filter list {name} was created but FortiManager did not say its id", url=urlfilter_url)


def op_unblock_url(fmg: FortiManager, cfg: SOARConfig, params: Params) -> Result:
    """Remove URL entries from a web-filter profile's URL filter list."""
    adom = adom_param(params)
    profile, profile_url, urlfilter_url = _profile_urls(adom, params)
    urls = [_clean_url(url) for url in as_list(params.get("urls"), "urls")]
    unblocked: list[str] = []
    not_blocked: list[str] = []
    failed: list[dict[str, Any]] = []
    request = [{"url": profile_url}, {"url": urlfilter_url}]
    with locked(fmg, cfg, "delete", request, adom) as lock:
        ref = _filter_ref(_read_profile(fmg, adom, profile, profile_url))
        entries = _entries(fmg, f"{urlfilter_url}/{escape_name(ref)}") if ref is not None else []
        for url in urls:
            matches = [entry for entry in entries if entry.get("url") == url]
            if not matches:
                not_blocked.append(url)
                continue
            errors = []
            for entry in matches:
                answer = call(
                    fmg, "delete", "{}/{}/entries/{}".format(urlfilter_url, escape_name(str(ref)), entry.get("id"))
                )
                if answer.get("code") != 0:
                    errors.append("code {} ({})".format(answer.get("code"), answer.get("message")))
            if errors:
                failed.append({"url": url, "reason": "; ".join(errors)})
            else:
                unblocked.append(url)
    return {
        "adom": adom,
        "webfilter_profile": profile,
        "url_filter": ref,
        "unblocked": unblocked,
        "not_blocked": not_blocked,
        "failed": failed,
        **lock.as_dict(),
    }
