"""The devices page and the offline alert: heartbeats over HTTP and over the file land in one
table, a silent device raises an alert after 45 s (fake clock), its return clears it."""

from __future__ import annotations

from pathlib import Path

from shared.core.alerts import alert_text
from shared.core.local_queue import LocalQueue
from shared.core.presence import OFFLINE_AFTER_S
from shared.version import VERSION
from tests.server.live import LiveServer


def test_a_silent_device_raises_the_offline_alert_and_its_return_clears_it(db_path: Path, config,
                                                                           clock):
    """Heartbeat at 0 s; at 59 s nothing; at 61 s one device_offline alert (once, however
    often the watch runs), read in az as staff read alerts; a heartbeat clears it."""
    queue = LocalQueue(db_path, config, clock)
    queue.heartbeat("kiosk-2", "kiosk", VERSION, {"printer": "ok", "paper": "ok"})
    clock.advance(OFFLINE_AFTER_S - 1)
    assert queue.sweep_devices() == []
    clock.advance(2)
    assert queue.sweep_devices() == ["kiosk-2"]
    assert queue.sweep_devices() == []                        # raised once
    alerts = [a for a in queue.snapshot().alerts if a.kind == "device_offline"]
    assert [a.source for a in alerts] == ["kiosk-2"]
    assert alert_text("az", alerts[0]) == "2 nömrəli kiosk əlaqədə deyil: 45 saniyədir xəbər yoxdur"
    assert not queue.devices_seen()[0].online
    queue.heartbeat("kiosk-2", "kiosk", VERSION, {})
    assert not [a for a in queue.snapshot().alerts if a.kind == "device_offline"]
    assert queue.devices_seen()[0].online
    kinds = [e.kind for e in queue.events() if e.source == "kiosk-2"]
    assert kinds == ["device_offline", "device_online"]


def test_heartbeats_over_http_fill_the_devices_page(server: LiveServer):
    """A kiosk and a board token send heartbeats; a manager's /manager/devices.json lists both
    with version, screen, printer, paper, audio and whether their config is current; the name
    comes from the token, not the body; bad bodies are 422; staff sessions cannot send them."""
    kiosk = server.device_client("kiosk")
    answer = kiosk.post("/api/devices/heartbeat", json={
        "version": VERSION, "screen": "1080x1920", "printer": "ok", "paper": "out",
        "config_version": "0123456789ab"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"ok": True, "version": VERSION, "supported": True}
    board = server.device_client("board")
    answer = board.post("/api/devices/heartbeat", json={
        "version": "0.1.0", "screen": "1920x1080", "audio": "silent"})
    assert answer.json() == {"ok": True, "version": VERSION, "supported": False}
    assert kiosk.post("/api/devices/heartbeat", json={"version": "1", "source": "x"}
                      ).status_code == 422
    assert kiosk.post("/api/devices/heartbeat", json={"version": "1", "paper": "plenty"}
                      ).status_code == 422
    server.accounts.set_role("aysel", "manager")
    manager = server.staff_client("aysel")
    assert manager.api("POST", "/api/devices/heartbeat", json={"version": "1"}).status_code == 403
    data = manager.get("/manager/devices.json").json()
    rows = {d["source"]: d for d in data["devices"]}
    assert set(rows) == {"test-device", "test-board"}
    k, b = rows["test-device"], rows["test-board"]
    assert (k["role"], k["screen"], k["paper"], k["version_ok"]) == ("kiosk", "1080x1920", "out", True)
    assert k["config_current"] is False and k["online"]
    assert (b["audio"], b["version_ok"]) == ("silent", False)
    assert data["devices"][0]["problems"] >= 1
    page = manager.get("/manager/devices", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "test-board" in page.text


def test_only_managers_and_it_see_the_devices(server: LiveServer):
    """Counter staff get 403; a staff member with the new IT role gets the page."""
    counter = server.staff_client("aysel")
    assert counter.get("/manager/devices.json").status_code == 403
    server.accounts.set_role("aysel", "it")
    assert server.staff_client("aysel").get("/manager/devices.json").status_code == 200


def test_heartbeat_is_part_of_the_queue_contract(queue, db_path: Path, config, clock):
    """Both paths (the file, the server's API with a kiosk token) keep a device's heartbeat in
    the queue file: one row, its state as sent."""
    assert queue.heartbeat("kiosk", "kiosk", VERSION, {"screen": "1080x1920",
                                                       "printer": "ok"}) == VERSION
    seen = LocalQueue(db_path, config, clock).devices_seen()
    assert len(seen) == 1 and seen[0].role == "kiosk"
    assert seen[0].state == {"screen": "1080x1920", "printer": "ok"}
    assert seen[0].version == VERSION


def test_the_devices_page_compares_the_version_a_device_runs_with_the_one_it_is_served(
        server: LiveServer, config):
    """One version serves the config-follow check and the fleet page: a remote kiosk (sent the
    PIN) and board (not sent it) report the version of their own copies, equal to what
    /api/config/version tells their role, and read "current"; a copy of other hours reads
    "old"."""
    import dataclasses
    from datetime import time

    from shared.client.remote_queue import RemoteQueue
    from shared.config.versions import device_version

    server.accounts.set_role("aysel", "manager")
    manager = server.staff_client("aysel")
    for role, token in (("kiosk", server.device_token), ("board", server.board_token)):
        remote = RemoteQueue(server.url, token)
        try:
            copy = remote.config
            assert device_version(copy, role) == remote.config_version()
            assert device_version(copy, role) == device_version(config, role)
            server.device_client(role).post("/api/devices/heartbeat", json={
                "version": VERSION, "config_version": device_version(copy, role)})
        finally:
            remote.close()
    rows = {d["source"]: d for d in manager.get("/manager/devices.json").json()["devices"]}
    assert rows["test-device"]["config_current"] is True
    assert rows["test-board"]["config_current"] is True
    other = dataclasses.replace(config, hours=dataclasses.replace(config.hours, mon=(time(8), time(17))))
    assert device_version(other, "board") != device_version(config, "board")
    server.device_client("board").post("/api/devices/heartbeat", json={
        "version": VERSION, "config_version": device_version(other, "board")})
    rows = {d["source"]: d for d in manager.get("/manager/devices.json").json()["devices"]}
    assert rows["test-board"]["config_current"] is False
