"""The server: the queue over HTTP for staff PCs, phones, and kiosks/boards on other machines.

    app.py           create_app(queue, config, …) and run_server_in_thread(…) → ServerHandle
    serving.py       how it runs: uvicorn with a guarded protocol (header deadline, header cap,
                     connection caps), TLS, trusted proxies; limits.py the figures
    body_limit.py    request bodies capped (and timed) before any route reads them
    offload.py       thread lanes for reads, writes and password checks (never on the loop)
    api.py           the JSON API, one route per queue operation (schemas.py: bodies and
                     the typed answers)
    streams.py       Server-Sent Events: the queue's events (resume by Last-Event-ID) and a
                     phone's own ticket; sse.py serves both without FastAPI's per-chunk layers
    event_hub.py     one reader of the queue's events waking every stream; re-checks streams'
                     credentials
    auth.py          who asks: device bearer token or staff session (+ CSRF, same origin)
    accounts.py      staff (scrypt), device tokens (SHA-256) and their counters, sessions — in
                     the queue's file (accounts_schema.py: the server's own migrations)
    throttle.py      sign-in throttling that slows attackers, never locks colleagues out
    pages_counter.py the counter console /counter; pages_phone.py the phone page /t/{token}
    views.py         what those pages show, in az/ru/en; web.py templates and language
    config_doc.py    the centre config as a dict for RemoteQueue
    cli.py           novbe serve | staff add/passwd/remove/list | device add/counters/remove/list
"""
