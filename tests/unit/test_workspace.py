"""Workspace locks: pyFMG's URLs, releasing everything on logout, waiting for busy locks, scoped locks."""

from __future__ import annotations

import pytest

from pyfmg import FMGLockError, FMGReadTimeout, FMGTLSError, FMGValueError, FMGWorkspaceError, FortiManager
from pyfmg.workspace import LockScope, WorkspaceManager

from .fakefmg import HOST, PASSWORD, FakeFMG, ok, urls


@pytest.fixture
def ws_fmg(fake: FakeFMG) -> FortiManager:
    fake.workspace_mode = "normal"
    client = FortiManager(HOST, "admin", PASSWORD)
    client.login()
    fake.bodies.clear()
    return client


@pytest.mark.parametrize(
    ("call", "url"),
    [
        (lambda f: f.lock_adom("root"), "/dvmdb/adom/root/workspace/lock/"),
        (lambda f: f.lock_adom(), "/dvmdb/adom/root/workspace/lock"),
        (lambda f: f.lock_adom("GLOBAL"), "/dvmdb/global/workspace/lock/"),
        (lambda f: f.unlock_adom("dmz"), "/dvmdb/adom/dmz/workspace/unlock/"),
        (lambda f: f.unlock_adom(), "/dvmdb/adom/root/workspace/unlock"),
        (lambda f: f.unlock_adom("global"), "/dvmdb/global/workspace/unlock/"),
        (lambda f: f.commit_changes("dmz"), "/dvmdb/adom/dmz/workspace/commit"),
        (lambda f: f.commit_changes("dmz", aux=True), "/pm/config/adom/dmz/workspace/commit"),
        (lambda f: f.commit_changes("global"), "/dvmdb/global/workspace/commit/"),
        (lambda f: f.commit_changes(), "/dvmdb/adom/root/workspace/commit"),
        (lambda f: f.lock("root", package="fold/pp1"), "/dvmdb/adom/root/workspace/lock/pkg/fold/pp1"),
        (lambda f: f.commit("root", package="pp1"), "/dvmdb/adom/root/workspace/commit/pkg/pp1"),
        (lambda f: f.unlock("root", device="FGT1"), "/dvmdb/adom/root/workspace/unlock/dev/FGT1"),
    ],
)
def test_workspace_urls_match_pyfmg(ws_fmg: FortiManager, fake: FakeFMG, call, url: str) -> None:  # type: ignore[no-untyped-def]
    call(ws_fmg)
    assert fake.bodies[-1]["method"] == "exec" and fake.bodies[-1]["params"] == [{"url": url}]


def test_logout_unlocks_every_adom_then_logs_out(ws_fmg: FortiManager, fake: FakeFMG) -> None:
    for adom in ("a1", "a2", "a3", "a4"):
        assert ws_fmg.lock_adom(adom)[0] == 0
    ws_fmg.lock("root", package="pp")
    assert ws_fmg.locked_scopes == ["a1", "a2", "a3", "a4", "root/pkg/pp"]
    ws_fmg.logout()
    unlocked = [u for u in urls(fake) if "/unlock" in u]
    # pyFMG 0.8.6.3 skips every second ADOM here (it removes from the list it walks).
    assert unlocked == [f"/dvmdb/adom/{a}/workspace/unlock/" for a in ("a1", "a2", "a3", "a4")] + [
        "/dvmdb/adom/root/workspace/unlock/pkg/pp"
    ]
    assert list(urls(fake))[-1] == "sys/logout" and ws_fmg.locked_scopes == []


def test_locks_are_released_even_without_workspace_check(fake: FakeFMG) -> None:
    with FortiManager(HOST, "admin", PASSWORD, check_adom_workspace=False) as fmg:
        fmg.lock_adom("root")
    assert "/dvmdb/adom/root/workspace/unlock/" in list(urls(fake))


def test_with_block_that_raises_still_unlocks_and_logs_out(fake: FakeFMG) -> None:
    fake.workspace_mode = 1
    with pytest.raises(ZeroDivisionError), FortiManager(HOST, "admin", PASSWORD) as fmg:
        fmg.lock_adom("root")
        1 / 0  # noqa: B018
    assert list(urls(fake))[-2:] == ["/dvmdb/adom/root/workspace/unlock/", "sys/logout"]


def test_failed_lock_is_not_recorded_and_no_commit_happens_automatically(ws_fmg: FortiManager, fake: FakeFMG) -> None:
    fake.on(
        lambda m, p, b: (
            ok(url=p[0]["url"], code=-20055, message="Workspace is locked by other user")
            if p[0]["url"].endswith("/lock/")
            else None
        )
    )
    assert ws_fmg.lock_adom("root")[0] == -20055
    assert ws_fmg.locked_scopes == []
    ws_fmg.logout()
    assert not any("commit" in u or "unlock" in u for u in urls(fake))


