"""Waking the threads and tasks that wait on one flow or validator when its generation changes
(the core's ``"wait"`` step): a ``threading.Condition`` for threads, ``asyncio.Event``s set from
any thread for tasks. Never polling."""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from typing import Any, Callable

__all__ = ["Notifier", "notifier_for"]


class Notifier:
    """Wakes the waiters of one flow (or validator) whose generation ``generation()`` reads."""

    def __init__(self, generation: Callable[[], int]) -> None:
        self._generation = generation
        self._condition = threading.Condition()
        self._tasks: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    def notify(self) -> None:
        """Wakes every waiter (call it after the generation changed)."""
        with self._condition:
            self._condition.notify_all()
            tasks = list(self._tasks)
        for loop, event in tasks:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop is closed; its waiter is gone
                pass

    def wait(self, generation: int, timeout: float) -> None:
        """Blocks while the generation is ``generation``, at most ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._generation() == generation:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._condition.wait(remaining)

    async def wait_async(self, generation: int, timeout: float) -> None:
        """The asyncio form of ``wait``."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._condition:
            if self._generation() != generation:
                return
            self._tasks.add(entry)
        try:
            await asyncio.wait_for(entry[1].wait(), timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            with self._condition:
                self._tasks.discard(entry)


_notifiers: "weakref.WeakKeyDictionary[Any, Notifier]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def notifier_for(owner: Any) -> Notifier:
    """The one notifier of ``owner`` (a ``TokenFlow`` or a ``Validator``), shared by every
    provider or validator that uses it."""
    with _lock:
        notifier = _notifiers.get(owner)
        if notifier is None:
            # A weak reference: the notifier is the dictionary's value and must not keep its key alive.
            ref = weakref.ref(owner)
            notifier = _notifiers[owner] = Notifier(lambda: _generation(ref))
        return notifier


def _generation(ref: "weakref.ref[Any]") -> int:
    owner = ref()
    return -1 if owner is None else int(owner.generation)
