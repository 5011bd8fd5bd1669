"""Admission control: a bounded amount of work for the whole service, whatever the number
of clients.

- **Pages waiting to start**, across all requests, at most `max_queued_pages`: a request
  whose pages would pass that is refused at once (`Overloaded`, HTTP 429 with Retry-After)
  rather than left to wait for minutes. A request larger than the whole budget is admitted
  only while nothing waits, or it could never be.
- **Pages in flight**, bounded by count — slots for the whole service, in three lanes:
  `local`, twice the workers (the next pages render while others are read); `remote`,
  the VLM route's `pages_in_flight` when a remote server does the reading; and `light`,
  where a PDF page whose text layer may do starts: reading it takes milliseconds, so
  born-digital pages are not queued behind OCR pages that take seconds, and a page whose
  layer will not do moves on to a heavy lane before it is drawn. A free slot goes to the
  request with the fewest pages in flight, so a one-page request is not stuck behind a
  long one — and by **pixels**: a page reserves the pixels
  of its render, known from its size and DPI before anything is drawn, and hands them
  back when it is done. A page larger than the whole pixel budget runs alone.
- Everything is handed back on every path: a page that ends, fails or is cancelled; a
  request that ends or is cancelled returns the places of its pages that never started
  (and, being cancelled, they never start).

One `Admission` per service (the converter's); it lives on the service's event loop.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Literal

from docparse.errors import Overloaded
from docparse.settings import Settings

MAX_RETRY_AFTER = 60  # seconds: past this a client should rather hear from us again
FIRST_PAGE_SECONDS = 1.0  # the guess of a page's time before one has been measured
SMOOTHING = 0.2  # weight of the latest page in the moving average of page time

Lane = Literal["light", "local", "remote"]


def render_pixels(width_pt: float, height_pt: float, dpi: float) -> int:
    """The pixels of a page of `width_pt` × `height_pt` points drawn at `dpi`."""
    scale = dpi / 72
    return math.ceil(width_pt * scale) * math.ceil(height_pt * scale)


class Admission:
    def __init__(
        self,
        max_queued_pages: int,
        max_pixels: int,
        slots: int,
        remote_slots: int,
        light_slots: int | None = None,
    ) -> None:
        self.max_queued_pages = max_queued_pages
        self.max_pixels = max_pixels
        self._local_slots = slots
        self._slots: dict[Lane, Slots] = {
            "local": Slots(slots),
            "remote": Slots(remote_slots),
            "light": Slots(light_slots or slots),
        }
        self.queued = 0  # pages admitted and not started
        self.running = 0  # pages started and not ended
        self.pixels = 0  # render pixels reserved by pages in flight
        self.peak_pixels = 0  # the most reserved at once (diagnostics, tests)
        self.started = 0  # pages started since the service began (diagnostics, tests)
        self.refused = 0  # requests refused as over the budget
        self._pixel_waiters: deque[tuple[int, asyncio.Future[None]]] = deque()
        self._page_seconds = FIRST_PAGE_SECONDS
        # Refused requests' pages, and when they were told to come back (monotonic).
        self._promised: deque[tuple[float, int]] = deque()

    @classmethod
    def from_settings(cls, settings: Settings) -> Admission:
        return cls(
            settings.queued_pages_limit,
            settings.pixels_in_flight_limit,
            slots=2 * settings.workers,
            remote_slots=settings.vlm.pages_in_flight,
        )

    def admit(self, pages: int) -> Ticket:
        """Places in the queue for a request's `pages`, or Overloaded when they would pass
        the budget. Use the ticket as a context manager: leaving it returns the places of
        pages that never started."""
        if self.queued and self.queued + pages > self.max_queued_pages:
            self.refused += 1
            retry_after = self.retry_after(pages)
            raise Overloaded(
                f"the service is busy: {self.queued} pages are waiting and this request "
                f"has {pages}, over the limit of {self.max_queued_pages} "
                f"(DOCPARSE_MAX_QUEUED_PAGES); try again in {retry_after} s",
                retry_after,
                queued_pages=self.queued,
                max_queued_pages=self.max_queued_pages,
            )
        self.queued += pages
        return Ticket(self, pages)

    def retry_after(self, pages: int) -> int:
        """Seconds until enough of the queue has drained for `pages` more, at the pace
        pages have been going: the whole queue for a request larger than the budget. The
        pages of requests already refused and told to come back later count as ahead of
        this one, so a crowd refused at once is spread out instead of all told "1 s"."""
        now = time.monotonic()
        self._promised = deque((at, p) for at, p in self._promised if at > now)
        ahead = sum(p for _, p in self._promised)
        if pages > self.max_queued_pages:
            excess = self.queued + ahead
        else:
            excess = self.queued + ahead + pages - self.max_queued_pages
        seconds = excess * self._page_seconds / self._local_slots
        wait = max(1, min(MAX_RETRY_AFTER, math.ceil(seconds)))
        self._promised.append((now + wait, pages))
        return wait

    @asynccontextmanager
    async def reserve_pixels(self, pixels: int) -> AsyncIterator[None]:
        """Hold `pixels` of the in-flight budget for the block (a page's render and the
        work on it); waits, first come first served, while they are not free."""
        want = max(0, min(pixels, self.max_pixels))  # a page over the budget runs alone
        if self._pixel_waiters or self.pixels + want > self.max_pixels:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            entry = (want, waiter)
            self._pixel_waiters.append(entry)
            try:
                await waiter
            except BaseException:
                if waiter.done() and not waiter.cancelled():
                    self._release(want)  # granted as it was cancelled: hand them back
                else:
                    waiter.cancel()
                    self._wake()  # the next in line may fit now
                raise
        else:
            self._take(want)
        try:
            yield
        finally:
            self._release(want)

    def _release(self, pixels: int) -> None:
        self.pixels -= pixels
        self._wake()

    def _wake(self) -> None:
        while self._pixel_waiters:
            want, waiter = self._pixel_waiters[0]
            if waiter.done():  # cancelled while waiting
                self._pixel_waiters.popleft()
                continue
            if self.pixels + want > self.max_pixels:
                return
            self._pixel_waiters.popleft()
            self._take(want)
            waiter.set_result(None)

    def _take(self, pixels: int) -> None:
        self.pixels += pixels
        self.peak_pixels = max(self.peak_pixels, self.pixels)

    def _observe(self, seconds: float) -> None:
        self._page_seconds += SMOOTHING * (seconds - self._page_seconds)


class Slots:
    """Pages in flight, `count` at most; a slot that frees goes to the waiting request
    with the fewest pages in flight (the earliest of those): a fair share, not first come
    first served, so that a short request is not queued behind every page of a long one."""

    def __init__(self, count: int) -> None:
        self.free = count
        self._waiting: dict[Ticket, deque[asyncio.Future[None]]] = {}  # in admission order

    async def acquire(self, ticket: Ticket) -> None:
        if self.free > 0 and not self._waiting:
            self._grant(ticket)
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(ticket, deque()).append(waiter)
        self._wake()  # a slot is free and only cancelled waiters were ahead: now
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.release(ticket)  # granted as it was cancelled: hand it back
            else:
                waiter.cancel()
                self._forget(ticket)
            raise

    def release(self, ticket: Ticket) -> None:
        ticket.in_flight -= 1
        self.free += 1
        self._wake()

    def _grant(self, ticket: Ticket) -> None:
        self.free -= 1
        ticket.in_flight += 1

    def _forget(self, ticket: Ticket) -> None:
        """Drop a request's cancelled waiters (and the request, when none is left)."""
        waiters = self._waiting.get(ticket)
        if waiters is None:
            return
        pending = deque(w for w in waiters if not w.done())
        if pending:
            self._waiting[ticket] = pending
        else:
            del self._waiting[ticket]

    def _wake(self) -> None:
        while self.free > 0 and self._waiting:
            ticket = min(self._waiting, key=lambda t: t.in_flight)  # the earliest on ties
            waiters = self._waiting[ticket]
            waiter = waiters.popleft()
            if not waiters:
                del self._waiting[ticket]
            if waiter.done():  # cancelled while waiting
                continue
            self._grant(ticket)
            waiter.set_result(None)


