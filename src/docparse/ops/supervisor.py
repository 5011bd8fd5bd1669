"""`docparse supervise`: the API and the VLM server (vLLM) in one container.

The API (`docparse serve`) starts first, as a child process, so `/health/live` answers while
the model loads. Then the VLM server command starts; whenever it exits (no GPU, the NCCL
`undefined symbol` import failure, an OOM...) it is started again after an exponential
backoff (1 s, 2 s, 4 s ... 60 s; back to 1 s once a run has stayed up `stable_after`). The
API keeps serving meanwhile: its `/health` reports the VLM server unreachable and pages go
to the CPU fallback. If the API itself dies the supervisor stops the VLM server and exits
non-zero, so the container restarts.

Why the API is a child and not served in this process: a native crash in the API
(pdfium, tesserocr and onnxruntime are C/C++) must not take the supervisor with it, or the
vLLM process would be orphaned holding the GPU; and this process, PID 1 in the container,
stays small and single-purpose (signals, reaping, restarts) with nothing but the standard
library on its hot path.

Each child runs in its own process group: vLLM forks engine-core workers, and those must
not outlive a crashed parent (they would keep the GPU memory the next start needs). Only
the group leader gets SIGTERM (vLLM and uvicorn shut their workers down themselves); what
is left of the group after the leader exits gets SIGKILL.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from docparse.ops.supervisor_config import Backoff, SupervisorConfig

if TYPE_CHECKING:
    pass

log = logging.getLogger("docparse.ops.supervisor")


class Child:
    """One supervised process: its own process group, output tee'd to our stderr with a
    `[name]` prefix, the last lines kept for the exit report."""

    def __init__(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        tail_lines: int,
        out: TextIO,
        out_lock: threading.Lock,
    ) -> None:
        self.name = name
        self.command = command
        self.tail: deque[str] = deque(maxlen=tail_lines)
        self.started_at = time.monotonic()
        # stderr and stdout share one pipe: vLLM logs to stdout and dies with a traceback
        # on stderr, and the report should show both in the order they were written.
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        self._reader = threading.Thread(
            target=self._pump, args=(out, out_lock), name=f"supervise-{name}", daemon=True
        )
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _pump(self, out: TextIO, lock: threading.Lock) -> None:
        assert self.proc.stdout is not None
        with self.proc.stdout:
            for raw in self.proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                self.tail.append(line)
                with lock:
                    try:
                        out.write(f"[{self.name}] {line}\n")
                        out.flush()
                    except (OSError, ValueError):  # our stderr went away; keep draining
                        pass

    def poll(self) -> int | None:
        return self.proc.poll()

    def signal(self, signum: int) -> None:
        """To the leader only; it owns the shutdown of its own workers."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signum)

    def kill_group(self) -> None:
        """SIGKILL whatever is left in the process group (workers of a dead leader)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def finish_output(self, timeout: float = 1.0) -> list[str]:
        """Wait briefly for the pipe to drain, then the last lines."""
        self._reader.join(timeout)
        return list(self.tail)


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"code {code}"


class Supervisor:
    def __init__(self, config: SupervisorConfig, out: TextIO | None = None) -> None:
        self.config = config
        self.out = out or sys.stderr
        self._out_lock = threading.Lock()
        self.backoff = Backoff(config.restart_delay, config.restart_max_delay, config.stable_after)
        self.api: Child | None = None
        self.vlm: Child | None = None
        self._children: dict[int, Child] = {}  # every child not yet reaped, by pid
        self._stop_signal: int | None = None
        self._kill_now = False
        self._api_live = False
        self._next_live_check = 0.0
        self._vlm_start_at: float | None = None
        self._starts = 0

    # -- signals -----------------------------------------------------------------------

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self._stop_signal is None:
            self._stop_signal = signum
        else:
            self._kill_now = True  # a second Ctrl-C / SIGTERM: do not wait any longer

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)

    # -- children ----------------------------------------------------------------------

    def _spawn(self, name: str, command: list[str]) -> Child:
        env = {**os.environ, **self.config.child_env}
        child = Child(name, command, env, self.config.tail_lines, self.out, self._out_lock)
        self._children[child.pid] = child
        log.info("started %s (pid %d): %s", name, child.pid, shlex.join(command))
        return child

    def _start_vlm(self) -> None:
        assert self.config.vlm_command is not None
        self._starts += 1
        try:
            self.vlm = self._spawn("vlm", self.config.vlm_command)
        except OSError as exc:  # e.g. `vllm` is not on PATH: same backoff as a crash
            log.error("cannot start vlm (attempt %d): %s", self._starts, exc)
            self._schedule_restart(0.0)
        else:
            self._vlm_start_at = None

    def _schedule_restart(self, uptime: float) -> None:
        delay = self.backoff.delay(uptime)
        self._vlm_start_at = time.monotonic() + delay
        log.info("restarting vlm in %.2f s (attempt %d)", delay, self._starts + 1)

    def _report_exit(self, child: Child, code: int) -> float:
        uptime = time.monotonic() - child.started_at
        self._children.pop(child.pid, None)
        child.kill_group()
        tail = child.finish_output()
        last = "\n".join(f"    | {line}" for line in tail) if tail else "    | (no output)"
        log.warning(
            "%s (pid %d) exited with %s after %.1f s; last output:\n%s",
            child.name,
            child.pid,
            describe_exit(code),
            uptime,
            last,
        )
        return uptime

    def _reap(self) -> None:
        """As PID 1: collect every exited process, ours or re-parented orphans; a child of
        ours found here gets its status set so Popen.poll() reports it."""
        if not self.config.reap_orphans:
            return
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            child = self._children.get(pid)
            if child is not None and child.proc.returncode is None:
                child.proc.returncode = os.waitstatus_to_exitcode(status)

    def _check_api_live(self) -> None:
        now = time.monotonic()
        if self._api_live or now < self._next_live_check:
            return
        self._next_live_check = now + 0.25
        try:
            with urllib.request.urlopen(self.config.api_live_url, timeout=0.5) as response:
                self._api_live = response.status == 200
        except (urllib.error.URLError, OSError, ValueError):
            return
        if self._api_live:
            log.info("api is live at %s", self.config.api_live_url)

    # -- main loop ---------------------------------------------------------------------

    def run(self) -> int:
        """Supervise until a signal (exit 0) or the API's death (exit non-zero)."""
        self.api = self._spawn("api", self.config.api_command)
        api_deadline = time.monotonic() + self.config.api_start_timeout
        vlm_waiting = self.config.vlm_command is not None
        try:
            while self._stop_signal is None:
                self._reap()
                code = self.api.poll()
                if code is not None:
                    self._report_exit(self.api, code)
                    log.error("the api is gone; stopping (the container should restart)")
                    return code if code > 0 else (128 - code if code < 0 else 1)
                if vlm_waiting:
                    self._check_api_live()
                    if self._api_live or time.monotonic() >= api_deadline:
                        if not self._api_live:
                            log.warning(
                                "api not live after %.0f s; starting vlm anyway",
                                self.config.api_start_timeout,
                            )
                        vlm_waiting = False
                        self._start_vlm()
                elif self.vlm is not None:
                    code = self.vlm.poll()
                    if code is not None:
                        uptime = self._report_exit(self.vlm, code)
                        self.vlm = None
                        self._schedule_restart(uptime)
                elif self._vlm_start_at is not None and time.monotonic() >= self._vlm_start_at:
                    self._start_vlm()
                if not self._api_live and self.config.vlm_command is None:
                    self._check_api_live()  # only for the log line
                time.sleep(self.config.poll_interval)
            log.info("received %s; stopping", signal.Signals(self._stop_signal).name)
            return 0
        finally:
            self.shutdown()

    def _stop(self, child: Child | None) -> None:
        if child is None:
            return
        if child.poll() is None:
            child.signal(signal.SIGTERM)
            deadline = time.monotonic() + self.config.stop_timeout
            while child.poll() is None and time.monotonic() < deadline and not self._kill_now:
                self._reap()
                time.sleep(0.05)
            if child.poll() is None:
                log.warning(
                    "%s (pid %d) did not stop in %.0f s; killing it",
                    child.name,
                    child.pid,
                    self.config.stop_timeout,
                )
                child.kill_group()
                try:
                    child.proc.wait(5)
                except subprocess.TimeoutExpired:
                    log.error("%s (pid %d) survives SIGKILL", child.name, child.pid)
            else:
                log.info(
                    "%s (pid %d) stopped with %s",
                    child.name,
                    child.pid,
                    describe_exit(child.proc.returncode),
                )
        self._children.pop(child.pid, None)
        child.kill_group()  # leftover workers of the group
        child.finish_output()

    def shutdown(self) -> None:
        """The API first, so requests in flight can still reach the VLM while it drains."""
        api, vlm = self.api, self.vlm
        self.api = self.vlm = None
        self._stop(api)
        self._stop(vlm)
        self._reap()


def run_supervisor(config: SupervisorConfig) -> int:
    supervisor = Supervisor(config)
    supervisor.install_signal_handlers()
    return supervisor.run()
