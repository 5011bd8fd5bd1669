"""A CPU engine whose model is left broken by one page (a crashed native call, a poisoned
state): the failing page fails alone, and the thread makes the model anew, so the pages
after it are read — not failed one after another until a restart."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from docparse.document import Block
from docparse.engines.base import PageImage, RecognizeOptions, ThreadedEngine
from docparse.errors import RecognitionFailed


class Model:
    """Breaks for good on the page it cannot read, as a crashed native model would."""

    def __init__(self) -> None:
        self.broken = False

    def read(self, page: PageImage) -> list[Block]:
        if self.broken:
            raise RuntimeError("the model is in a bad state")
        if page.index == 1:
            self.broken = True
            raise RuntimeError("crashed on this page")
        return []


class Fragile(ThreadedEngine):
    name = "fragile"

    def _load(self) -> None:
        pass

    def recognize_sync(self, page: PageImage, options: RecognizeOptions) -> list[Block]:
        model: Model = self.thread_instance("model", Model)
        return model.read(page)


async def test_a_model_broken_by_one_page_is_made_anew_for_the_next() -> None:
    with ThreadPoolExecutor(1) as one_thread:  # every page on the same thread and model
        engine = Fragile(one_thread)
        picture = Image.new("RGB", (10, 10), "white")
        pages = [PageImage(index=i, image=picture, dpi=200) for i in range(4)]
        options = RecognizeOptions()
        assert await engine.recognize(pages[0], options) == []
        with pytest.raises(RecognitionFailed, match="crashed on this page"):
            await engine.recognize(pages[1], options)
        assert await engine.recognize(pages[2], options) == []
        assert await engine.recognize(pages[3], options) == []
        assert engine.instance_restarts == 1
