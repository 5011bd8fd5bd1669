"""Tesseract through tesserocr: paragraphs with their lines, boxes and confidences."""

from __future__ import annotations

import os
import re
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import tesserocr
from PIL import Image, ImageOps
from tesserocr import OEM, PSM, RIL, PyTessBaseAPI

from docparse.document import BBox, Block, Label, Line, mean_confidence
from docparse.engines.base import PageImage, RecognizeOptions, ThreadedEngine
from docparse.engines.bullets import mark_bullets
from docparse.engines.digit_groups import spaced_number
from docparse.engines.dot_leaders import wipe_dot_leaders
from docparse.engines.illumination import even_light
from docparse.engines.languages import check_languages, installed_languages
from docparse.engines.letter_spacing import spaced_letters
from docparse.engines.light_on_dark import lighten_dark_fills
from docparse.engines.merged_columns import Stretch, merged_stretch
from docparse.engines.stamps import without_stamps
from docparse.errors import EngineUnavailable, RecognitionFailed
from docparse.settings import MAX_IMAGE_SIDE, Settings
from docparse.structure.typography import measure_lines

COLUMN_MARGIN_IN = 0.05  # inches of white set round a column read on its own
DARK_PAPER_LEVEL = 215  # 90th-percentile grey below this: not white paper
# Language sets whose models each worker thread keeps loaded (rus+eng, its Latin-only
# reading, and eng+rus, which lines of a Latin page are read again with): a new set loads
# its model and drops the least recently used.
MODELS_PER_THREAD = 3


class TesseractEngine(ThreadedEngine):
    name = "tesseract"

    def __init__(self, settings: Settings, executor: Executor) -> None:
        super().__init__(executor)
        self.tessdata = settings.tessdata_dir
        self.languages = settings.languages
        self.installed: list[str] = []  # the models in tessdata, read once at load

    def describe(self) -> dict[str, Any]:
        return {
            "languages": self.languages,
            "tessdata": self.tessdata,
            "version": tesserocr.tesseract_version().split()[1],
        }

    def _load(self) -> None:
        # Tesseract's own OpenMP threads would fight our page workers for the cores.
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        self.installed = installed_languages(self.tessdata)
        missing = [lang for lang in self.languages.split("+") if lang not in self.installed]
        if missing:
            raise EngineUnavailable(
                f"Tesseract language data missing in {self.tessdata}: {', '.join(missing)} "
                f"(apt-get install {' '.join('tesseract-ocr-' + m for m in missing)})"
            )
        self._api(self.languages)  # proves the data loads

    def _api(self, languages: str) -> PyTessBaseAPI:
        return self.thread_instance(
            languages,
            lambda: PyTessBaseAPI(
                path=str(Path(self.tessdata)) + "/", lang=languages, psm=PSM.AUTO, oem=OEM.LSTM_ONLY
            ),
            size=MODELS_PER_THREAD,
            close=lambda api: api.End(),
        )

    def recognize_sync(self, page: PageImage, options: RecognizeOptions) -> list[Block]:
        # Checked again here: a name reaches Tesseract only when it is an installed model
        # (against the list read at load: no folder listing per page).
        languages = check_languages(options.languages or self.languages, self.installed)
        if max(page.image.size) > MAX_IMAGE_SIDE:  # past it Tesseract aborts the process
            raise RecognitionFailed(
                f"page {page.index + 1} is {page.image.width}×{page.image.height} pixels; "
                f"Tesseract reads no side over {MAX_IMAGE_SIDE:,}"
            )
        api = self._api(languages)
        gray = without_stamps(page.image, page.dpi)  # a seal over the text is no text
        # Dark or stained paper keeps Sauvola though its light is evened out: Otsu on the
        # evened page loses words Sauvola keeps (horribleocr.pdf).
        api.SetVariable("thresholding_method", threshold_method(gray))
        # A photo's shadow is no ink; white words on a dark cell are read as dark on white;
        # a dot leader is read as letters.
        prepared = wipe_dot_leaders(even_light(lighten_dark_fills(gray, page.dpi)), page.dpi)
        api.SetImage(prepared)
        api.SetSourceResolution(round(page.dpi))
        api.Recognize()
        ink = _ink(api)
        blocks = _blocks(api, page.index, ink)
        stretch = None if ink is None else merged_stretch(_lines(blocks), ink)
        if stretch is None:
            return blocks
        return _columns_read_again(api, blocks, prepared, page, stretch)


def _columns_read_again(
    api: PyTessBaseAPI, blocks: list[Block], prepared: Image.Image, page: PageImage, at: Stretch
) -> list[Block]:
    """The page's blocks with the stretch where Tesseract ran columns together read
    again, column by column (engines.merged_columns), if that reading is surer."""
    again: list[Block] = []
    margin = round(COLUMN_MARGIN_IN * page.dpi)  # white paper round a column, as on a page
    for x0, y0, x1, y1 in at.columns():
        column = ImageOps.expand(prepared.crop((x0, y0, x1, y1)), margin, fill=255)
        api.SetImage(column)
        api.SetSourceResolution(round(page.dpi))
        api.Recognize()
        again += [
            _moved(block, x0 - margin, y0 - margin) for block in _blocks(api, page.index, _ink(api))
        ]

    def inside(line: Line) -> bool:
        x, y = (line.bbox.x0 + line.bbox.x1) / 2, (line.bbox.y0 + line.bbox.y1) / 2
        return at.edges[0] <= x <= at.edges[-1] and at.top <= y <= at.bottom

    if _sureness(_lines(again)) <= _sureness([ln for ln in _lines(blocks) if inside(ln)]):
        return blocks
    kept = [_with_lines(b, [ln for ln in b.lines if not inside(ln)]) for b in blocks]
    merged = [b for b in kept if b.lines] + again
    for number, block in enumerate(merged):
        block.id = f"p{page.index}-b{number}"
    return merged