class Ticket:
    """One request's places in the queue: a page leaves the queue when it starts."""

    def __init__(self, admission: Admission, pages: int) -> None:
        self._admission = admission
        self.waiting = pages  # pages not started
        self.in_flight = 0  # pages holding a slot

    @asynccontextmanager
    async def page(self, heavy: Lane = "local", light: bool = False) -> AsyncIterator[PageSlot]:
        """One page from start to end: queued until a slot is free — in the light lane
        when `light` (a PDF page whose text layer may do), else in its `heavy` one — then
        in flight."""
        admission = self._admission
        slot = PageSlot(self, heavy)
        await slot.take("light" if light else heavy)
        self.waiting -= 1
        admission.queued -= 1
        admission.running += 1
        admission.started += 1
        started = time.monotonic()
        try:
            yield slot
            admission._observe(time.monotonic() - started)
        finally:
            admission.running -= 1
            slot.let_go()

    def close(self) -> None:
        """Return the places of pages that never started."""
        self._admission.queued -= self.waiting
        self.waiting = 0

    def __enter__(self) -> Ticket:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class PageSlot:
    """The slot one page holds. A page that started in the light lane moves to its heavy
    one (`to_heavy`) when its text layer will not do: the time it waits there is added to
    its page time limit (`deadline`), which bounds work, not queueing."""

    def __init__(self, ticket: Ticket, heavy: Lane) -> None:
        self._ticket = ticket
        self._heavy = heavy
        self.lane: Lane | None = None  # none while waiting for one
        self.deadline: asyncio.Timeout | None = None

    async def take(self, lane: Lane) -> None:
        await self._ticket._admission._slots[lane].acquire(self._ticket)
        self.lane = lane

    async def to_heavy(self) -> None:
        if self.lane == self._heavy:
            return
        self.let_go()
        loop = asyncio.get_running_loop()
        # The limit stands still while the page waits: a long scanned PDF's pages all
        # queue here at once, and those at the back were failed as too slow unstarted.
        when = self.deadline.when() if self.deadline else None
        if self.deadline and when is not None:
            left = when - loop.time()
            self.deadline.reschedule(None)
            try:
                await self.take(self._heavy)
            finally:
                self.deadline.reschedule(loop.time() + left)
        else:
            await self.take(self._heavy)

    def let_go(self) -> None:
        if self.lane is not None:
            self._ticket._admission._slots[self.lane].release(self._ticket)
            self.lane = None
