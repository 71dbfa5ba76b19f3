"""docs/central.md followed literally: its set-up commands (createuser, createdb, novbe central
init, add-centre), parsed out of the page, run against the throwaway cluster — the owner made
as documented can do all of it; an owner made without CREATEROLE is told what to do."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from novbe.cli import main
from tests.central.pg_cluster import SUPERUSER, SUPERUSER_PASSWORD, Cluster

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "central.md"
OWNER_PASSWORD = "owner-password-0123"
CENTRE_PASSWORD = "centre-password-4567"


def _sh_commands(section: str) -> list[list[str]]:
    """The commands of the ```sh blocks of one `## section` of docs/central.md."""
    text = DOC.read_text(encoding="utf-8")
    part = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", part, re.S)
    return [shlex.split(line) for block in blocks for line in block.splitlines() if line.strip()]


def _run(cmd: list[str], cluster: Cluster, answers: list[str]) -> subprocess.CompletedProcess:
    """Run one documented command here: `sudo -u postgres PROG` as the cluster's superuser
    (Debian's PROG of the cluster's version), `novbe …` as `python -m novbe`; the URL's host
    and CA file are the cluster's. Prompts are answered on stdin (no terminal: new session)."""
    env = {**os.environ, "PGHOST": "127.0.0.1", "PGPORT": str(cluster.port)}
    if cmd[:3] == ["sudo", "-u", "postgres"]:
        cmd = [str(cluster.bin / cmd[3]), *cmd[4:]]
        env |= {"PGUSER": SUPERUSER, "PGPASSWORD": SUPERUSER_PASSWORD}
    else:
        assert cmd[0] == "novbe", cmd
        cmd = [sys.executable, "-m", "novbe", *[
            a.replace("central.example.az", f"127.0.0.1:{cluster.port}")
             .replace("/etc/novbe/central-ca.crt", str(cluster.cert)) for a in cmd[1:]]]
        env |= {"PGPASSWORD": OWNER_PASSWORD}
    return subprocess.run(cmd, input="".join(a + "\n" for a in answers), capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120, start_new_session=True)


@pytest.fixture
def clean_cluster(pg_cluster: Cluster) -> Iterator[Cluster]:
    """The session's cluster, without the doc's database and roles afterwards."""
    if not pg_cluster._running:
        pg_cluster.start()
    yield pg_cluster
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        for db in ("novbe", "novbe_plain"):
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(db)))
        for role in ("novbe_centre_dost-ganja", "novbe_owner", "plain_owner"):
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_set_up_exactly_as_docs_central_md_says(clean_cluster: Cluster) -> None:
    """createuser/createdb as the doc writes them, then `novbe central init` and `add-centre`
    with the doc's URLs (host and CA file this cluster's): each succeeds, the owner is no
    superuser, and the centre's login exists and may ship."""
    setup = _sh_commands("Set-up")
    adding = _sh_commands("Adding a centre")
    assert [c[3] if c[0] == "sudo" else c[2] for c in setup] == ["createuser", "createdb",
                                                                  "init"]
    for cmd in setup:
        done = _run(cmd, clean_cluster, [OWNER_PASSWORD, OWNER_PASSWORD])
        assert done.returncode == 0, (cmd, done.stdout, done.stderr)
    assert "central database ready" in done.stdout
    (cmd,) = adding
    done = _run(cmd, clean_cluster, [CENTRE_PASSWORD, CENTRE_PASSWORD])
    assert done.returncode == 0, (cmd, done.stdout, done.stderr)
    assert "centre dost-ganja added" in done.stdout
    with psycopg.connect(clean_cluster.url(database="novbe"), autocommit=True) as conn:
        owner = conn.execute("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = "
                             "'novbe_owner'").fetchone()
        assert owner == (False, True)
    centre_url = clean_cluster.url("novbe_centre_dost-ganja", CENTRE_PASSWORD, "novbe")
    with psycopg.connect(centre_url, autocommit=True) as pg:
        pg.execute("INSERT INTO novbe.generations (centre_id, generation) VALUES "
                   "('dost-ganja', 'ab')")


def test_an_owner_without_createrole_is_told_what_to_do(
        clean_cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    """An owner made without --createrole: `central init` exits 2 with one message naming the
    missing right and the command that grants it — no traceback, nothing half made."""
    with psycopg.connect(clean_cluster.url(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE plain_owner LOGIN PASSWORD {}").format(
            sql.Literal(OWNER_PASSWORD)))
        conn.execute("CREATE DATABASE novbe_plain OWNER plain_owner")
    url = clean_cluster.url("plain_owner", OWNER_PASSWORD, "novbe_plain")
    code = main(["central", "init", url])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "plain_owner may not create roles" in err
    assert "ALTER ROLE plain_owner CREATEROLE" in err
    assert "Traceback" not in err
    with psycopg.connect(clean_cluster.url(database="novbe_plain"), autocommit=True) as conn:
        assert conn.execute("SELECT to_regclass('novbe.migrations')").fetchone() == (None,)
