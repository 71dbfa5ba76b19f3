"""`novbe staff …` and `novbe device …` on a real database file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from novbe.cli import main
from server.auth.accounts import Accounts


def run(db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
        *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["--db", str(db_path), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_staff_add_passwd_remove(db_path: Path, monkeypatch, capsys):
    """Staff accounts are added, re-passworded and removed from the command line."""
    assert run(db_path, monkeypatch, capsys, "staff", "add", "leyla", "--password-stdin",
               stdin="first-password\n")[0] == 0
    accounts = Accounts(db_path)
    assert accounts.check_password("leyla", "first-password")
    assert run(db_path, monkeypatch, capsys, "staff", "passwd", "leyla", "--password-stdin",
               stdin="second-password\n")[0] == 0
    assert not accounts.check_password("leyla", "first-password")
    assert accounts.check_password("leyla", "second-password")
    code, _, err = run(db_path, monkeypatch, capsys, "staff", "add", "leyla", "--password-stdin",
                       stdin="another-password\n")
    assert code == 2 and "exists" in err
    assert run(db_path, monkeypatch, capsys, "staff", "remove", "leyla")[0] == 0
    assert accounts.staff_names() == []
    accounts.close()


def test_staff_password_too_short_is_refused(db_path: Path, monkeypatch, capsys):
    """A short password is refused with a message, and no account is made."""
    code, _, err = run(db_path, monkeypatch, capsys, "staff", "add", "leyla", "--password-stdin",
                       stdin="short\n")
    assert code == 2 and "at least" in err


def test_device_token_printed_once_and_revoked(db_path: Path, monkeypatch, capsys):
    """`device add` prints a token that works; `device remove` revokes it."""
    code, out, _ = run(db_path, monkeypatch, capsys, "device", "add", "kiosk-1")
    token = out.strip().splitlines()[-1]
    assert code == 0 and len(token) >= 40
    accounts = Accounts(db_path)
    assert accounts.device_for(token) == "kiosk-1"
    assert token.encode() not in db_path.read_bytes()
    assert run(db_path, monkeypatch, capsys, "device", "list")[1].split() == ["kiosk-1", "kiosk"]
    assert run(db_path, monkeypatch, capsys, "device", "remove", "kiosk-1")[0] == 0
    assert accounts.device_for(token) is None
    accounts.close()


def test_ensure_staff_for_the_demo(db_path: Path, config):
    """ensure_staff creates the demo account, and resets its password if it was changed."""
    from server.auth.accounts import ensure_staff
    from shared.core.local_queue import LocalQueue

    queue = LocalQueue(db_path, config)
    ensure_staff(queue.path, "demo", "demo-2580")
    accounts = Accounts(db_path)
    assert accounts.check_password("demo", "demo-2580")
    accounts.set_password("demo", "something-else")
    ensure_staff(db_path, "demo", "demo-2580")
    assert accounts.check_password("demo", "demo-2580")
    accounts.close()
    queue.close()


def test_device_add_with_a_role(db_path: Path, monkeypatch, capsys):
    """`device add NAME --role board` makes a board's token; without --role it is a kiosk's."""
    run(db_path, monkeypatch, capsys, "device", "add", "lobby-board", "--role", "board")
    run(db_path, monkeypatch, capsys, "device", "add", "kiosk-1")
    code, out, _ = run(db_path, monkeypatch, capsys, "device", "list")
    assert code == 0 and out.split() == ["kiosk-1", "kiosk", "lobby-board", "board"]
    with pytest.raises(SystemExit) as refused:
        run(db_path, monkeypatch, capsys, "device", "add", "x", "--role", "admin")
    assert refused.value.code == 2 and "admin" in capsys.readouterr().err