def test_unlock_error_is_raised_after_other_locks_were_released_and_logout_happened(
    ws_fmg: FortiManager, fake: FakeFMG
) -> None:
    ws_fmg.lock_adom("a1")
    ws_fmg.lock_adom("a2")

    def broken_unlock(method, params, body):  # type: ignore[no-untyped-def]
        if params[0]["url"] == "/dvmdb/adom/a1/workspace/unlock/":
            return 500, "not json"  # becomes code 100, logged
        return None

    fake.on(broken_unlock)
    ws_fmg.logout()
    assert list(urls(fake))[-3:] == [
        "/dvmdb/adom/a1/workspace/unlock/",
        "/dvmdb/adom/a2/workspace/unlock/",
        "sys/logout",
    ]
    assert ws_fmg.sid is None


class ScriptedWorkspace:
    """Drives WorkspaceManager directly with a fake clock: no waiting in tests."""

    def __init__(self, lock_codes: list[int], holder: str | None = "alice") -> None:
        self.lock_codes = lock_codes
        self.calls: list[str] = []
        self.now = 0.0
        self.sleeps: list[float] = []
        self.holder = holder
        self.manager = WorkspaceManager(self.execute, self.get, sleep=self.sleep, clock=lambda: self.now)
        self.manager.uses_workspace = True

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def execute(self, url: str, *args: object, **kwargs: object) -> tuple[int, dict]:  # type: ignore[type-arg]
        self.calls.append(url)
        code = self.lock_codes.pop(0) if "/lock" in url and self.lock_codes else 0
        return code, {"status": {"code": code, "message": "OK" if code == 0 else "Workspace is locked"}, "url": url}

    def get(self, url: str, **kwargs: object) -> tuple[int, object]:
        self.calls.append(url)
        return 0, [{"lock_user": self.holder, "lock_sid": 77}] if self.holder else {"status": {}}


def test_busy_lock_is_retried_with_backoff_until_free() -> None:
    ws = ScriptedWorkspace([-20055, -20055, -20055, 0])
    code, _ = ws.manager.lock(LockScope("root"), wait=30)
    assert code == 0 and ws.manager.held == [LockScope("root")]
    assert len(ws.sleeps) == 3 and all(s > 0 for s in ws.sleeps)
    assert ws.sleeps[2] <= 0.4  # doubling from 0.1 s, jittered into [d/2, d]


def test_busy_lock_that_never_frees_raises_naming_scope_and_holder() -> None:
    ws = ScriptedWorkspace([-20055] * 1000)
    with pytest.raises(FMGLockError) as info:
        ws.manager.lock(LockScope("dmz", package="pp1"), wait=10)
    err = info.value
    assert err.scope == "dmz/pkg/pp1" and err.adom == "dmz" and err.holder == "alice" and err.code == -20055
    assert "dmz/pkg/pp1" in str(err) and "alice" in str(err) and "10 s" in str(err)
    assert ws.now <= 10.0 + 1e-9  # never sleeps past the deadline
    assert "/dvmdb/adom/dmz/workspace/lockinfo/pkg/pp1" in ws.calls


def test_other_lock_errors_are_not_retried() -> None:
    ws = ScriptedWorkspace([-11])
    with pytest.raises(FMGLockError, match="code -11"):
        ws.manager.lock(LockScope("root"), wait=10)
    assert ws.sleeps == []


def test_workspace_context_locks_commits_and_unlocks() -> None:
    ws = ScriptedWorkspace([0])
    with ws.manager.session(LockScope("root", package="pp")):
        assert ws.manager.held == [LockScope("root", package="pp")]
    assert [c.split("/workspace/")[1] for c in ws.calls] == ["lock/pkg/pp", "commit/pkg/pp", "unlock/pkg/pp"]
    assert ws.manager.held == []


def test_workspace_context_does_not_commit_when_the_body_fails() -> None:
    ws = ScriptedWorkspace([0])
    with pytest.raises(KeyError), ws.manager.session(LockScope("root")):
        raise KeyError("boom")
    assert [c.split("/workspace/")[1] for c in ws.calls] == ["lock/", "unlock/"]


def test_workspace_context_unlocks_when_commit_fails() -> None:
    ws = ScriptedWorkspace([0])
    original = ws.execute

    def failing_commit(url: str, *a: object, **k: object):  # type: ignore[no-untyped-def]
        if "/commit" in url:
            ws.calls.append(url)
            return -10, {"status": {"code": -10, "message": "The data is invalid"}, "url": url}
        return original(url)

    ws.manager._execute = failing_commit
    with pytest.raises(FMGWorkspaceError, match="Commit of root failed"), ws.manager.session(LockScope("root")):
        pass
    assert ws.calls[-1].endswith("/unlock/") and ws.manager.held == []


