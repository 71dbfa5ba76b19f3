"""FQM (Free Queue Manager, github mrf345/FQM) as bench/fqm_side_by_side.py runs it: its own
redis-server, a SQLite file seeded with one office, one task and `waiting` people waiting, and
gunicorn with one sync worker per core (as its Docker entrypoint does); and its kiosk and
counter as HTTP clients, by either of its two ways in: its REST API with a token (POST
/api/v1/tickets/, GET /api/v1/tickets/pull — as Növbə's kiosk and counter devices use its API)
or its web pages (the touch screen's ticket form /serial/<task>, an operator signed in pulling
/pull/<task>/<office>).

FQM's Docker set-up names its redis host `redis` (a compose service); the gunicorn config
written here points FQM's Redis client at the bench's own redis-server on 127.0.0.1 instead —
nothing else of FQM is changed. The touch screen runs in "registered" mode (a name typed at
the kiosk): its printed mode needs a USB printer and fails without one."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import time
import zlib
from pathlib import Path
from typing import Any

GUNICORN_CONF = '''\
"""The bench's gunicorn config for FQM: its Redis client on the bench's own server."""
import os

import redis

_PORT = int(os.environ["FQM_BENCH_REDIS_PORT"])
_init = redis.Redis.__init__


def _local(self, host="localhost", port=6379, *args, **kwargs):
    _init(self, "127.0.0.1", _PORT, *args, **kwargs)


redis.Redis.__init__ = _local
'''

SEED = '''\
"""Seed FQM's database: one office, one task, the touch screen in registered mode, and
`waiting` people waiting (their tickets a second apart, the oldest first)."""
import os
import sys
from datetime import datetime, timedelta

sys.path.insert(0, os.getcwd())          # FQM's source: the bench runs this from its folder
exec(open(sys.argv[1]).read())          # the gunicorn config: Redis on the bench's server

from app.main import bundle_app          # noqa: E402
from app.middleware import db            # noqa: E402
from app.utils import create_default_records  # noqa: E402
import app.database as data              # noqa: E402

waiting = int(sys.argv[2])
app = bundle_app({"MIGRATION": True})    # no migrations, no tasks: the tables are made here
with app.app_context():
    db.create_all()
    create_default_records()
    office = data.Office("Bench", "A")
    db.session.add(office)
    task = data.Task("Social services")
    db.session.add(task)
    db.session.commit()
    task.offices.append(office)
    db.session.add(data.Serial(office_id=office.id, task_id=task.id, p=True))
    touch = data.Touch_store.get()
    touch.n = True                       # registered tickets: no printer needed
    start = datetime.utcnow() - timedelta(seconds=waiting + 60)
    for i in range(waiting):
        ticket = data.Serial(number=101 + i, office_id=office.id, task_id=task.id,
                             name=f"Visitor {i}", n=True)
        ticket.timestamp = start + timedelta(seconds=i)
        db.session.add(ticket)
    token = data.AuthTokens("bench-kiosk", "the bench's API token")
    db.session.add(token)
    db.session.commit()
    print(office.id, task.id, token.token)
'''

USER, PASSWORD = "Admin", "admin"       # FQM's default account
NOBODY_LEFT = "no tickets left to pull"  # FQM's flash when a pull finds nobody waiting


def fqm_python(fqm: Path) -> Path:
    return fqm / ".venv" / "bin" / "python"


def missing(fqm: Path | None) -> str | None:
    """What is missing to run FQM from `fqm` (None: nothing)."""
    if fqm is None:
        return "no --fqm given"
    if not (fqm / "app" / "main.py").is_file():
        return f"{fqm} holds no FQM source (app/main.py)"
    if not (fqm / ".venv" / "bin" / "gunicorn").is_file():
        return f"{fqm}/.venv has no gunicorn (pip install -r requirements/docker.txt)"
    if redis_server() is None:
        return "no redis-server on PATH (apt-get install redis-server)"
    return None


def redis_server() -> str | None:
    return shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/sbin/redis-server") if Path(p).exists()),
        None)


class Response:
    """A status, the Set-Cookie values and the body of one HTTP response."""

    def __init__(self, status: int, cookies: dict[str, str], body: bytes):
        self.status, self.cookies, self.body = status, cookies, body


async def exchange(host: str, port: int, request: bytes) -> Response:
    """One request on its own connection (gunicorn's sync workers close after each answer):
    the head, then the body by its Content-Length or to the connection's end."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        cookies: dict[str, str] = {}
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.lower() == b"set-cookie":
                pair = value.decode().strip().split(";", 1)[0]
                key, _, val = pair.partition("=")
                cookies[key] = val
            elif name.lower() == b"content-length":
                length = int(value)
        body = await (reader.readexactly(length) if length is not None else reader.read())
        return Response(status, cookies, body)
    finally:
        writer.close()


class Browser:
    """A browser's session with FQM: its cookie, CSRF token and requests (Connection: close)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def _request(self, method: str, path: str, form: dict[str, str] | None = None) -> bytes:
        from urllib.parse import urlencode

        body = urlencode(form).encode() if form is not None else b""
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Connection: close\r\n" + (f"Cookie: {cookie}\r\n" if cookie else "")
                + ("Content-Type: application/x-www-form-urlencoded\r\n" if form is not None
                   else "") + f"Content-Length: {len(body)}\r\n\r\n")
        return head.encode() + body

    async def send(self, method: str, path: str, form: dict[str, str] | None = None) -> int:
        answer = await exchange(self.host, self.port, self._request(method, path, form))
        self.cookies.update(answer.cookies)
        found = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', answer.body)
        if found:
            self.csrf = found.group(1).decode()
        return answer.status


class Api:
    """FQM's REST API (/api/v1) with an API token, JSON in and out (Connection: close)."""

    def __init__(self, host: str, port: int, token: str):
        self.host, self.port, self.token = host, port, token

    async def send(self, method: str, path: str, payload: dict[str, Any] | None = None
                   ) -> tuple[int, Any]:
        body = json.dumps(payload).encode() if payload is not None else b""
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Connection: close\r\nAuthorization: Token {self.token}\r\n"
                f"Accept: application/json\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")
        answer = await exchange(self.host, self.port, head.encode() + body)
        return answer.status, json.loads(answer.body or b"null")


