"""A counter PC's device token has a client: `novbe call|recall|start|finish|no-show|transfer
COUNTER --server URL --token T` acts over HTTP (RemoteQueue) for the counters the token names,
and says clearly when it names another."""

from __future__ import annotations

import pytest

from novbe.cli import main
from tests.server.live import LiveServer

JOB = "employment.job-seeker"
PENSION = "pensions.age"


@pytest.fixture
def window_3(server: LiveServer) -> str:
    """The device token of a counter PC between counters 3 and 4."""
    return server.accounts.add_device("window-3", role="counter", counters=["3", "4"])


def novbe(server: LiveServer, token: str, capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--server", server.url, "--token", token])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_counter_pc_serves_a_day_over_http(server: LiveServer, window_3: str, capsys):
    """call, recall, start, finish, call again, transfer, no-show — each acts on the server's
    queue and prints the ticket it acted on."""
    for service in (JOB, PENSION, JOB):
        server.queue.issue(service)
    code, out, _ = novbe(server, window_3, capsys, "call", "3")
    assert code == 0 and out.startswith("A-001") and "counter 3" in out
    assert novbe(server, window_3, capsys, "recall", "3")[0] == 0
    assert server.queue.ticket("A-001").recalls == 1
    assert novbe(server, window_3, capsys, "start", "3", "--expect", "A-001")[0] == 0
    code, out, _ = novbe(server, window_3, capsys, "finish", "3", "--json")
    assert code == 0 and '"status": "done"' in out
    assert novbe(server, window_3, capsys, "call", "4")[1].startswith("B-001")
    code, out, _ = novbe(server, window_3, capsys, "transfer", "4", JOB)
    assert code == 0 and server.queue.ticket("B-001").service == JOB
    assert novbe(server, window_3, capsys, "call", "3")[1].startswith("B-001")  # kept its place
    assert novbe(server, window_3, capsys, "no-show", "3")[0] == 0
    assert server.queue.ticket("B-001").status == "no_show"
    sources = {e.counter for e in server.queue.events() if e.kind == "called"}
    assert sources == {"3", "4"}


def test_another_counter_is_refused_by_name(server: LiveServer, window_3: str, capsys):
    """The token of counters 3 and 4 acting for counter 5: exit 2, a message naming the
    counters it may act for, and nothing called."""
    server.queue.issue(JOB)
    code, out, err = novbe(server, window_3, capsys, "call", "5")
    assert code == 2 and out == ""
    assert "may act for counters 3, 4, not 5" in err
    assert server.queue.ticket("A-001").status == "waiting"


def test_server_without_token_says_what_is_missing(server: LiveServer, capsys, monkeypatch):
    """--server with no --token (and no NOVBE_TOKEN) names the token and where it comes from."""
    monkeypatch.delenv("NOVBE_TOKEN", raising=False)
    code = main(["call", "3", "--server", server.url])
    err = capsys.readouterr().err
    assert code == 2 and "--token" in err and "novbe device add" in err
