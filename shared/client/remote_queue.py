"""RemoteQueue: the queue contract over the server's JSON API (kiosks, boards and counters on
other machines of the centre). Errors come back as the same named exceptions; a server that
cannot be reached raises QueueUnavailable.

Writes wait longer than reads: the server may wait up to its SQLite busy timeout for the
database, and a kiosk that gave up earlier would say "out of service" for a ticket that was
issued after all. Issuing also carries a random request id and is retried once with it on a
transport error: the server hands back the first try's ticket instead of a second one."""

from __future__ import annotations

import secrets
import threading
from typing import TYPE_CHECKING, Any

import httpx

from shared.bookings.checkin import CheckIn
from shared.client import api_table as api
from shared.client.event_stream import EventStreamFeed
from shared.config.centre import CentreConfig, parse_config
from shared.core import errors
from shared.core.clock import Clock, SystemClock
from shared.core.counter_profiles import ProfileNow, ScheduledSwitch
from shared.core.errors import NovbeError, QueueUnavailable
from shared.core.model import FINISH_OUTCOMES, CounterState, Event, Snapshot, Ticket, VisitEnd
from shared.core.queue import Queue
from shared.store.database import BUSY_TIMEOUT_MS

DEFAULT_TIMEOUT = 5.0
WRITE_TIMEOUT = BUSY_TIMEOUT_MS / 1000 + 5.0   # longer than the server may wait for SQLite


class RemoteError(NovbeError):
    """The server refused the request for a reason with no named exception here."""

    def __init__(self, message: str, status: int = 400, name: str = ""):
        super().__init__(message)
        self.status = status      # the HTTP status the server answered with
        self.name = name


def error_from_response(response: httpx.Response) -> NovbeError:
    """The named exception the server raised, rebuilt from its JSON error body."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    name = str(body.get("error", ""))
    message = str(body.get("message") or body.get("detail") or response.reason_phrase
                  or f"HTTP {response.status_code}")
    named = api.named_error(body, message)
    if named is not None:
        return named
    if response.status_code >= 500:
        return QueueUnavailable(f"the queue server failed: {message}")
    return RemoteError(message, response.status_code, name)


class MissingDeviceToken(NovbeError):
    """--server was given without the device's --token."""


def connect_device(server: str, token: str | None, device: str) -> RemoteQueue:
    """The queue of the centre's server for a kiosk or board started with --server/--token."""
    if not token:
        raise MissingDeviceToken(f"--server needs --token (the {device}'s device token, "
                                 "from `novbe device add NAME` on the server)")
    return RemoteQueue(server, token)


