"""The event stream over HTTP: resume from Last-Event-ID, fan-out, and the phone's own stream."""

from __future__ import annotations

import json
from itertools import islice

import httpx
from httpx_sse import EventSource

from server.events.streams import RETRY_MS
from shared.client.event_stream import EventStream
from tests.server.live import LiveServer

JOB = "employment.job-seeker"


def parse_sse(response: httpx.Response):
    """(id, event type, data) of each event with data of a stream, as httpx-sse reads them."""
    return ((sse.id or None, sse.event, sse.data)
            for sse in EventSource(response).iter_sse() if sse.data)


def test_stream_resumes_after_last_event_id(server: LiveServer):
    """A client reconnecting with Last-Event-ID gets exactly the events it missed."""
    first = server.queue.issue(JOB)
    after = server.queue.last_event_id()
    second = server.queue.issue(JOB)
    server.queue.call_next("1")
    stream = EventStream(server.url, server.device_token, after_id=after)
    missed = server.queue.events(after)
    got = list(islice(iter(stream), len(missed)))
    stream.close()
    assert got == missed
    assert got[0].kind == "issued" and got[0].ticket_id == second.id
    assert got[-1].kind == "called" and got[-1].ticket_id == first.id


def test_live_events_reach_every_subscriber(server: LiveServer):
    """Two followers of the stream both receive an event written after they connected."""
    server.queue.issue(JOB)
    start = server.queue.last_event_id()
    a = EventStream(server.url, server.device_token, after_id=start)
    b = EventStream(server.url, server.device_token, after_id=start)
    ia, ib = iter(a), iter(b)
    with server.device_client() as kiosk:
        ticket = kiosk.post("/api/tickets", json={"service": JOB}).json()
    ea, eb = next(ia), next(ib)
    a.close()
    b.close()
    assert ea.id == eb.id and ea.code == eb.code == ticket["code"]


def test_stream_without_resume_point_starts_now(server: LiveServer):
    """A new follower without Last-Event-ID gets only what happens after it connected."""
    server.queue.issue(JOB)
    headers = {"Authorization": f"Bearer {server.device_token}"}
    with httpx.Client(base_url=server.url, timeout=10) as client, \
            client.stream("GET", "/api/events/stream", headers=headers) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        read = EventSource(response).iter_sse()
        assert next(read).retry == RETRY_MS            # the greeting is sent at once
        server.queue.issue(JOB, priority="veteran")
        data = next(sse for sse in read if sse.data).data
    assert json.loads(data)["details"]["priority"] == "veteran"


def test_phone_stream_sends_its_ticket_only(server: LiveServer):
    """The phone's stream sends its own ticket's view when it changes, in its language."""
    ahead = server.queue.issue(JOB)
    mine = server.queue.issue(JOB)
    with httpx.Client(base_url=server.url, timeout=10) as phone, \
            phone.stream("GET", f"/t/{mine.token}/events", params={"lang": "ru"}) as response:
        events = parse_sse(response)
        _, kind, data = next(events)
        assert kind == "status" and json.loads(data)["ahead"] == 1
        server.queue.call_next("1")
        _, kind, data = next(events)
        view = json.loads(data)
    assert view["ahead"] == 0 and view["code"] == mine.code
    assert ahead.code not in data and ahead.token not in data and "token" not in view
    assert view["status_text"] == "ожидает"


def test_phone_stream_follows_the_competing_services_it_counts(server: LiveServer):
    """A job-seeker's phone counts the unemployment ticket ahead (every counter serving job
    seekers serves it too), so calling that ticket updates the phone."""
    server.queue.issue("employment.unemployment")
    mine = server.queue.issue(JOB)
    server.queue.open_counter("1", staff="aysel")   # no counter event while the phone follows
    with httpx.Client(base_url=server.url, timeout=10) as phone, \
            phone.stream("GET", f"/t/{mine.token}/events", params={"lang": "en"}) as response:
        events = parse_sse(response)
        assert json.loads(next(events)[2])["ahead"] == 1
        server.queue.call_next("1")              # calls the unemployment ticket
        _, kind, data = next(events)
    assert kind == "status" and json.loads(data)["ahead"] == 0


def test_phone_stream_of_unknown_token_is_404(server: LiveServer):
    """No stream, and no hint, for a token that is not a ticket's."""
    with httpx.Client(base_url=server.url, timeout=10) as phone:
        assert phone.get("/t/not-a-real-token-123/events").status_code == 404


def test_phone_stream_ends_once_the_ticket_is_settled(server: LiveServer):
    """After a no-show nothing more can change: the phone's stream says `end` and closes."""
    mine = server.queue.issue(JOB)
    server.queue.call_next("1")
    with httpx.Client(base_url=server.url, timeout=10) as phone, \
            phone.stream("GET", f"/t/{mine.token}/events", params={"lang": "en"}) as response:
        events = parse_sse(response)
        assert next(events)[1] == "status"
        server.queue.no_show("1")
        _, kind, data = next(events)
        assert kind == "status" and json.loads(data)["status"] == "no_show"
        assert next(events)[1] == "end"
        assert list(events) == []          # the server closed the stream


def test_the_streams_are_served_once_and_documented(server: LiveServer):
    """No FastAPI route serves the two streams (FastStreams alone does), and the API's OpenAPI
    document still describes both."""
    from server.events.sse import PHONE_PATH, STREAM_PATH

    app = server.handle.app
    assert not [r for r in app.routes if getattr(r, "path", None) in (STREAM_PATH, PHONE_PATH)]
    with httpx.Client(base_url=server.url, timeout=10) as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert "text/event-stream" in paths[STREAM_PATH]["get"]["responses"]["200"]["content"]
    assert {p["name"] for p in paths[PHONE_PATH]["get"]["parameters"]} == {"token", "lang"}
