"""Tesseract languages: only installed models by plain name, and a bounded number of
loaded models per worker thread whatever callers ask for."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tesserocr import PyTessBaseAPI

from docparse.engines import tesseract as tesseract_module
from docparse.engines.base import PageImage, RecognizeOptions, ThreadedEngine
from docparse.engines.languages import installed_languages, validate_languages
from docparse.engines.tesseract import MODELS_PER_THREAD, TesseractEngine
from docparse.errors import InvalidOptions
from docparse.settings import Settings


def test_installed_languages_are_the_models_in_the_folder(tmp_path: Path) -> None:
    for name in ("eng", "rus", "osd", "x.y", "a b"):
        (tmp_path / f"{name}.traineddata").write_bytes(b"")
    (tmp_path / "deu.traineddata").mkdir()
    (tmp_path / "fra.txt").write_bytes(b"")
    assert installed_languages(tmp_path) == ["eng", "rus"]
    assert installed_languages(tmp_path / "missing") == []


def test_the_real_tessdata(settings: Settings) -> None:
    found = installed_languages(settings.tessdata_dir)
    assert {"eng", "rus"} <= set(found)
    assert "osd" not in found


@pytest.mark.parametrize(
    ("value", "expected"),
    [("rus+eng", "rus+eng"), (" rus , eng ", "rus+eng"), ("eng+eng+", "eng"), ("eng", "eng")],
)
def test_valid_languages_are_normalised(settings: Settings, value: str, expected: str) -> None:
    assert validate_languages(value, settings.tessdata_dir) == expected
    assert validate_languages(None, settings.tessdata_dir) is None


@pytest.mark.parametrize(
    "value",
    ["../../eng", "xyz", "osd", "eng+xyz", "", "+", "/usr/share/eng", "eng\x00", "ENG"],
)
def test_other_languages_are_refused_naming_the_valid_ones(settings: Settings, value: str) -> None:
    with pytest.raises(InvalidOptions) as caught:
        validate_languages(value, settings.tessdata_dir)
    assert "eng, rus" in caught.value.message
    assert "eng" in caught.value.details["valid"]


class Counting(ThreadedEngine):
    def __init__(self) -> None:
        super().__init__(ThreadPoolExecutor(1))
        self.made: list[str] = []
        self.closed: list[str] = []

    def get(self, key: str) -> Any:
        def make() -> str:
            self.made.append(key)
            return key

        return self.thread_instance(key, make, size=2, close=self.closed.append)


def test_the_thread_cache_is_a_small_lru() -> None:
    engine = Counting()
    for key in ["a", "b", "a", "c", "a", "d", "b"]:
        assert engine.get(key) == key
        assert len(engine.thread_cache_keys()) <= 2
    assert engine.made == ["a", "b", "c", "d", "b"]  # 'a', used often, stayed
    assert engine.closed == ["b", "c", "a"]
    assert engine.thread_cache_keys() == ["d", "b"]


@pytest.fixture
def tesseract(settings: Settings) -> Iterator[tuple[TesseractEngine, ThreadPoolExecutor]]:
    executor = ThreadPoolExecutor(1)  # one worker thread: its cache is the one to watch
    yield TesseractEngine(settings, executor), executor
    executor.shutdown()


async def test_tesseract_keeps_a_bounded_number_of_models(
    tesseract: tuple[TesseractEngine, ThreadPoolExecutor], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, executor = tesseract
    ended: list[str] = []

    class Tracked(PyTessBaseAPI):  # type: ignore[misc]
        def End(self) -> None:
            ended.append(self.GetInitLanguagesAsString())
            super().End()

    monkeypatch.setattr(tesseract_module, "PyTessBaseAPI", Tracked)
    await engine.load()
    loop = asyncio.get_running_loop()
    page = PageImage(0, Image.new("RGB", (200, 60), "white"), 300)
    sizes = []
    for languages in ["eng", "rus", "rus+eng", "eng+rus", "rus,eng", "eng", "rus+eng+rus"]:
        options = RecognizeOptions(languages=languages)
        await loop.run_in_executor(executor, engine.recognize_sync, page, options)
        sizes.append(len(await loop.run_in_executor(executor, engine.thread_cache_keys)))
    assert max(sizes) == MODELS_PER_THREAD
    keys = await loop.run_in_executor(executor, engine.thread_cache_keys)
    assert keys == ["eng+rus", "eng", "rus+eng"]  # load() made rus+eng first
    assert ended == ["eng", "rus"]  # each dropped model was ended
    for refused in ("osd", "../../eng", "xyz", "eng+osd"):
        with pytest.raises(InvalidOptions):
            options = RecognizeOptions(languages=refused)
            await loop.run_in_executor(executor, engine.recognize_sync, page, options)
    assert await loop.run_in_executor(executor, engine.thread_cache_keys) == keys