def test_workspace_context_is_a_no_op_outside_workspace_mode() -> None:
    ws = ScriptedWorkspace([0])
    ws.manager.uses_workspace = False
    with ws.manager.session(LockScope("root")):
        pass
    assert ws.calls == []


def test_lock_scope_validation() -> None:
    with pytest.raises(FMGValueError):
        LockScope("root", package="p", device="d")


def test_nested_blocks_share_one_lock_and_the_outer_block_unlocks() -> None:
    ws = ScriptedWorkspace([0])
    with ws.manager.session(LockScope("root")):
        with ws.manager.session(LockScope("root")):
            pass
        assert ws.manager.held == [LockScope("root")]
    assert [c.split("/workspace/")[1] for c in ws.calls] == ["lock/", "commit", "commit", "unlock/"]


def test_a_package_block_inside_an_adom_block_is_unlocked_with_the_adom() -> None:
    # Unlocking the package while the ADOM block runs could discard the ADOM block's writes to it.
    ws = ScriptedWorkspace([0, 0])
    with ws.manager.session(LockScope("root")):
        with pytest.raises(KeyError), ws.manager.session(LockScope("root", package="pp")):
            raise KeyError("boom")
        assert ws.manager.held == [LockScope("root"), LockScope("root", package="pp")]
    assert ws.manager.held == []
    assert sorted(c.split("/workspace/")[1] for c in ws.calls if "unlock" in c) == ["unlock/", "unlock/pkg/pp"]


def test_explicit_unlock_while_a_block_uses_the_scope_keeps_the_lock() -> None:
    ws = ScriptedWorkspace([0, 0])
    with ws.manager.session(LockScope("root")):
        assert ws.manager.lock(LockScope("root"))[0] == 0
        code, data = ws.manager.unlock(LockScope("root"))
        assert code == 0 and "still in use" in data["status"]["message"]
        assert ws.manager.held == [LockScope("root")]
    assert ws.calls[-1].endswith("/unlock/") and ws.manager.held == []


@pytest.mark.parametrize("interruption", [KeyboardInterrupt(), FMGReadTimeout("no reply within timeout=5 s")])
def test_interrupted_lock_request_is_unlocked_defensively_on_logout(interruption: BaseException) -> None:
    ws = ScriptedWorkspace([])
    original = ws.execute

    def interrupted(url: str, *a: object, **k: object):  # type: ignore[no-untyped-def]
        if "/lock" in url:
            raise interruption
        return original(url)

    ws.manager._execute = interrupted
    with pytest.raises(type(interruption)):
        ws.manager.lock(LockScope("dmz"))
    assert ws.manager.held == [] and ws.manager.maybe_locked == [LockScope("dmz")]
    ws.manager.unlock_all()
    assert ws.calls == ["/dvmdb/adom/dmz/workspace/unlock/"] and ws.manager.maybe_locked == []


def test_lock_request_that_never_left_is_not_unlocked_defensively() -> None:
    ws = ScriptedWorkspace([])

    def refused(url: str, *a: object, **k: object):  # type: ignore[no-untyped-def]
        raise FMGTLSError("TLS handshake failed")

    ws.manager._execute = refused
    with pytest.raises(FMGTLSError):
        ws.manager.lock(LockScope("dmz"))
    assert ws.manager.maybe_locked == []


def test_locks_recorded_by_hand_are_released_on_logout_and_can_be_forgotten() -> None:
    ws = ScriptedWorkspace([])
    ws.manager.record_lock(LockScope("a1"))
    ws.manager.record_lock(LockScope("a2"))
    ws.manager.forget_lock(LockScope("a2"))
    assert ws.manager.held == [LockScope("a1")]
    ws.manager.unlock_all()
    assert ws.calls == ["/dvmdb/adom/a1/workspace/unlock/"] and ws.manager.held == []


def test_a_whole_adom_lock_covers_its_packages_and_devices_and_nothing_else() -> None:
    adom, package, device = LockScope("Root"), LockScope("root", package="default"), LockScope("root", device="FGT1")
    assert adom.covers(package) and adom.covers(device) and adom.covers(LockScope())
    assert package.covers(LockScope("root", package="default")) and not package.covers(adom)
    assert not package.covers(LockScope("root", package="other")) and not device.covers(package)
    assert not adom.covers(LockScope("branch")) and not LockScope("global").covers(adom)
