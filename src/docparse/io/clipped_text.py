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

from docparse.io.pdf_content import Box, TextLine

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
    """Indices of the text page's characters that do not show: whose middle lies outside
    the clip of the text object that draws them, or that lie wholly off the page (a
    letter the page's edge cuts through shows in part, and is read). Objects' own clips
    are asked of the page's objects only (an object in a form XObject has its clip in
    the form's space); the page's box holds for every character, a form's too (n-up
    and pdfpages output place whole pages in forms, partly off the sheet)."""
    page_box = _page_box(page)
    clips = _clipped_objects(page)
    raw = textpage.raw
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    hidden = set()
    for index in range(pdfium_c.FPDFText_CountChars(raw)):
        if not pdfium_c.FPDFText_GetCharBox(raw, index, left, right, bottom, top):
            continue
        own = clips.get(_address(pdfium_c.FPDFText_GetTextObject(raw, index))) if clips else None
        x0, x1, y0, y1 = left.value, right.value, bottom.value, top.value
        x, y = (x0 + x1) / 2, (y0 + y1) / 2
        if (own is not None and not (own[0] <= x <= own[2] and own[1] <= y <= own[3])) or (
            (x1 < page_box[0] or x0 > page_box[2] or y1 < page_box[1] or y0 > page_box[3])
            # a space's box is a sliver on the baseline: it parts no line the edge cuts
            and not _space(pdfium_c.FPDFText_GetUnicode(raw, index))
        ):
            hidden.add(index)
    return frozenset(hidden)


def _space(code: int) -> bool:
    return code < 0x110000 and chr(code).isspace()


def _page_box(page: pdfium.PdfPage) -> Box:
    """The page's box as PDFium shows it (the CropBox, inherited too, within the
    MediaBox), in PDF space, grown by SLACK."""
    left, bottom, right, top = page.get_bbox()
    return (
        min(left, right) - SLACK,
        min(bottom, top) - SLACK,
        max(left, right) + SLACK,
        max(bottom, top) + SLACK,
    )


def _clipped_objects(page: pdfium.PdfPage) -> dict[int | None, Box]:
    """The clip boxes of the page's text objects that stick out of their clip, by
    address. Text set off the page (far out, or in the margin a CropBox cuts away) is
    left to the page's box."""
    found: dict[int | None, Box] = {}
    edges = [ctypes.c_float() for _ in range(4)]
    for i in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
        obj = pdfium_c.FPDFPage_GetObject(page.raw, i)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_TEXT:
            continue
        own = _clip_box(obj)
        if own is None or not pdfium_c.FPDFPageObj_GetBounds(obj, *edges):
            continue
        x0, y0, x1, y1 = (edge.value for edge in edges)
        if x0 < own[0] or y0 < own[1] or x1 > own[2] or y1 > own[3]:
            found[_address(obj)] = own
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
