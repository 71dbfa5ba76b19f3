"""Open event streams re-check their caller: a revoked device token or an ended staff session
ends the stream, instead of it delivering events forever."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import httpx

from tests.server.live import LiveServer

JOB = "employment.job-seeker"
ROOT = Path(__file__).resolve().parents[2]


def follow(client: httpx.Client, headers: dict[str, str], lines: list[str],
           ended: threading.Event) -> threading.Thread:
    """Read the event stream in a thread, noting its lines; `ended` is set when it ends."""
    def run() -> None:
        try:
            with client.stream("GET", "/api/events/stream", headers=headers,
                               timeout=httpx.Timeout(10, read=60)) as response:
                assert response.status_code == 200
                for line in response.iter_lines():
                    lines.append(line)
        except httpx.HTTPError:     # the server stopped at the end of the test
            pass
        finally:
            ended.set()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def wait_for(lines: list[str], text: str, stop: threading.Event) -> None:
    while not any(text in line for line in lines):
        assert not stop.wait(0.05), f"the stream ended before {text!r}: {lines}"


def test_revoked_board_token_ends_its_stream(server: LiveServer):
    """`novbe device remove` (another process) ends the board's open stream; until then it
    delivers events."""
    lines: list[str] = []
    ended = threading.Event()
    with httpx.Client(base_url=server.url) as client:
        thread = follow(client, {"Authorization": f"Bearer {server.board_token}"}, lines, ended)
        wait_for(lines, "retry:", ended)
        code = server.queue.issue(JOB).code
        wait_for(lines, code, ended)
        removed = subprocess.run([sys.executable, "-m", "novbe", "--db", str(server.db_path),
                                  "device", "remove", "test-board"], cwd=ROOT,
                                 capture_output=True, text=True, timeout=60)
        assert removed.returncode == 0, removed.stderr
        assert ended.wait(20), "the revoked token's stream is still open"
        thread.join(5)


def test_signed_out_staff_stream_ends(server: LiveServer):
    """A staff member's console stream ends when they sign out (in another tab)."""
    staff = server.staff_client("aysel", counter="1")
    lines: list[str] = []
    ended = threading.Event()
    headers = {"Cookie": f"novbe_session={staff.cookies['novbe_session']}"}
    with httpx.Client(base_url=server.url) as client:
        thread = follow(client, headers, lines, ended)
        wait_for(lines, "retry:", ended)
        code = server.queue.issue(JOB).code
        wait_for(lines, code, ended)
        out = staff.post("/counter/logout", data={"csrf": staff.csrf})
        assert out.status_code == 303
        assert ended.wait(20), "the signed-out session's stream is still open"
        thread.join(5)
    staff.close()


def test_other_streams_keep_going_after_a_revocation(server: LiveServer):
    """Revoking one token leaves the other devices' streams open and delivering."""
    token = server.accounts.add_device("kiosk-to-revoke")
    revoked_lines: list[str] = []
    kept_lines: list[str] = []
    revoked_end, kept_end = threading.Event(), threading.Event()
    with httpx.Client(base_url=server.url) as a, httpx.Client(base_url=server.url) as b:
        follow(a, {"Authorization": f"Bearer {token}"}, revoked_lines, revoked_end)
        follow(b, {"Authorization": f"Bearer {server.board_token}"}, kept_lines, kept_end)
        wait_for(revoked_lines, "retry:", revoked_end)
        wait_for(kept_lines, "retry:", kept_end)
        server.accounts.remove_device("kiosk-to-revoke")
        assert revoked_end.wait(20)
        code = server.queue.issue(JOB).code
        wait_for(kept_lines, code, kept_end)
        assert not kept_end.is_set()
