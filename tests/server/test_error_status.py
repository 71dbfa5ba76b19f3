"""The server's one table of HTTP statuses for the named errors (the errors carry none)."""

from __future__ import annotations

import inspect

from server.api.error_status import STATUS, http_status
from shared.client.remote_queue import RemoteError
from shared.core import errors


def test_each_error_gets_its_own_or_its_base_status():
    """A class in the table gets its status, a subclass its nearest base's, the rest 400."""
    assert http_status(errors.TicketNotFound("x")) == 404
    assert http_status(errors.CounterChanged("x")) == 409       # an IllegalTransition
    assert http_status(errors.DamagedDatabase("x")) == 503      # a QueueUnavailable
    assert http_status(errors.ConfigError(["broken"])) == 400
    assert http_status(errors.NovbeError("x")) == 400


def test_a_remote_refusal_keeps_the_status_it_came_with():
    """A queue server's refusal with no named error here is passed on with its own status."""
    assert http_status(RemoteError("gone", 410, "Gone")) == 410


def test_every_queue_error_but_bad_input_is_in_the_table():
    """Each named error of the queue has a status chosen for it (only ConfigError means 400)."""
    named = [cls for _, cls in inspect.getmembers(errors, inspect.isclass)
             if issubclass(cls, errors.NovbeError) and cls is not errors.NovbeError]
    unmapped = [c.__name__ for c in named
                if not any(base in STATUS for base in c.__mro__) and c is not errors.ConfigError]
    assert not unmapped, unmapped
