"""The server: the queue over HTTP for staff PCs, phones, and kiosks/boards on other machines.

    app.py     create_app(queue, config, …) and run_server_in_thread(…) → ServerHandle
    cli.py     novbe serve | staff add/passwd/remove/list | device add/counters/remove/list
    http/      uvicorn with guarded connections and TLS, body and time limits, thread lanes
    auth/      who asks (device token or staff session), staff accounts, sign-in throttle,
               counter claims
    pages/     the counter console, the phone page, the manager's views, reports, plan, docs
    api/       the JSON API (one route per queue operation), its bodies and typed answers,
               the error → status table; the config it sends devices is the config model's
               own document (shared/config/centre.py)
    events/    the event hub and the Server-Sent Events streams
    shipping/  the link to the central PostgreSQL, the shipper and its process
"""
