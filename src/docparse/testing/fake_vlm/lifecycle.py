"""The fake server's thread: uvicorn on 127.0.0.1 in a background thread with its own
event loop, which lives as long as the server, so that `down()` / `up()` can close and
reopen the listener on the same port while counters and knobs stay in place."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from types import TracebackType
from typing import Any, Self, TypeVar

import uvicorn
from starlette.applications import Starlette

from docparse.testing.fake_vlm.gate import Gate, GateOwner

T = TypeVar("T")


class ServerThread:
    """Start, stop, down and up for a Starlette app (`self.app`) served from its own
    thread. The subclass provides the app and the gate's owner hooks."""

    app: Starlette
    _port: int
    _loop: asyncio.AbstractEventLoop | None
    _thread: threading.Thread | None
    _gate: Gate | None
    _server: uvicorn.Server | None
    _serving: asyncio.Task[None] | None

    def _gate_owner(self) -> GateOwner:
        raise NotImplementedError

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> Self:
        """Start the event-loop thread and the server. Returns once it accepts connections."""
        if self._loop is not None:
            raise RuntimeError("FakeVLM already started")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name="fake-vlm", daemon=True)
        self._thread.start()
        self._gate = Gate(self._gate_owner())  # used only on the loop; it creates its futures there
        try:
            self.up()
        except BaseException:
            self.stop()  # no thread left behind when the port is taken, for example
            raise
        return self

    def stop(self) -> None:
        """Stop the server and the loop thread. Calling it twice is harmless."""
        if self._loop is None:
            return
        self.down()
        self._loop.call_soon_threadsafe(self._loop.stop)
        assert self._thread is not None
        self._thread.join(timeout=10)
        self._loop = self._thread = self._gate = None

    def down(self) -> None:
        """Close the listener so that new connections are refused. Requests in flight finish."""
        if self._server is not None:
            self._call(self._serve_down())

    def up(self) -> None:
        """Listen again on the same port."""
        if self._loop is None:
            raise RuntimeError("FakeVLM not started")
        if self._server is None:
            self._call(self._serve_up())

    @property
    def is_up(self) -> bool:
        return self._server is not None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("FakeVLM not started")
        return self._port

    @property
    def url(self) -> str:
        """The server root, where /health is."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI base URL, ending in /v1."""
        return f"{self.url}/v1"

    # -- the loop thread --------------------------------------------------------------------

    def _run_loop(self) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            # Finish whatever is left so that nothing warns when it is garbage-collected.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's loop and wait for its result."""
        assert self._loop is not None
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout=30)

    async def _serve_up(self) -> None:
        # We bind the socket ourselves: uvicorn calls sys.exit() when it cannot bind, and
        # we want an OSError here instead. SO_REUSEADDR lets up() take the port back at
        # once after down(), without waiting out TIME_WAIT.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", self._port))
        except OSError:
            sock.close()
            raise
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_level="warning", access_log=False, http="h11", ws="none", lifespan="off"
        )
        server = uvicorn.Server(config)
        serving = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
        while not server.started:
            if serving.done():
                sock.close()
                await serving  # raises the reason it stopped
                raise RuntimeError("fake VLM server stopped during startup")
            await asyncio.sleep(0.005)
        self._server, self._serving = server, serving

    async def _serve_down(self) -> None:
        assert self._server is not None and self._serving is not None
        self._server.should_exit = True
        await self._serving
        self._server = self._serving = None
