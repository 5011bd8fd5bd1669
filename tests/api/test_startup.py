"""What the service does when it starts."""

from __future__ import annotations

from docparse.settings import Settings
from tests.fixtures.service import running


async def test_uploads_left_by_a_killed_process_are_removed(settings: Settings) -> None:
    settings.temp_dir.mkdir(parents=True, exist_ok=True)
    upload = settings.temp_dir / "req-abc123"
    upload.mkdir()
    (upload / "input").write_bytes(b"%PDF-1.4 half an upload")
    other = settings.temp_dir / "kept.txt"  # not ours: left alone
    other.write_text("x")
    async with running(settings) as http:
        assert (await http.get("/health/live")).status_code == 200
        assert not upload.exists()
        assert other.exists()
