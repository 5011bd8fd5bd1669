"""Text a PDF draws but clips away: a spreadsheet printed to PDF sets each cell's whole text
and clips it to the cell, so a long 'Particulars' entry runs on, unseen, under the amounts
beside it. PDFium's text page holds every character drawn; the ones outside their text
object's clip are not on the page anyone sees, and read with it they bury the next
columns (and the table) under words nobody can read. Text set off the page (far out, or
in a margin the CropBox cuts away) does not show either. Callers hold PDFium's lock."""

from __future__ import annotations

import ctypes
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from docparse.io.pdf_content import TextLine

SLACK = 1.0  # points: a glyph's box may stick out of its cell's clip by a hair and show


def may_be_clipped(lines: list[TextLine], width: float, height: float) -> bool:
    """Do lines read with every character run off the page, into one another (more than
    a letter's height along, over half their height across) or over themselves?
    Clipped-away text does one of these where it matters; asking PDFium for the clips
    costs a call per page object, so a page whose lines keep apart is not asked."""
    if any(line.overprinted for line in lines):
        return True
    boxes = sorted((line.bbox for line in lines), key=lambda b: b.y0)
    if any(
        b.x0 < -SLACK or b.y0 < -SLACK or b.x1 > width + SLACK or b.y1 > height + SLACK
        for b in boxes
    ):
        return True
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if b.y0 >= a.y1:
                break
            tall = min(a.height, b.height)
            if min(a.y1, b.y1) - b.y0 > tall / 2 and min(a.x1, b.x1) - max(a.x0, b.x0) > tall:
                return True
    return False


def clipped_chars(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> frozenset[int]:
    """Indices of the text page's characters whose middle lies outside the clip of the
    text object that draws them. Only objects on the page itself are asked (an object in
    a form XObject has its clip in the form's space); most pages have no clipped text
    object, and then no character is looked at."""
    clips = _clipped_objects(page)
    if not clips:
        return frozenset()
    raw = textpage.raw
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    hidden = set()
    for index in range(pdfium_c.FPDFText_CountChars(raw)):
        clip = clips.get(_address(pdfium_c.FPDFText_GetTextObject(raw, index)))
        if clip is None or not pdfium_c.FPDFText_GetCharBox(raw, index, left, right, bottom, top):
            continue
        x, y = (left.value + right.value) / 2, (bottom.value + top.value) / 2
        if not (clip[0] <= x <= clip[2] and clip[1] <= y <= clip[3]):
            hidden.add(index)
    return frozenset(hidden)


def _clipped_objects(page: pdfium.PdfPage) -> dict[int | None, tuple[float, ...]]:
    """The page's text objects that stick out of their clip, by address, with the clip's
    box (PDF space, grown by SLACK). The page's own box clips every object: text set off
    the page (far out, or in the margin a CropBox cuts away) is not on it."""
    found: dict[int | None, tuple[float, ...]] = {}
    edges = [ctypes.c_float() for _ in range(4)]
    left, bottom, right, top = page.get_cropbox()
    page_box = (
        min(left, right) - SLACK,
        min(bottom, top) - SLACK,
        max(left, right) + SLACK,
        max(bottom, top) + SLACK,
    )
    for i in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
        obj = pdfium_c.FPDFPage_GetObject(page.raw, i)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_TEXT:
            continue
        own = _clip_box(obj) or page_box
        clip = (
            max(own[0], page_box[0]),
            max(own[1], page_box[1]),
            min(own[2], page_box[2]),
            min(own[3], page_box[3]),
        )
        if not pdfium_c.FPDFPageObj_GetBounds(obj, *edges):
            continue
        x0, y0, x1, y1 = (edge.value for edge in edges)
        if x0 < clip[0] or y0 < clip[1] or x1 > clip[2] or y1 > clip[3]:
            found[_address(obj)] = clip
    return found


def _clip_box(obj: object) -> tuple[float, float, float, float] | None:
    """The box a text object's clip leaves visible: the paths of a clip intersect, so the
    overlap of their boxes (a cell's rectangle, as spreadsheets clip). None: no clip."""
    clip = pdfium_c.FPDFPageObj_GetClipPath(obj)
    if not clip:
        return None
    x, y = ctypes.c_float(), ctypes.c_float()
    box = [-float("inf"), -float("inf"), float("inf"), float("inf")]
    paths = pdfium_c.FPDFClipPath_CountPaths(clip)
    for path in range(max(paths, 0)):
        points = []
        for s in range(pdfium_c.FPDFClipPath_CountPathSegments(clip, path)):
            segment = pdfium_c.FPDFClipPath_GetPathSegment(clip, path, s)
            if pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
                points.append((x.value, y.value))
        if points:
            box[0] = max(box[0], min(p[0] for p in points))
            box[1] = max(box[1], min(p[1] for p in points))
            box[2] = min(box[2], max(p[0] for p in points))
            box[3] = min(box[3], max(p[1] for p in points))
    if box[0] == -float("inf"):
        return None
    return box[0] - SLACK, box[1] - SLACK, box[2] + SLACK, box[3] + SLACK


def _address(handle: Any) -> int | None:
    """A PDFium handle's address: two handles to one object are different ctypes objects."""
    return ctypes.cast(handle, ctypes.c_void_p).value
