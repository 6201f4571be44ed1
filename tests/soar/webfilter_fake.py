"""A stand-in FortiManager for the URL containment actions: the simulator has no web-filter profiles,
so these answer the few JSON-RPC calls block_url/unblock_url make, like FortiManager does."""

from __future__ import annotations

import copy
from typing import Any

BASE = "pm/config/adom/root/obj/webfilter"


class WebFilterFMG:
    workspace_mode = False

    def __init__(self, with_list: bool = True) -> None:
        self.profile: dict[str, Any] = {"name": "web", "web": {"urlfilter-table": [7] if with_list else []}}
        self.filters: dict[int, dict[str, Any]] = {}
        if with_list:
            self.filters[7] = {
                "id": 7,
                "name": "existing",
                "entries": [
                    {"id": 1, "url": "bad.example", "type": "simple", "action": "block", "status": "enable"},
                    {"id": 2, "url": "allowed.example", "type": "simple", "action": "allow", "status": "enable"},
                ],
            }
        self.calls: list[tuple[str, str]] = []
        self.refuse_url: str | None = None

    def free_form(self, method: str, create_task: Any = None, **kwargs: Any) -> tuple[int, list[dict[str, Any]]]:
        param = kwargs["data"][0]
        url = param["url"]
        self.calls.append((method, url))
        code, data = self._route(method, url.strip("/").split("/"), param.get("data"))
        item: dict[str, Any] = {"status": {"code": code, "message": "OK" if code == 0 else "refused"}, "url": url}
        if data is not None:
            item["data"] = data
        return 200, [item]

    def _route(self, method: str, parts: list[str], data: Any) -> tuple[int, Any]:
        tail = parts[len(BASE.split("/")) :]
        if tail[:2] == ["profile", "web"]:
            if method == "get":
                return 0, copy.deepcopy(self.profile)
            self.profile["web"].update(data["web"])
            return 0, {"name": "web"}
        if tail == ["urlfilter"] and method == "add":
            new_id = max(self.filters, default=0) + 2
            self.filters[new_id] = {"id": new_id, "name": data["name"], "entries": []}
            return 0, {"id": new_id}
        if len(tail) >= 2 and tail[0] == "urlfilter" and int(tail[1]) in self.filters:
            table = self.filters[int(tail[1])]
            if len(tail) == 2 and method == "get":
                return 0, copy.deepcopy(table)
            if tail[2:3] == ["entries"]:
                if len(tail) == 3 and method == "add":
                    if data["url"] == self.refuse_url:
                        return -10, None
                    entry = dict(data, id=max((e["id"] for e in table["entries"]), default=0) + 1)
                    table["entries"].append(entry)
                    return 0, {"id": entry["id"]}
                entry = next((e for e in table["entries"] if str(e["id"]) == tail[3]), None)
                if entry is None:
                    return -3, None
                if method == "update":
                    entry.update(data)
                    return 0, {"id": entry["id"]}
                if method == "delete":
                    table["entries"].remove(entry)
                    return 0, None
        if tail[:1] == ["profile"]:
            return -3, None
        return -6, None
