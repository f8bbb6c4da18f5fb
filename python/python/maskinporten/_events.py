"""Forwarding the flows' events to the ``logging`` logger ``"maskinporten"``."""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["forward", "log"]

#: The package's logger. A library adds no handler but a ``NullHandler``: the application
#: decides where records go (``logging.basicConfig(level=logging.DEBUG)`` shows everything).
log = logging.getLogger("maskinporten")
log.addHandler(logging.NullHandler())


def forward(source: Any) -> None:
    """Logs the events queued in ``source`` (a ``TokenFlow`` or ``Validator``) that the logger
    would emit; quieter ones are dropped natively. Each record's ``maskinporten_event`` is the
    ``FlowEvent`` (``name``, ``level``, ``to_json()``)."""
    for event in source.drain_events(log.getEffectiveLevel()):
        log.log(event.levelno, "%s", event, extra={"maskinporten_event": event})
