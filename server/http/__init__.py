"""How the server faces the network: uvicorn with guarded connections and TLS, body and time limits, work kept off the event loop."""
