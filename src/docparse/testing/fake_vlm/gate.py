"""The fake server's batch limit: at most `capacity` requests are processed at once."""

from __future__ import annotations

import asyncio
from typing import Protocol


class GateOwner(Protocol):
    @property
    def capacity(self) -> int | None: ...

    def _entered(self, active: int) -> None: ...

    def _left(self, active: int) -> None: ...


class Gate:
    """Admits at most `capacity` requests at once, like a GPU's batch limit. The others
    wait. It checks the limit again when a request leaves or the capacity changes. It is
    only touched from the server's loop, so it needs no lock."""

    def __init__(self, owner: GateOwner) -> None:
        self._owner = owner
        self._waiters: list[asyncio.Future[None]] = []
        self.active = 0

    async def __aenter__(self) -> None:
        while not self._has_room():
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
        self.active += 1
        self._owner._entered(self.active)

    async def __aexit__(self, *_: object) -> None:
        self.active -= 1
        self._owner._left(self.active)
        self.wake()

    def _has_room(self) -> bool:
        capacity = self._owner.capacity
        return capacity is None or self.active < capacity

    def wake(self) -> None:
        """Let every waiter check for room again."""
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()
