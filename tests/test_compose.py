"""docker-compose.yml: the services the scale-out needs, wired as the settings expect, and
its one-shot bucket script run for real against an S3 server (moto over HTTP)."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto.server import ThreadedMotoServer

from docparse.cli import build_parser
from docparse.settings import Settings
from tests.conftest import free_port

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return loaded


def command(service: dict[str, Any]) -> list[str]:
    return [*service.get("entrypoint", []), *service.get("command", [])]


def subcommands() -> set[str]:
    actions = build_parser()._actions
    return {n for a in actions if isinstance(a, argparse._SubParsersAction) for n in a.choices}


def test_the_services_are_there(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"api", "worker", "redis", "s3", "s3-bucket"} <= set(services)
    assert command(services["api"]) == ["docparse", "serve"]
    assert command(services["worker"]) == ["docparse", "worker"]
    assert "8081:8081" in services["api"]["ports"]
    assert services["worker"]["deploy"]["replicas"] >= 2
    # Both run commands the CLI has.
    assert {"serve", "worker"} <= subcommands()


def test_api_and_workers_share_the_queue_and_the_store(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    services = compose["services"]
    api, worker = services["api"]["environment"], services["worker"]["environment"]
    assert api == worker
    assert api["DOCPARSE_QUEUE"] == "redis://redis:6379/0"
    assert api["DOCPARSE_STORAGE"] == "s3"
    assert api["DOCPARSE_S3_ENDPOINT_URL"] == "http://s3:9000"  # the s3 service's port
    # The environment is one the service accepts (compose's ${VAR:-default} taken as set).
    for name in [n for n in os.environ if n.startswith("DOCPARSE_")]:
        monkeypatch.delenv(name)
    for name, value in api.items():
        monkeypatch.setenv(name, _defaulted(str(value)))
    parsed = Settings(_env_file=None)  # type: ignore[call-arg]
    assert parsed.storage == "s3" and parsed.s3.bucket == "docparse"
    assert parsed.s3.addressing_style == "path"
    for name in ("api", "worker"):
        depends = services[name]["depends_on"]
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["s3-bucket"]["condition"] == "service_completed_successfully"


def test_redis_keeps_job_records_across_restarts(compose: dict[str, Any]) -> None:
    redis = compose["services"]["redis"]
    assert redis["image"].startswith("redis:7")
    args = redis["command"]
    assert args[args.index("--appendonly") + 1] == "yes"
    assert any(volume.endswith(":/data") for volume in redis["volumes"])
    assert redis["volumes"][0].split(":")[0] in compose["volumes"]  # a named volume


def test_healthchecks_use_the_probes(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert "/health/ready" in " ".join(services["api"]["healthcheck"]["test"])
    assert "/health/live" in " ".join(services["gpu"]["healthcheck"]["test"])
    assert services["worker"]["healthcheck"] == {"disable": True}  # no HTTP port
    for name in ("redis", "s3"):
        assert services[name]["healthcheck"]["test"]


def test_the_gpu_image_is_behind_a_profile(compose: dict[str, Any]) -> None:
    gpu = compose["services"]["gpu"]
    assert gpu["profiles"] == ["gpu"]
    assert gpu["build"]["dockerfile"] == "docker/Dockerfile.gpu"
    assert (REPO / gpu["build"]["dockerfile"]).exists()
    assert "8080:8080" in gpu["ports"]  # vLLM
    assert any(port.endswith(":8081") for port in gpu["ports"])  # its API
    device = gpu["deploy"]["resources"]["reservations"]["devices"][0]
    assert device["capabilities"] == ["gpu"]
    # Only the GPU service is in the profile: a plain `up` needs no GPU.
    others = [s for n, s in compose["services"].items() if n != "gpu"]
    assert not any("profiles" in s for s in others)


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    # A host name, as `s3` is in compose: botocore would go virtual-hosted unless told.
    yield f"http://localhost:{port}"
    server.stop()


def test_the_bucket_script_creates_the_bucket_once(
    compose: dict[str, Any], s3_endpoint: str
) -> None:
    service = compose["services"]["s3-bucket"]
    assert service["entrypoint"] == ["python", "-c"]
    env = {k: _defaulted(str(v)) for k, v in service["environment"].items()}
    env["DOCPARSE_S3_ENDPOINT_URL"] = s3_endpoint
    runs = [
        subprocess.run(
            [sys.executable, "-c", service["command"][0]],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        for _ in range(2)
    ]
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    assert "created bucket docparse" in runs[0].stdout
    assert "exists" in runs[1].stdout  # a restart of the stack is not an error
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=env["DOCPARSE_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=env["DOCPARSE_S3_SECRET_ACCESS_KEY"],
    )
    # The S3 server is shared with other tests: their buckets may be there too.
    assert "docparse" in [b["Name"] for b in client.list_buckets()["Buckets"]]


def _defaulted(value: str) -> str:
    """Compose's `${NAME:-default}` with NAME unset."""
    if value.startswith("${") and value.endswith("}") and ":-" in value:
        return value[2:-1].split(":-", 1)[1]
    return value
