"""Setting up the central database from the command line: init (again and again), centres and
their credentials (rotation), readers, TLS as the URL asks, and the [central] config section."""

from __future__ import annotations

import io
from pathlib import Path

import psycopg
import pytest

from central import schema as central_schema
from novbe.cli import main
from server.shipping import link
from server.shipping.link import CentralError, CentralUnavailable, tls_warning
from shared.config.centre import parse_config
from shared.core.errors import ConfigError
from tests.central.conftest import CentralDb, centre_config_path
from tests.central.pg_cluster import Cluster
from tests.shared.helpers import dost_data

pytestmark = pytest.mark.slow  # browsers, processes or a PostgreSQL cluster


def _ssl_in_use(url: str) -> bool:
    with link.connect(url) as conn:
        row = conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
    return bool(row and row[0])


def test_init_creates_the_schema_once_and_is_safe_to_repeat(
        central: CentralDb, capsys: pytest.CaptureFixture[str]) -> None:
    """`novbe central init URL` on an initialised database applies nothing and says so; the
    tables, roles and row-level security are there."""
    assert main(["central", "init", central.admin_url]) == 0
    assert "already up to date" in capsys.readouterr().out
    with central.admin() as conn:
        tables = {r[0]: r[1] for r in conn.execute(
            "SELECT relname, relrowsecurity FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE nspname = 'novbe' AND relkind = 'r'")}
        roles = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'novbe%'")}
    assert {t: rls for t, rls in tables.items() if not t.startswith("report_")} == {
        "centres": True, "events": True, "config_versions": True, "migrations": False,
        "generations": True, "ship_alerts": True, "set_aside": False,
        "bookings": True, "booking_changes": True, "booking_seats": True, "local_seats": True,
        "booking_pulls": True, "portals": True}
    assert {"report_tickets", "report_visits", "report_counters", "report_targets"} <= set(tables)
    assert {"novbe_centres", "novbe_readers", "novbe_bookers"} <= roles


def test_init_on_a_fresh_database_from_the_command_line(
        pg_cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    """A brand-new database gets every migration, listed as applied."""
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS fresh_central")
        conn.execute("CREATE DATABASE fresh_central")
    try:
        assert main(["central", "init", pg_cluster.url(database="fresh_central")]) == 0
        out = capsys.readouterr().out
        assert "applied c001_initial" in out and "applied c002_report_facts" in out
        assert "central database ready" in out
        assert "throwaway-superuser-pw" not in out             # the password is never shown
    finally:
        with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
            conn.execute("DROP DATABASE fresh_central WITH (FORCE)")


def test_add_centre_and_rotate_its_password(central: CentralDb, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A centre added from the command line can log in; after `passwd` the old password is
    refused and the new one works; adding it twice is refused with a hint."""
    monkeypatch.setattr("sys.stdin", io.StringIO("first-password-123\n"))
    assert main(["central", "add-centre", central.admin_url, "shaki", "--password-stdin"]) == 0
    central.centres.append("shaki")
    assert "novbe_centre_shaki" in capsys.readouterr().out
    old = central.centre_url("shaki", "first-password-123")
    assert link.connect(old).execute("SELECT current_user").fetchone() == ("novbe_centre_shaki",)
    monkeypatch.setattr("sys.stdin", io.StringIO("second-password-456\n"))
    assert main(["central", "passwd", central.admin_url, "shaki", "--password-stdin"]) == 0
    with pytest.raises(CentralUnavailable, match="password authentication failed"):
        link.connect(old)
    link.connect(central.centre_url("shaki", "second-password-456")).close()
    monkeypatch.setattr("sys.stdin", io.StringIO("third-password-789\n"))
    assert main(["central", "add-centre", central.admin_url, "shaki", "--password-stdin"]) == 2
    assert "exists already" in capsys.readouterr().err
    assert central_schema.centres(central.admin_url) == ["shaki"]


@pytest.mark.parametrize(("centre_id", "password", "message"), [
    ("Bad Id", "long-enough-password", "centre id"),
    ("ok", "short", "at least 12"),
])
def test_bad_centre_input_is_named(central: CentralDb, centre_id: str, password: str,
                                   message: str) -> None:
    """A malformed centre id or a short password is refused before anything is created."""
    with pytest.raises(CentralError, match=message):
        central_schema.add_centre(central.admin_url, centre_id, password)


def test_an_uninitialised_database_is_named(pg_cluster: Cluster) -> None:
    """Adding a centre to a database nobody initialised says to run init first."""
    with pytest.raises(CentralError, match="novbe central init"):
        central_schema.add_centre(pg_cluster.url(), "x", "long-enough-password")


def test_tls_is_used_as_the_url_asks(central: CentralDb, tmp_path: Path) -> None:
    """sslmode from the URL is honoured: require and verify-full (with the server's CA) encrypt,
    disable does not, and verify-full against another CA is refused."""
    url = central.add_centre("lankaran")
    cert = central.cluster.cert
    assert _ssl_in_use(url + "?sslmode=require")
    assert _ssl_in_use(url + f"?sslmode=verify-full&sslrootcert={cert}")
    assert not _ssl_in_use(url + "?sslmode=disable")
    stranger = tmp_path / "other-ca.crt"
    import subprocess
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=other", "-keyout", str(tmp_path / "k"), "-out", str(stranger)],
                   check=True, capture_output=True)
    with pytest.raises(CentralUnavailable, match="certificate verify failed"):
        link.connect(url + f"?sslmode=verify-full&sslrootcert={stranger}")


def test_tls_warning_for_plain_urls_across_the_network() -> None:
    """A URL to another machine without sslmode=require/verify-* is warned about; local and
    verified ones are not."""
    assert "sslmode=prefer" in (tls_warning("postgresql://u@central.example.az/novbe") or "")
    assert tls_warning("postgresql://u@central.example.az/novbe?sslmode=disable")
    assert tls_warning("postgresql://u@central.example.az/novbe?sslmode=verify-full") is None
    assert tls_warning("postgresql://u@127.0.0.1:5432/novbe") is None


def test_central_config_section(tmp_path: Path) -> None:
    """[central] takes url and centre_id (default: the centre's id); each mistake is named."""
    data = dost_data()
    data["central"] = {"url": "postgresql://c@central.example.az/novbe?sslmode=verify-full"}
    config = parse_config(data)
    assert config.central is not None and config.central.centre_id == "dost-abseron"
    data["central"] = {"url": "mysql://x", "centre_id": "Not OK", "batch": 5}
    with pytest.raises(ConfigError) as err:
        parse_config(data, "c.toml")
    problems = "\n".join(err.value.problems)
    assert "c.toml: central.url: must start with postgresql://" in problems
    assert "c.toml: central.centre_id: must be an id" in problems
    assert "c.toml: central.batch: unknown key" in problems
    data["central"] = {"url": "postgresql://c@h/db?sslmode=sometimes"}
    with pytest.raises(ConfigError, match="sslmode must be one of"):
        parse_config(data)


def test_status_without_a_central_section_says_so(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """`novbe central status` on a centre that ships nowhere explains what to configure."""
    path = centre_config_path(tmp_path, "solo", None)
    assert main(["--db", str(tmp_path / "q.sqlite"), "--config", str(path), "central", "status"]) == 2
    assert "no [central] section" in capsys.readouterr().err
