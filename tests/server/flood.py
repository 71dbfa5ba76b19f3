"""A sign-in flood for tests and benchmarks: wrong passwords for ever-new names from many
loopback source addresses (127.0.0.2, 127.0.0.3, … — all this machine), a few attempts in
flight per address, until stopped. Loopback only; every client has a timeout."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable

import httpx

REFUSED_PAUSE = 0.1        # after a 429 an attacker's worker tries again this much later


def flood_addresses(n: int) -> list[str]:
    """n distinct loopback source addresses: 127.0.0.2 … 127.0.0.(n+1)."""
    if not 0 < n <= 250:
        raise ValueError("between 1 and 250 addresses")
    return [f"127.0.0.{i}" for i in range(2, n + 2)]


class SignInFlood:
    """`per_address` workers per address posting wrong passwords to `path` until stop()."""

    def __init__(self, url: str, path: str, addresses: list[str], per_address: int = 3,
                 verify: bool | str = True):
        self.url, self.path, self.verify = url, path, verify
        self.addresses, self.per_address = addresses, per_address
        self.answers: Counter[str] = Counter()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> SignInFlood:
        for address in self.addresses:
            for worker in range(self.per_address):
                thread = threading.Thread(target=self._attack, args=(address, worker),
                                          name=f"flood-{address}-{worker}", daemon=True)
                thread.start()
                self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(40)

    def _attack(self, address: str, worker: int) -> None:
        transport = httpx.HTTPTransport(local_address=address, verify=self.verify)
        with httpx.Client(base_url=self.url, transport=transport, timeout=30) as client:
            n = 0
            while not self._stop.is_set():
                n += 1
                try:
                    status = str(client.post(self.path, data={
                        "username": f"guess-{worker}-{n}", "password": "not-the-password"},
                    ).status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                with self._lock:
                    self.answers[status] += 1
                if status == "429":
                    self._stop.wait(REFUSED_PAUSE)

    def wait_for(self, condition: Callable[[], bool], seconds: float = 60) -> None:
        """Block until `condition()` holds (checked every 20 ms), or fail after `seconds`."""
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the flood did not get there within {seconds} s "
                                   f"(answers so far: {dict(self.answers)})")
            self._stop.wait(0.02)