class ApiKiosk(Api):
    """A kiosk issuing through FQM's REST API: POST /api/v1/tickets/ (a registered ticket)."""

    def __init__(self, host: str, port: int, token: str, task: int, office: int, k: int):
        super().__init__(host, port, token)
        self.task, self.office, self.k, self.n = task, office, k, 0

    async def open(self) -> None:
        status, _ = await self.send("GET", "/api/v1/tasks/")
        if status != 200:
            raise RuntimeError(f"FQM's API refused the bench's token ({status})")

    async def issue(self) -> bool:
        self.n += 1
        status, _ = await self.send("POST", "/api/v1/tickets/", {
            "task_id": self.task, "office_id": self.office, "n": True,
            "name": f"Kiosk {self.k} {self.n}"})
        return status == 200


class ApiOperator(Api):
    """A counter calling through FQM's REST API: GET /api/v1/tickets/pull at its office."""

    def __init__(self, host: str, port: int, token: str, office: int):
        super().__init__(host, port, token)
        self.office = office

    async def call_next(self) -> bool:
        status, _ = await self.send("GET", f"/api/v1/tickets/pull?office_id={self.office}")
        return status == 200


class Kiosk(Browser):
    """FQM's touch screen: its ticket form for one task, filled and sent."""

    def __init__(self, host: str, port: int, task: int, k: int):
        super().__init__(host, port)
        self.path, self.k, self.n = f"/serial/{task}", k, 0

    async def open(self) -> None:
        if await self.send("GET", self.path) != 200 or not self.csrf:
            raise RuntimeError(f"FQM's touch screen {self.path} gave no ticket form")

    async def issue(self) -> bool:
        """One ticket; True when FQM took it (its answer: a redirect to the touch screen)."""
        self.n += 1
        status = await self.send("POST", self.path, {"csrf_token": self.csrf,
                                                     "name": f"Kiosk {self.k} {self.n}",
                                                     "submit": "Register"})
        return status == 302


