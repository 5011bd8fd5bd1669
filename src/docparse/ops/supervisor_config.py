"""What `docparse supervise` runs: the API and VLM server commands, their environment and
restart timing, read from the settings and the environment."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from docparse.errors import ConfigurationError

if TYPE_CHECKING:
    from docparse.settings import Settings

# The vLLM flags of the PaddleOCR-VL recipe (research notes §6): prefix caching and the
# multimodal processor cache only cost memory for one-off page crops.
VLM_FLAGS = (
    "--trust-remote-code",
    "--max-num-batched-tokens",
    "16384",
    "--no-enable-prefix-caching",
    "--mm-processor-cache-gb",
    "0",
)


@dataclass
class Backoff:
    """Restart delays: `initial`, doubled per consecutive failure, capped at `maximum`;
    a run that lasted `stable_after` seconds counts as healthy and resets the sequence."""

    initial: float = 1.0
    maximum: float = 60.0
    stable_after: float = 120.0
    factor: float = 2.0
    _next: float = field(default=-1.0, repr=False)

    def delay(self, uptime: float) -> float:
        """The wait before the next start, given how long the last run lasted."""
        if self._next < 0 or uptime >= self.stable_after:
            self._next = self.initial
        delay = min(self._next, self.maximum)
        self._next = min(self._next * self.factor, self.maximum)
        return delay


@dataclass
class SupervisorConfig:
    api_command: list[str]
    api_live_url: str
    vlm_command: list[str] | None  # None: supervise the API only
    child_env: dict[str, str] = field(default_factory=dict)  # added to both children's env
    restart_delay: float = 1.0
    restart_max_delay: float = 60.0
    stable_after: float = 120.0
    stop_timeout: float = 15.0  # per child, SIGTERM -> SIGKILL
    api_start_timeout: float = 60.0  # start the VLM anyway if the API is not live by then
    tail_lines: int = 20
    reap_orphans: bool = False  # PID 1 must reap whatever gets re-parented to it
    poll_interval: float = 0.1

    @classmethod
    def from_env(
        cls,
        settings: Settings,
        environ: Mapping[str, str] | None = None,
        *,
        vlm: bool = True,
        log_level: str = "info",
    ) -> SupervisorConfig:
        """Build the configuration from the service settings and `DOCPARSE_*` variables:

        DOCPARSE_VLM_COMMAND          replaces the whole VLM server command (shell words)
        DOCPARSE_VLM_EXTRA_ARGS       appended to it (e.g. `--gpu-memory-utilization 0.5`)
        DOCPARSE_VLM_MODEL_PATH       model folder or hub name for `vllm serve`
        DOCPARSE_MODELS_DIR           where `docparse models download` put the weights
        DOCPARSE_VLM_HOST / _PORT     where vLLM listens (0.0.0.0 / 8080)
        DOCPARSE_VLM_RESTART_DELAY / DOCPARSE_VLM_RESTART_MAX_DELAY / DOCPARSE_VLM_STABLE_AFTER
        DOCPARSE_SUPERVISOR_STOP_TIMEOUT / DOCPARSE_SUPERVISOR_API_START_TIMEOUT
        DOCPARSE_SUPERVISOR_REAP_ORPHANS   1/0 (default: only when running as PID 1)
        """
        env = os.environ if environ is None else environ
        vlm_host = env.get("DOCPARSE_VLM_HOST", "0.0.0.0")
        vlm_port = _port(env.get("DOCPARSE_VLM_PORT", "").strip() or "8080")
        command: list[str] | None = None
        if vlm:
            raw = env.get("DOCPARSE_VLM_COMMAND", "").strip()
            command = (
                _words("DOCPARSE_VLM_COMMAND", raw)
                if raw
                else [
                    "vllm",
                    "serve",
                    model_location(settings.vlm.model, env),
                    "--host",
                    vlm_host,
                    "--port",
                    str(vlm_port),
                    "--served-model-name",
                    settings.vlm.model,
                    *VLM_FLAGS,
                ]
            )
            command += _words("DOCPARSE_VLM_EXTRA_ARGS", env.get("DOCPARSE_VLM_EXTRA_ARGS", ""))
        child_env = {"PYTHONUNBUFFERED": "1"}  # piped stdout is block-buffered otherwise
        if vlm and not settings.vlm.url:
            # The API finds the server this supervisor runs; /health then tells its state.
            child_env["DOCPARSE_VLM_URL"] = f"http://127.0.0.1:{vlm_port}/v1"
        host = "127.0.0.1" if settings.host in ("0.0.0.0", "", "::") else settings.host
        host = f"[{host}]" if ":" in host else host
        reap = env.get("DOCPARSE_SUPERVISOR_REAP_ORPHANS", "").strip().lower()
        return cls(
            api_command=[sys.executable, "-m", "docparse", "serve", "--log-level", log_level],
            api_live_url=f"http://{host}:{settings.port}/health/live",
            vlm_command=command,
            child_env=child_env,
            restart_delay=_number(env, "DOCPARSE_VLM_RESTART_DELAY", 1.0),
            restart_max_delay=_number(env, "DOCPARSE_VLM_RESTART_MAX_DELAY", 60.0),
            stable_after=_number(env, "DOCPARSE_VLM_STABLE_AFTER", 120.0),
            stop_timeout=_number(env, "DOCPARSE_SUPERVISOR_STOP_TIMEOUT", 15.0),
            api_start_timeout=_number(env, "DOCPARSE_SUPERVISOR_API_START_TIMEOUT", 60.0),
            reap_orphans=reap in ("1", "true", "yes") if reap else os.getpid() == 1,
        )


def model_location(model: str, environ: Mapping[str, str]) -> str:
    """What to hand `vllm serve`: DOCPARSE_VLM_MODEL_PATH, else the folder `docparse models
    download` wrote under DOCPARSE_MODELS_DIR (so the container starts offline), else the
    hub name (vLLM downloads it)."""
    explicit = environ.get("DOCPARSE_VLM_MODEL_PATH", "").strip()
    if explicit:
        return explicit
    models_dir = environ.get("DOCPARSE_MODELS_DIR", "").strip()
    if models_dir:
        folder = Path(models_dir, model.rstrip("/").rsplit("/", 1)[-1])
        if (folder / "config.json").is_file():
            return str(folder)
    return model


def _words(name: str, raw: str) -> list[str]:
    try:
        return shlex.split(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} is not valid shell words: {exc}") from exc


def _port(raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigurationError(f"DOCPARSE_VLM_PORT must be a port number, got {raw!r}")
    return int(raw)


def _number(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from None
    if not 0 <= value < float("inf"):
        raise ConfigurationError(f"{name} must be a non-negative number, got {raw!r}")
    return value
