"""schemathesis against a real `docparse serve` and its own /openapi.json: requests generated
from the documented schema (valid and invalid), to every operation, and then sequences of
them along the links between operations (a job created, read, its result asked for, then
deleted). Every answer must be no 5xx, a documented status, of a documented content type,
with a body that fits the documented schema.

Bounded and reproducible: few examples per operation, derandomized, no example database."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis import Case, Response
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from docparse.api.app import create_app
from docparse.settings import Settings
from tests.conftest import free_port
from tests.fixtures.service import serve_process

CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 30  # per operation (11 operations), and stateful scenarios
STEPS = 6  # per stateful scenario
ANSWER_WITHIN = 60  # seconds: each generated document is tiny


def documented() -> dict[str, Any]:
    """The service's /openapi.json, from the app itself: the operations are parametrized when
    the tests are collected, before any server runs (schemathesis's lazy fixture loader
    does not work with this pytest); the served document is checked to be the same."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        settings = Settings(
            output_dir=root / "output",
            temp_dir=root / "tmp",
            data_dir=root / "data",
            _env_file=None,
        )  # type: ignore[call-arg]
        return create_app(settings).openapi()


SPEC = documented()
schema = schemathesis.openapi.from_dict(SPEC)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `docparse serve`; its base URL, once its /openapi.json is the one fuzzed."""
    tmp_path = tmp_path_factory.mktemp("schema-fuzz")
    port = free_port()
    with serve_process(tmp_path, port, wait_for="/health/ready"):
        url = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{url}/openapi.json").json() == SPEC
        yield url


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # a failure prints its curl; no shrinking
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_documented(served: str, case: Case) -> None:
    case.call_and_validate(base_url=served, checks=CHECKS, timeout=ANSWER_WITHIN)


def test_operations_in_sequence_answer_as_documented(served: str) -> None:
    machine = schema.as_state_machine()

    class Checked(machine):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return {"base_url": served, "timeout": ANSWER_WITHIN}

        def validate_response(
            self,
            response: Response,
            case: Case,
            additional_checks: list[CheckFunction] | None = None,
            **kwargs: Any,
        ) -> None:
            # The four checks, not schemathesis's default set (which also wants every
            # schema-valid request accepted: an empty "PDF" is valid by the schema).
            case.validate_response(
                response, checks=CHECKS, transport_kwargs=kwargs or None, recorder=self.recorder
            )

    run_state_machine_as_test(
        Checked,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        ),
    )


def test_a_body_that_is_not_utf8_json_answers_in_paddlex_shape(served: str) -> None:
    """Found by the fuzz: Starlette's 400 for a JSON body it cannot decode came back in the
    service's own envelope on /layout-parsing, whose 422 is documented as PaddleX's."""
    response = httpx.post(
        f"{served}/layout-parsing",
        content=b"c\xff\x16t\xe9\x11P",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errorCode"] == 422
    assert "parsing the body" in body["errorMsg"]
    assert set(body) == {"logId", "errorCode", "errorMsg"}
