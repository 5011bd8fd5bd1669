"""docs/configuration.md is the settings model written out: it fails here when a setting is
added, removed or re-described without `docparse config-doc` being run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from docparse.cli import main
from docparse.ops.settings_doc import render
from docparse.settings import Settings

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "configuration.md"


def every_variable() -> dict[str, str | None]:
    """DOCPARSE_<NAME> of every setting, the groups' fields as DOCPARSE_<GROUP>_<NAME>."""
    found: dict[str, str | None] = {}
    for name, field in Settings.model_fields.items():
        group = field.annotation
        if isinstance(group, type) and issubclass(group, BaseModel):
            for inner, inner_field in group.model_fields.items():
                found[f"DOCPARSE_{name}_{inner}".upper()] = inner_field.description
        else:
            found[f"DOCPARSE_{name}".upper()] = field.description
    return found


def rows(text: str) -> dict[str, list[str]]:
    table = {}
    for line in text.splitlines():
        match = re.match(r"\| `(DOCPARSE_\w+)` \|(.*)\|$", line)
        if match:
            table[match[1]] = [c.strip() for c in match[2].split(" | ")]
    return table


def test_the_page_is_the_model_written_out() -> None:
    assert PAGE.read_text(encoding="utf-8") == render(), (
        "docs/configuration.md is out of date: run `docparse config-doc`"
    )


def test_every_setting_has_a_row_with_a_description() -> None:
    table = rows(render())
    variables = every_variable()
    assert set(table) == set(variables)
    undescribed = [name for name, description in variables.items() if not description]
    assert undescribed == [], "give these a Field(description=...) in settings.py"
    for name, (kind, default, description) in table.items():
        assert kind and default and description, name
    # The nested groups are expanded under their own prefix.
    assert "DOCPARSE_VLM_MAX_NEW_TOKENS" in table and "DOCPARSE_S3_BUCKET" in table
    assert "DOCPARSE_VLM" not in table and "DOCPARSE_S3" not in table


def test_types_defaults_and_bounds_read_as_the_model_says() -> None:
    table = rows(render())
    assert table["DOCPARSE_PORT"][:2] == ["int, ≥ 1, ≤ 65535", "`8081`"]
    assert table["DOCPARSE_VLM_FALLBACK"][:2] == ["one of `cpu`, `fail`", "`cpu`"]
    assert table["DOCPARSE_PRELOAD_ENGINES"][1] == '`["tesseract", "ppocr"]`'
    assert table["DOCPARSE_METRICS_PUBLIC"][1] == "`false`"
    assert table["DOCPARSE_RESULT_TTL"][1] == "`604800`"
    assert table["DOCPARSE_VLM_URL"][1] == "—"  # unset
    # Machine-dependent defaults are said in words: the page is the same everywhere.
    assert table["DOCPARSE_WORKERS"][1] == "CPU count"


def test_secrets_in_the_environment_never_reach_the_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secrets = {
        "DOCPARSE_API_KEYS": "key-that-must-not-leak",
        "DOCPARSE_WEBHOOK_SECRET": "webhook-secret-that-must-not-leak",
        "DOCPARSE_S3_SECRET_ACCESS_KEY": "s3-secret-that-must-not-leak",
        "DOCPARSE_VLM_API_KEY": "vlm-key-that-must-not-leak",
        "DOCPARSE_WORKERS": "77",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    text = render()
    assert not any(value in text for value in secrets.values())
    table = rows(text)
    assert table["DOCPARSE_API_KEYS"][:2] == ["secret", "—"]
    assert table["DOCPARSE_S3_SECRET_ACCESS_KEY"][:2] == ["secret", "—"]


def test_the_command_writes_the_page_and_checks_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "configuration.md"
    assert main(["config-doc", "--check", "--output", str(page)]) == 1  # missing
    assert main(["config-doc", "--output", str(page)]) == 0
    assert page.read_text(encoding="utf-8") == render()
    assert main(["config-doc", "--check", "--output", str(page)]) == 0
    page.write_text(render().replace("port to listen on", "the port"), encoding="utf-8")
    capsys.readouterr()
    assert main(["config-doc", "--check", "--output", str(page)]) == 1
    assert "run `docparse config-doc`" in capsys.readouterr().err
    assert "the port" in page.read_text(encoding="utf-8")  # --check writes nothing
