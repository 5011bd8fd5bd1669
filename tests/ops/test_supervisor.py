"""`docparse supervise` with real processes: the real API, and small Python scripts in place
of vLLM (one that dies at once like the NCCL import failure, one that serves /v1/models)."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from docparse.errors import ConfigurationError
from docparse.ops.supervisor_config import VLM_FLAGS, Backoff, SupervisorConfig
from docparse.settings import Settings, VLMSettings
from tests.conftest import free_port

MODEL = "test/PaddleOCR-VL-test"

CRASHING_VLM = """\
import sys, time
with open(sys.argv[1], "a") as starts:
    starts.write(f"{time.monotonic()}\\n")
print("INFO loading the model", flush=True)
sys.stderr.write("ImportError: libtorch_cuda.so: undefined symbol: ncclCommWindowRegister\\n")
sys.exit(1)
"""

SERVING_VLM = """\
import http.server, json, os, subprocess, sys, time
port, pidfile, model, delay = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
# A worker in the same process group, like vLLM's engine-core process.
worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
with open(pidfile, "w") as out:
    out.write(f"{os.getpid()} {worker.pid}")
time.sleep(delay)  # "loading the model"

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/v1/models":
            self.send_error(404)
            return
        body = json.dumps({"object": "list", "data": [{"id": model, "object": "model"}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass

print("serving", flush=True)
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


def alive(pid: int) -> bool:
    """Running and not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until(check: Callable[[], Any], timeout: float, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s")
        time.sleep(interval)


def get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")
    except (urllib.error.URLError, OSError):
        return 0, None


class Supervised:
    """`python -m docparse supervise` as a container would run it; its log collected."""

    def __init__(self, tmp: Path, vlm_command: str, vlm_port: int, **env: str) -> None:
        self.port = free_port()
        base = {k: v for k, v in os.environ.items() if not k.startswith("DOCPARSE_")}
        self.env = {
            **base,
            "DOCPARSE_HOST": "127.0.0.1",
            "DOCPARSE_PORT": str(self.port),
            "DOCPARSE_OUTPUT_DIR": str(tmp / "output"),
            "DOCPARSE_TEMP_DIR": str(tmp / "tmp"),
            "DOCPARSE_DATA_DIR": str(tmp / "data"),
            "DOCPARSE_PRELOAD_ENGINES": '["tesseract"]',
            "DOCPARSE_VLM_MODEL": MODEL,
            "DOCPARSE_VLM_URL": f"http://127.0.0.1:{vlm_port}/v1",
            "DOCPARSE_VLM_COMMAND": vlm_command,
            "DOCPARSE_VLM_RESTART_DELAY": "0.2",
            "DOCPARSE_VLM_RESTART_MAX_DELAY": "1.6",
            "DOCPARSE_VLM_STABLE_AFTER": "30",
            "DOCPARSE_SUPERVISOR_STOP_TIMEOUT": "10",
            **env,
        }
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "docparse", "supervise"],
            cwd=tmp,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            with self._lock:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    @property
    def log(self) -> str:
        with self._lock:
            return "\n".join(self.lines)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def pids(self, name: str) -> list[int]:
        return [int(p) for p in re.findall(rf"started {name} \(pid (\d+)\)", self.log)]

    def wait_log(self, pattern: str, timeout: float = 15) -> re.Match[str]:
        found: re.Match[str] = wait_until(lambda: re.search(pattern, self.log), timeout)
        return found

    def stop(self, timeout: float = 30) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def close(self) -> None:
        """Whatever happened, leave no process behind."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        for pid in self.pids("api") + self.pids("vlm"):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        self._reader.join(5)
        assert self.proc.stderr is not None
        self.proc.stderr.close()


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[Callable[..., Supervised]]:
    runs: list[Supervised] = []

    def start(vlm_command: str, vlm_port: int, **env: str) -> Supervised:
        run = Supervised(tmp_path, vlm_command, vlm_port, **env)
        runs.append(run)
        return run

    yield start
    for run in runs:
        run.close()


def script(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.slow  # moved out of the 10-minute default run
def test_api_stays_up_while_the_vlm_server_keeps_crashing(
    tmp_path: Path, supervised: Callable[..., Supervised]
) -> None:
    starts = tmp_path / "starts.txt"
    crash = script(tmp_path, "crash.py", CRASHING_VLM)
    started = time.monotonic()
    # Reaping every child (as PID 1 does) must still report the VLM's own exit code.
    run = supervised(
        f"{sys.executable} {crash} {starts}", free_port(), DOCPARSE_SUPERVISOR_REAP_ORPHANS="1"
    )

    wait_until(lambda: get(run.url("/health/live"))[0] == 200, 10, 0.1)
    assert time.monotonic() - started < 10

    # Five starts: the delays between them are 0.2, 0.4, 0.8 and 1.6 s (the cap).
    wait_until(lambda: starts.exists() and len(starts.read_text().split()) >= 5, 15)
    times = [float(t) for t in starts.read_text().split()][:5]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    for gap, delay in zip(gaps, (0.2, 0.4, 0.8, 1.6), strict=True):
        assert delay * 0.9 <= gap < delay + 1.0, gaps
    assert gaps == sorted(gaps)

    def delays() -> list[float]:
        return [float(d) for d in re.findall(r"restarting vlm in ([\d.]+) s", run.log)]

    wait_until(lambda: len(delays()) >= 5, 5)  # the fifth exit is logged a moment later
    assert delays()[:5] == [0.2, 0.4, 0.8, 1.6, 1.6]

    # Each exit is logged with its code and the last lines the server wrote.
    assert re.search(r"vlm \(pid \d+\) exited with code 1 after [\d.]+ s", run.log)
    assert "| ImportError: libtorch_cuda.so: undefined symbol: ncclCommWindowRegister" in run.log
    assert "[vlm] INFO loading the model" in run.log  # its output is passed through

    status, live = get(run.url("/health/live"))
    assert (status, live) == (200, {"status": "alive"})
    status, health = get(run.url("/health"))
    assert status == 200
    assert health["engines"]["paddleocr-vl"]["state"] == "failed"
    assert "unreachable" in health["engines"]["paddleocr-vl"]["reason"]

    assert run.stop() == 0
    for pid in run.pids("api") + run.pids("vlm"):
        assert not alive(pid), pid
    # uvicorn finishes its requests, then re-raises the SIGTERM it caught.
    assert "Finished server process" in run.log
    assert re.search(r"api \(pid \d+\) stopped with (code 0|signal SIGTERM)", run.log)


@pytest.mark.slow
def test_health_follows_the_vlm_server_from_unreachable_to_ready(
    tmp_path: Path, supervised: Callable[..., Supervised]
) -> None:
    vlm_port, pidfile = free_port(), tmp_path / "vlm.pids"
    serve = script(tmp_path, "serve.py", SERVING_VLM)
    run = supervised(f"{sys.executable} {serve} {vlm_port} {pidfile} {MODEL} 2", vlm_port)
    wait_until(lambda: get(run.url("/health/live"))[0] == 200, 10, 0.1)

    seen: list[tuple[str, str]] = []

    def vlm_ready() -> bool:
        status, health = get(run.url("/health"))
        assert status == 200
        engine = health["engines"]["paddleocr-vl"]
        seen.append((engine["state"], engine.get("reason", "")))
        return engine["state"] == "ready" and health["paddleocr"] == "ready"

    # The engine probes the server at most every 5 s, so allow for that after it is up.
    wait_until(vlm_ready, 20, 0.5)
    assert any(state == "failed" and "unreachable" in reason for state, reason in seen), seen
    assert seen[-1][0] == "ready"
    assert get(run.url("/health/ready"))[0] == 200

    server_pid, worker_pid = map(int, pidfile.read_text().split())
    assert run.pids("vlm") == [server_pid]
    assert alive(worker_pid)
    assert run.stop() == 0
    for pid in [*run.pids("api"), server_pid, worker_pid]:
        assert not alive(pid), pid  # the worker went with its process group


def test_supervisor_exits_non_zero_when_the_api_dies(
    tmp_path: Path, supervised: Callable[..., Supervised]
) -> None:
    vlm_port, pidfile = free_port(), tmp_path / "vlm.pids"
    serve = script(tmp_path, "serve.py", SERVING_VLM)
    run = supervised(f"{sys.executable} {serve} {vlm_port} {pidfile} {MODEL} 0", vlm_port)
    run.wait_log(r"started vlm \(pid \d+\)")
    wait_until(pidfile.exists, 10)
    wait_until(lambda: len(pidfile.read_text().split()) == 2, 5)
    server_pid, worker_pid = map(int, pidfile.read_text().split())

    os.kill(run.pids("api")[0], signal.SIGKILL)
    assert run.proc.wait(30) == 128 + signal.SIGKILL
    assert re.search(r"api \(pid \d+\) exited with signal SIGKILL", run.log)
    assert "the api is gone" in run.log
    for pid in (server_pid, worker_pid):
        assert not alive(pid), pid


def test_backoff_doubles_up_to_the_cap_and_resets_after_a_stable_run() -> None:
    backoff = Backoff(initial=1, maximum=60, stable_after=120)
    assert [backoff.delay(uptime=5) for _ in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert backoff.delay(uptime=300) == 1  # it had stayed up: start over
    assert backoff.delay(uptime=1) == 2


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_default_vlm_command_serves_the_downloaded_model(tmp_path: Path) -> None:
    model_dir = tmp_path / "models" / "PaddleOCR-VL-1.6"
    model_dir.mkdir(parents=True)
    (model_dir / "config.json").write_text("{}")
    config = SupervisorConfig.from_env(
        settings(port=8081),
        {
            "DOCPARSE_MODELS_DIR": str(tmp_path / "models"),
            "DOCPARSE_VLM_EXTRA_ARGS": "--gpu-memory-utilization 0.5",
        },
    )
    assert config.vlm_command == [
        "vllm",
        "serve",
        str(model_dir),
        "--host",
        "0.0.0.0",
        "--port",
        "8080",
        "--served-model-name",
        "PaddlePaddle/PaddleOCR-VL-1.6",
        *VLM_FLAGS,
        "--gpu-memory-utilization",
        "0.5",
    ]
    assert "--no-enable-prefix-caching" in VLM_FLAGS
    assert config.api_live_url == "http://127.0.0.1:8081/health/live"
    # The API is pointed at the server the supervisor runs.
    assert config.child_env["DOCPARSE_VLM_URL"] == "http://127.0.0.1:8080/v1"
    assert config.api_command[1:] == ["-m", "docparse", "serve", "--log-level", "info"]


def test_vlm_command_can_be_replaced_and_the_model_fetched_by_name() -> None:
    config = SupervisorConfig.from_env(
        settings(vlm=VLMSettings(url="http://gpu:9000/v1", model="PaddlePaddle/PaddleOCR-VL-1.5")),
        {
            "DOCPARSE_VLM_COMMAND": "python3 -m vllm.entrypoints.openai.api_server --port 9000",
            "DOCPARSE_VLM_RESTART_DELAY": "2.5",
        },
    )
    assert config.vlm_command == [
        "python3",
        "-m",
        "vllm.entrypoints.openai.api_server",
        "--port",
        "9000",
    ]
    assert "DOCPARSE_VLM_URL" not in config.child_env  # already set by the operator
    assert config.restart_delay == 2.5
    assert (
        SupervisorConfig.from_env(settings(), {}).vlm_command[2] == "PaddlePaddle/PaddleOCR-VL-1.6"
    )  # no local copy: vLLM fetches it by name
    assert SupervisorConfig.from_env(settings(), {}, vlm=False).vlm_command is None


@pytest.mark.parametrize(
    "env",
    [
        {"DOCPARSE_VLM_RESTART_DELAY": "soon"},
        {"DOCPARSE_VLM_PORT": "80800"},
        {"DOCPARSE_VLM_EXTRA_ARGS": "--x 'unclosed"},
    ],
)
def test_bad_supervisor_settings_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError):
        SupervisorConfig.from_env(settings(), env)