class RemoteQueue:
    """The queue on the centre's server, reached with a device token."""

    def __init__(self, url: str, token: str, timeout: float = DEFAULT_TIMEOUT,
                 transport: httpx.BaseTransport | None = None,
                 write_timeout: float = WRITE_TIMEOUT):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.write_timeout = max(write_timeout, timeout)
        self._client = httpx.Client(
            base_url=self.url, timeout=timeout, transport=transport,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
        self._config: CentreConfig | None = None
        self._config_version: str | None = None
        self._config_lock = threading.Lock()
        self.clock: Clock = SystemClock()   # the device's own clock (doctor checks it against the server's)

    # ---- plumbing -------------------------------------------------------------------------
    def _request(self, route: api.Route, json: Any = None, *,
                 params: dict[str, Any] | None = None, retries: int = 0, **parts: str) -> Any:
        """The route's answer (its path filled in with `parts`), or the named error."""
        return self._send(route.method, route.url(**parts), json, params, retries)

    def _send(self, method: str, path: str, json: Any, params: dict[str, Any] | None,
              retries: int) -> Any:
        timeout = (httpx.Timeout(self.write_timeout, connect=self.timeout) if method != "GET"
                   else httpx.USE_CLIENT_DEFAULT)
        try:
            response = self._client.request(method, path, json=json, params=params,
                                            timeout=timeout)
        except httpx.TransportError as exc:
            if retries > 0:        # only for requests safe to repeat (issue: same request id)
                return self._send(method, path, json, params, retries - 1)
            raise QueueUnavailable(f"the queue server {self.url} cannot be reached: {exc}") from exc
        except RuntimeError as exc:  # the client was closed
            raise QueueUnavailable(f"the connection to {self.url} is closed") from exc
        if response.status_code >= 400:
            raise error_from_response(response)
        try:
            return response.json()
        except ValueError as exc:
            raise QueueUnavailable(f"the queue server {self.url} sent no JSON") from exc

    def _ticket(self, route: api.Route, json: Any = None, **parts: str) -> Ticket:
        return Ticket.from_json(self._send(route.method, route.url(**parts), json, None, 0))

    @property
    def config(self) -> CentreConfig:
        """The centre config, as the server has it (fetched once; fresh_config follows it)."""
        with self._config_lock:
            if self._config is None:
                self._config_version = self._version_or_none()
                self._config = self._fetch_config()
            return self._config

    def _fetch_config(self) -> CentreConfig:
        return parse_config(self._request(api.CONFIG), f"{self.url}{api.CONFIG.url()}")

    def config_version(self) -> str:
        """The version (a hash) of the server's config now."""
        return str(self._request(api.CONFIG_VERSION)["version"])

    def _version_or_none(self) -> str | None:
        """The config's version, or None from a server that cannot tell (one older than
        /api/config/version): its config is then read once, as before."""
        try:
            return self.config_version()
        except (RemoteError, KeyError, TypeError):
            return None

    def fresh_config(self) -> CentreConfig | None:
        """The server's config when it has changed since this queue last read it (the server
        was restarted with new hours, services or texts), else None. One small request; the
        config itself is read again only on a new version. A running remote kiosk or board
        calls this every CONFIG_CHECK_SECONDS (shared.config.centre) to follow the server."""
        version = self._version_or_none()
        if version is None:
            return None
        with self._config_lock:
            if self._config is not None and version == self._config_version:
                return None
            try:
                config = self._fetch_config()
            except errors.ConfigError:
                self._config_version = version   # refused once (the caller says so), not at every check
                raise
            self._config, self._config_version = config, version
            return config

    def close(self) -> None:
        self._client.close()

    def event_feed(self) -> EventStreamFeed:
        """A push feed of this server's events for a board (SSE with resume)."""
        return EventStreamFeed(self.url, self.token)

    def __enter__(self) -> RemoteQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the contract ---------------------------------------------------------------------
    def issue(self, service: str, priority: str | None = None, language: str = "az",
              source: str | None = None, check_hours: bool = False,
              request_id: str | None = None) -> Ticket:
        body = {"service": service, "priority": priority, "language": language,
                "source": source, "check_hours": check_hours,
                "request_id": request_id or secrets.token_urlsafe(16)}
        return Ticket.from_json(self._request(api.ISSUE, body, retries=1))

    def issued_for(self, request_id: str) -> Ticket:
        return self._ticket(api.ISSUED_FOR, request_id=self._token(request_id))

    def check_in(self, code: str, walk_in_if_early: bool = False,
                 source: str | None = None) -> CheckIn:
        body = {"code": str(code)[:200], "walk_in_if_early": walk_in_if_early}
        return CheckIn.from_json(self._request(api.CHECK_IN, body, retries=1))

    def _at_counter(self, counter: str, route: api.Route, expect: str | None,
                    body: dict[str, Any] | None = None) -> Ticket:
        body = dict(body or {})
        if expect is not None:
            body["expect"] = expect
        return self._ticket(route, body or None, counter=self._counter(counter))

    def call_next(self, counter: str, staff: str | None = None, expect: str | None = None) -> Ticket:
        return self._at_counter(counter, api.CALL_NEXT, expect, {"staff": staff})

    def call(self, counter: str, ticket: str, staff: str | None = None,
             expect: str | None = None) -> Ticket:
        return self._at_counter(counter, api.CALL, expect, {"ticket": str(ticket), "staff": staff})

    def recall(self, counter: str, expect: str | None = None) -> Ticket:
        return self._at_counter(counter, api.RECALL, expect)

    def start(self, counter: str, expect: str | None = None) -> Ticket:
        return self._at_counter(counter, api.START, expect)

    def finish(self, counter: str, outcome: str = "served", expect: str | None = None) -> Ticket:
        if outcome not in FINISH_OUTCOMES:
            raise NovbeError(f"unknown outcome {outcome!r} (known: {', '.join(FINISH_OUTCOMES)})")
        return self._at_counter(counter, api.FINISH, expect, {"outcome": outcome})

    def correct(self, counter: str, ticket: str, outcome: str) -> VisitEnd:
        return VisitEnd.from_json(self._request(
            api.CORRECT, {"ticket": str(ticket), "outcome": outcome},
            counter=self._counter(counter)))

    def no_show(self, counter: str, expect: str | None = None) -> Ticket:
        return self._at_counter(counter, api.NO_SHOW, expect)

    def transfer(self, counter: str, service: str, expect: str | None = None) -> Ticket:
        return self._at_counter(counter, api.TRANSFER, expect, {"service": service})

    def cancel(self, ticket: str) -> Ticket:
        return self._ticket(api.CANCEL, ref=self._ticket_ref(ticket))

    def open_counter(self, counter: str, staff: str | None = None) -> CounterState:
        return CounterState.from_json(self._request(api.OPEN, {"staff": staff},
                                                    counter=self._counter(counter)))

    def pause_counter(self, counter: str) -> CounterState:
        return CounterState.from_json(self._request(api.PAUSE, counter=self._counter(counter)))

    def close_counter(self, counter: str) -> CounterState:
        return CounterState.from_json(self._request(api.CLOSE, counter=self._counter(counter)))

    def counter_state(self, counter: str) -> CounterState:
        return CounterState.from_json(self._request(api.COUNTER, counter=self._counter(counter)))

    def switch_profile(self, counter: str, profile: str, staff: str | None = None,
                       manager: bool = False) -> ProfileNow:
        """(`manager`: the server decides from the caller's role.)"""
        return ProfileNow.from_json(self._request(api.SWITCH_PROFILE, {"profile": profile},
                                                  counter=self._counter(counter)))

    def schedule_profile(self, counter: str, profile: str, starts_at: float, ends_at: float,
                         staff: str | None = None) -> ScheduledSwitch:
        return ScheduledSwitch.from_json(self._request(api.SCHEDULE_PROFILE, {
            "counter": str(counter), "profile": profile, "starts_at": starts_at,
            "ends_at": ends_at}))

    def cancel_profile_schedule(self, switch_id: int, staff: str | None = None) -> None:
        self._request(api.CANCEL_SCHEDULED, {}, switch=str(int(switch_id)))

    def profiles_now(self) -> tuple[dict[str, ProfileNow], list[ScheduledSwitch]]:
        data = self._request(api.PROFILES)
        return ({c: ProfileNow.from_json(p) for c, p in data["counters"].items()},
                [ScheduledSwitch.from_json(s) for s in data["scheduled"]])

    def waiting(self, counter: str | None = None, limit: int = 200) -> list[Ticket]:
        params: dict[str, Any] = {"limit": limit}
        if counter is not None:
            params["counter"] = str(counter)
        return [Ticket.from_json(t) for t in self._request(api.WAITING, params=params)]

    def ticket(self, code: str) -> Ticket:
        return self._ticket(api.TICKET, ref=self._ticket_ref(code))

    def status(self, token: str) -> Ticket:
        return self._ticket(api.STATUS, token=self._token(token))

    def rate(self, token: str, score: int) -> Ticket:
        if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
            raise NovbeError(f"a rating is a whole number from 1 to 5, got {score!r}")
        return self._ticket(api.RATE, {"score": score}, token=self._token(token))

    def report_device(self, source: str, kind: str, message: str = "",
                      ticket_id: int | None = None) -> Event:
        return Event.from_json(self._request(api.DEVICE_REPORT, {
            "source": source, "kind": kind, "message": message, "ticket_id": ticket_id}))

    def heartbeat(self, source: str, role: str, version: str, state: dict[str, Any]) -> str:
        """The server names the device from its token; `source` and `role` are its own. The
        answer: the server's version ("0+unknown" from a server too old to say)."""
        answer = self._request(api.HEARTBEAT, {"version": version, **state})
        return str(answer.get("version", "0+unknown")) if isinstance(answer, dict) \
            else "0+unknown"

    def print_requests(self, source: str) -> list[Ticket]:
        text = str(source)
        if not 1 <= len(text) <= 64 or not all(ch.isascii() and (ch.isalnum() or ch in "-_.") for ch in text):
            raise NovbeError(f"a kiosk id is 1–64 letters, digits, '-', '_' or '.'; got {source!r}")
        return [Ticket.from_json(t) for t in self._request(api.PRINT_REQUESTS, source=text)]

    def snapshot(self, zone: str | None = None) -> Snapshot:
        params = {"zone": zone} if zone is not None else None
        return Snapshot.from_json(self._request(api.SNAPSHOT, params=params))

    def events(self, after_id: int = 0, limit: int = 500) -> list[Event]:
        return [Event.from_json(e) for e in self._request(
            api.EVENTS, params={"after_id": after_id, "limit": limit})]

    def last_event_id(self) -> int:
        return int(self._request(api.LAST_EVENT)["last_event_id"])

    # ---- references in URLs ---------------------------------------------------------------
    def _counter(self, counter: str) -> str:
        """A counter id as a path segment; ids outside the config's alphabet are unknown."""
        text = str(counter)
        if not 1 <= len(text) <= 16 or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in text):
            raise errors.UnknownCounter(f"unknown counter {counter!r}")
        return text

    def _ticket_ref(self, ref: str) -> str:
        text = str(ref).strip()
        if not 1 <= len(text) <= 100 or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in text):
            raise errors.TicketNotFound(f"no ticket {ref!r} today")
        return text

    def _token(self, token: str) -> str:
        text = str(token)
        if not 8 <= len(text) <= 100 or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in text):
            raise errors.TicketNotFound("no ticket with this token")
        return text


if TYPE_CHECKING:
    _A_QUEUE: type[Queue] = RemoteQueue      # mypy checks RemoteQueue against the contract