def _lines(blocks: list[Block]) -> list[Line]:
    return [line for block in blocks for line in block.lines]


def _sureness(lines: list[Line]) -> float:
    """Tesseract's confidence in the lines, weighted by their length."""
    weight = sum(len(ln.text) for ln in lines)
    return sum((ln.confidence or 0.0) * len(ln.text) for ln in lines) / weight if weight else 0.0


def _with_lines(block: Block, lines: list[Line]) -> Block:
    if len(lines) == len(block.lines) or not lines:
        return block if lines else block.model_copy(update={"lines": []})
    return block.model_copy(
        update={
            "lines": lines,
            "bbox": BBox.around([ln.bbox for ln in lines]),
            "text": "\n".join(ln.text for ln in lines),
            "confidence": mean_confidence(lines),
        }
    )


def _moved(block: Block, dx: int, dy: int) -> Block:
    """A block read from a crop, in the page's pixels."""

    def move(box: BBox) -> BBox:
        return BBox(x0=box.x0 + dx, y0=box.y0 + dy, x1=box.x1 + dx, y1=box.y1 + dy)

    for line in block.lines:
        line.bbox = move(line.bbox)
        line.words = [(text, move(box)) for text, box in line.words]
    block.bbox = move(block.bbox)
    return block


def _ink(api: PyTessBaseAPI) -> np.ndarray | None:
    """The page as Tesseract binarised it: True where there is ink."""
    thresholded = api.GetThresholdedImage()
    return None if thresholded is None else ~np.asarray(thresholded.convert("1"))


def threshold_method(gray: Image.Image) -> str:
    """Otsu for clean pages; Sauvola (adaptive) where the paper is dark or stained, which
    Otsu turns into black areas that hide half a page (horribleocr.pdf)."""
    small = gray.copy()
    small.thumbnail((400, 400))
    histogram = small.histogram()
    total, seen = sum(histogram), 0
    for level, count in enumerate(histogram):
        seen += count
        if seen >= 0.9 * total:
            return "2" if level < DARK_PAPER_LEVEL else "0"
    return "0"


def _blocks(api: PyTessBaseAPI, page_index: int, ink: np.ndarray | None) -> list[Block]:
    """The blocks Tesseract found, read from `api` after Recognize; `ink` is the page as
    it binarised it."""
    blocks: list[Block] = []
    lines: list[Line] = []

    def close_block() -> None:
        if lines:
            # Tesseract's own "heading" block type marks whole address blocks of a
            # letterhead; headings are judged by text size later, as on every route.
            blocks.append(
                Block(
                    id=f"p{page_index}-b{len(blocks)}",
                    label=Label.text,
                    bbox=BBox.around([ln.bbox for ln in lines]),
                    text="\n".join(ln.text for ln in lines),
                    lines=list(lines),
                    confidence=mean_confidence(lines),
                    source_engine="tesseract",
                )
            )
        lines.clear()

    iterator = api.GetIterator()
    if iterator is None:
        return blocks
    level = RIL.TEXTLINE
    while True:
        if iterator.IsAtBeginningOf(RIL.PARA):
            close_block()
        try:
            text = (iterator.GetUTF8Text(level) or "").strip()
        except RuntimeError:  # tesserocr's way of saying "no text here"
            text = ""
        box = iterator.BoundingBox(level)
        if text and box:
            x0, y0, x1, y1 = box
            lines.append(
                Line(
                    text=text,
                    bbox=BBox(x0=x0, y0=y0, x1=x1, y1=y1),
                    confidence=round(iterator.Confidence(level) / 100, 4),
                )
            )
        if not iterator.Next(level):
            break
    close_block()
    all_lines = _lines(blocks)
    _attach_words(api, all_lines, ink)
    if ink is not None:
        mark_bullets(all_lines, ink)
        measure_lines(all_lines, ink)
    for block in blocks:  # words and bullets may have changed their lines
        block.text = "\n".join(ln.text for ln in block.lines)
    return blocks


def _attach_words(api: PyTessBaseAPI, lines: list[Line], ink: np.ndarray | None) -> None:
    """Each line's words with their boxes (for table recognition); a number whose digit
    groups Tesseract ran together is parted again, in the word and its line, and so is a
    word set letter-spaced."""
    iterator = api.GetIterator()
    if iterator is None or not lines:
        return
    # The lines' boxes as arrays: a page of words looked up line by line was a million
    # comparisons in Python.
    x0, y0, x1, y1 = np.array([(ln.bbox.x0, ln.bbox.y0, ln.bbox.x1, ln.bbox.y1) for ln in lines]).T
    while True:
        try:
            text = (iterator.GetUTF8Text(RIL.WORD) or "").strip()
        except RuntimeError:
            text = ""
        box = iterator.BoundingBox(RIL.WORD)
        if text and box:
            word = BBox(x0=box[0], y0=box[1], x1=box[2], y1=box[3])
            cx, cy = (word.x0 + word.x1) / 2, (word.y0 + word.y1) / 2
            found = np.flatnonzero((x0 <= cx) & (cx <= x1) & (y0 <= cy) & (cy <= y1))
            if len(found):  # the first line its middle lies in
                line = lines[found[0]]
                spaced = (
                    text
                    if ink is None
                    else spaced_letters(spaced_number(text, ink, word), ink, word)
                )
                if spaced != text:
                    line.text = re.sub(
                        rf"(?<!\S){re.escape(text)}(?!\S)", spaced, line.text, count=1
                    )
                line.words.append((spaced, word))
        if not iterator.Next(RIL.WORD):
            break
