"""Blocking and unblocking URLs through the URL filter list of a web-filter profile.

Blocking adds (or turns into ``block``) an entry per URL in the list the profile uses, creating the list
when the profile has none; unblocking deletes the entries. The profile and the list are read once; only
when something must be written is the workspace locked, once, the entries written with one multi-param
request per method (``fmg.bulk``; entries have no key but their id, so the planner is no fit) and the
change committed once.
"""

from __future__ import annotations

from typing import Any

from pyfmg import FortiManager, ItemResult
from pyfmg.soar.calls import (
    LockReport,
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


def _by_url(entries: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The filter's entries by URL, in list order: one pass, however many URLs a call names."""
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        url = entry.get("url")
        if isinstance(url, str):
            found.setdefault(url, []).append(entry)
    return found


def _blocks(entry: dict[str, Any]) -> bool:
    # FortiManager answers enums as numbers unless asked for names: exempt 0, block 1, allow 2, monitor 3.
    action = entry.get("action")
    return action == 1 or str(action).lower() == "block"


def _reason(item: ItemResult) -> str:
    return f"code {item.code} ({item.message})"


def op_block_url(fmg: FortiManager, cfg: SOARConfig, params: Params) -> Result:
    """Add block entries for URLs to a web-filter profile's URL filter list (created if it has none)."""
    adom = adom_param(params)
    profile, profile_url, urlfilter_url = _profile_urls(adom, params)
    urls = [_clean_url(url) for url in as_list(params.get("urls"), "urls")]
    list_name = as_text(params.get("url_filter_name"), "url_filter_name", required=False) or f"{profile}-soar"
    ref = _filter_ref(_read_profile(fmg, adom, profile, profile_url))
    entries = _entries(fmg, f"{urlfilter_url}/{escape_name(ref)}") if ref is not None else []
    # Per URL (each once): the id of an entry that does not block it yet, or None for a new entry.
    changing: dict[str, Any] = {}
    by_url = _by_url(entries)
    for url in urls:
        match = by_url.get(url, [None])[0]
        if url not in changing and (match is None or not _blocks(match)):
            changing[url] = None if match is None else match.get("id")
    created: list[str] = []
    refused: dict[str, str] = {}
    lock = LockReport()  # what a call that writes nothing reports: no lock, no commit
    if changing:
        with locked(fmg, cfg, "update", [{"url": profile_url}, {"url": urlfilter_url}], adom) as lock:
            if ref is None:
                ref = _create_filter(fmg, profile_url, urlfilter_url, list_name)
                created.append(list_name)
            filter_url = f"{urlfilter_url}/{escape_name(ref)}"
            new = [url for url, entry_id in changing.items() if entry_id is None]
            added = fmg.bulk(
                "add",
                f"{filter_url}/entries",
                [{"url": url, "type": "simple", "action": "block", "status": "enable"} for url in new],
            )
            existing = [(url, entry_id) for url, entry_id in changing.items() if entry_id is not None]
            updated = fmg.bulk(
                "update",
                [{"url": f"{filter_url}/entries/{entry_id}", "data": {"action": "block"}} for _, entry_id in existing],
            )
            for url, item in [*zip(new, added), *zip((url for url, _ in existing), updated)]:
                if not item.ok:
                    refused[url] = _reason(item)
    blocked: list[str] = []
    already: list[str] = []
    failed: list[dict[str, Any]] = []
    for url in urls:
        if url in refused:
            failed.append({"url": url, "reason": refused[url]})
        elif url in changing:
            blocked.append(url)
            del changing[url]  # the same URL again: already blocked
        else:
            already.append(url)
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


def _create_filter(fmg: FortiManager, profile_url: str, urlfilter_url: str, list_name: str) -> str:
    """Create an empty URL filter list and make the profile use it; its id."""
    made = require_ok(call(fmg, "add", urlfilter_url, {"name": list_name, "entries": []}), "add")
    key = made["data"] if isinstance(made.get("data"), dict) else {}
    ref = str(key.get("id")) if key.get("id") is not None else _lookup_filter_id(fmg, urlfilter_url, list_name)
    require_ok(
        call(fmg, "update", profile_url, {"web": {"urlfilter-table": int(ref) if ref.isdigit() else ref}}),
        "update",
    )
    return ref


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
    ref = _filter_ref(_read_profile(fmg, adom, profile, profile_url))
    entries = _entries(fmg, f"{urlfilter_url}/{escape_name(ref)}") if ref is not None else []
    # Per URL (each once): the ids of its entries.
    leaving: dict[str, list[Any]] = {}
    by_url = _by_url(entries)
    for url in urls:
        ids = [entry.get("id") for entry in by_url.get(url, [])]
        if ids:
            leaving[url] = ids
    errors: dict[str, list[str]] = {}
    lock = LockReport()  # what a call that writes nothing reports: no lock, no commit
    if leaving:
        with locked(fmg, cfg, "delete", [{"url": profile_url}, {"url": urlfilter_url}], adom) as lock:
            entries_url = f"{urlfilter_url}/{escape_name(str(ref))}/entries"
            doomed = [(url, entry_id) for url, ids in leaving.items() for entry_id in ids]
            answers = fmg.bulk("delete", [{"url": f"{entries_url}/{entry_id}"} for _, entry_id in doomed])
            for (url, _), item in zip(doomed, answers):
                if not item.ok:
                    errors.setdefault(url, []).append(_reason(item))
    unblocked: list[str] = []
    not_blocked: list[str] = []
    failed: list[dict[str, Any]] = []
    for url in urls:
        if url in errors:
            failed.append({"url": url, "reason": "; ".join(errors[url])})
        elif url in leaving:
            unblocked.append(url)
        else:
            not_blocked.append(url)
    return {
        "adom": adom,
        "webfilter_profile": profile,
        "url_filter": ref,
        "unblocked": unblocked,
        "not_blocked": not_blocked,
        "failed": failed,
        **lock.as_dict(),
    }