class Operator(Browser):
    """FQM's operator, signed in, pulling the next ticket of a task at an office."""

    def __init__(self, host: str, port: int, task: int, office: int):
        super().__init__(host, port)
        self.path = f"/pull/{task}/{office}"

    async def sign_in(self) -> None:
        await self.send("GET", "/")
        status = await self.send("POST", "/", {"csrf_token": self.csrf, "name": USER,
                                               "password": PASSWORD, "submit": "Login"})
        if status != 302:
            raise RuntimeError(f"FQM refused the sign-in of {USER} ({status})")

    async def call_next(self) -> bool:
        """One pull; True when it called someone. FQM redirects either way and says which in a
        flash message that the session cookie carries (the bench does not follow the redirect,
        which would show and drop it)."""
        before = self.session_text().count(NOBODY_LEFT)
        status = await self.send("GET", self.path)
        return status == 302 and self.session_text().count(NOBODY_LEFT) == before

    def session_text(self) -> str:
        """Flask's session cookie, decoded (it is signed, not encrypted): its flash messages."""
        cookie = self.cookies.get("session", "")
        payload = cookie.lstrip(".").split(".", 1)[0]
        data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        return (zlib.decompress(data) if cookie.startswith(".") else data).decode(
            errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FqmServer:
    """FQM on a fresh database with `waiting` waiting: redis-server, then gunicorn -w CPUs."""

    def __init__(self, fqm: Path, tmp: Path, waiting: int):
        self.fqm, self.tmp, self.waiting = fqm, tmp, waiting
        self.db = tmp / "fqm.sqlite"
        self.port = free_port()
        self.procs: list[subprocess.Popen[bytes]] = []
        self.office = self.task = 0
        self.token = ""

    def env(self, redis_port: int) -> dict[str, str]:
        return {**os.environ, "DOCKER": "True", "GUNICORN": "True",
                "SECRET_KEY": secrets.token_hex(16), "FQM_BENCH_REDIS_PORT": str(redis_port),
                "DATABASE_URI": f"sqlite:///{self.db}?check_same_thread=False",
                "PYTHONDONTWRITEBYTECODE": "1"}

    def start(self) -> None:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        conf = self.tmp / "fqm_gunicorn.py"
        conf.write_text(GUNICORN_CONF)
        seed = self.tmp / "fqm_seed.py"
        seed.write_text(SEED)
        redis_port = free_port()
        self.procs.append(subprocess.Popen(
            [redis_server() or "redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.tmp)],
            stdout=subprocess.DEVNULL))
        env = self.env(redis_port)
        wait_for_port(redis_port, 10, self.procs[-1], "redis-server")
        done = subprocess.run([str(fqm_python(self.fqm)), str(seed), str(conf),
                               str(self.waiting)], cwd=self.fqm, env=env, capture_output=True,
                              text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"FQM's database could not be seeded:\n{done.stderr[-2000:]}")
        office, task, self.token = done.stdout.split()[-3:]
        self.office, self.task = int(office), int(task)
        workers = str(os.cpu_count() or 1)
        log = self.tmp / "fqm.log"              # FQM's own output: its start-up notes
        with log.open("wb") as out:
            self.procs.append(subprocess.Popen(
                [str(self.fqm / ".venv" / "bin" / "gunicorn"), "-c", str(conf), "-w", workers,
                 "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", "app:app"],
                cwd=self.fqm, env=env, stdout=out, stderr=subprocess.STDOUT))
        wait_for_port(self.port, 60, self.procs[-1], f"FQM's gunicorn (see {log})")
        asyncio.run(Kiosk("127.0.0.1", self.port, self.task, 0).open())   # workers ready

    def pids(self) -> list[int]:
        """gunicorn's master and workers (the server's CPU is theirs together)."""
        master = self.procs[-1].pid
        children = Path(f"/proc/{master}/task/{master}/children")
        found = [int(p) for p in children.read_text().split()] if children.exists() else []
        return [master, *found]

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()

    def tickets(self) -> dict[str, Any]:
        """Tickets in the file: how many, how many called; duplicates: tickets given a number
        another ticket still held (not yet pulled); reused: numbers given twice at all."""
        with sqlite3.connect(self.db) as conn:
            total, distinct = conn.execute(
                "SELECT COUNT(*), COUNT(DISTINCT number) FROM serials WHERE number != 100"
            ).fetchone()
            duplicates = conn.execute(
                "SELECT COUNT(DISTINCT b.id) FROM serials a JOIN serials b ON "
                "a.number = b.number AND a.id < b.id WHERE a.number != 100 "
                "AND b.timestamp < COALESCE(a.pdt, '9999-12-31')").fetchone()[0]
            called = conn.execute("SELECT COUNT(*) FROM serials WHERE number != 100 AND p = 1"
                                  ).fetchone()[0]
        return {"tickets": total, "called": called, "duplicates": duplicates,
                "reused": total - distinct}


def wait_for_port(port: int, seconds: float, proc: subprocess.Popen[bytes], what: str) -> None:
    """Until something listens on 127.0.0.1:`port` (or the process has ended: an error)."""
    deadline = time.monotonic() + seconds
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc.poll() is not None:
            raise RuntimeError(f"{what} ended with {proc.returncode} before listening")
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on port {port} after {seconds} s")
        time.sleep(0.05)
