"""Ruling lines on a page image (OpenCV morphology) and the table regions they enclose."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from docparse.document import BBox

Segment = tuple[float, float, float, float]  # x0, y0, x1, y1 in page pixels

# Lines are found on a copy at about this resolution: thin rules survive area
# downsampling as grey, and morphology on a quarter of a 300 dpi page is 4x cheaper.
WORK_DPI = 150.0
MIN_DPI = 10.0  # below it (or not a number) a stated resolution is taken as unknown
MIN_SIDE_PX = 16  # a page narrower than this at WORK_DPI holds no table
# Horizontal kernel: a run this long (share of the page's short side, ~5 mm on A4, and
# at least 0.2 in) is no letter stroke. At 1° skew a 1 px rule still has runs of 57 px
# at 150 dpi (1/tan 1°), above it.
H_KERNEL_SHARE, H_KERNEL_IN = 1 / 40, 0.2
# Vertical kernel: above the stem of 12 pt text, below a two-line table row.
V_KERNEL_SHARE, V_KERNEL_IN = 1 / 60, 0.14
# Pieces of one rule broken by scan dropouts are joined across gaps up to this (inches).
JOIN_GAP_IN = 0.08
# A region needs rules both ways and at least four in all: a lone underline, an L of
# chart axes or a crossing of two rules is no table.
MIN_REGION_LINES = 4
# A stroke whose two sides are both this much ink is a text row (tiny print), not a rule.
CROWDED_SHARE = 0.4
# Grey levels: a fill darker than DARK_FILL is a bar whatever its text; one darker than
# MID_FILL is when its text is lighter than it by TEXT_CONTRAST (white on blue).
DARK_FILL, MID_FILL, TEXT_CONTRAST = 140, 200, 50
# A tint: grey levels between ink and paper; a white rule on it is this much lighter
# than the tint on both sides, and at least WHITE.
MIN_TINT, MAX_TINT, LIGHT_RULE_CONTRAST, WHITE = 120, 247, 6, 230
# Where a tinted cell meets a pale one (a rate sheet's grey label columns beside its
# near-white figures), the seam is the rule: the pale side at least PALE, the tint this
# much darker.
PALE, FILL_EDGE_CONTRAST = 235, 10
FLAT = 3  # grey levels a fill varies by, two and three pixels from its edge
# Ink blobs smaller than this (working pixels) are dot leaders or scan noise.
SPECK_AREA = 6


@dataclass
class RuledRegion:
    bbox: BBox
    h_lines: list[Segment] = field(default_factory=list)
    v_lines: list[Segment] = field(default_factory=list)


def _grey(image: Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(image, Image.Image):
        return np.asarray(image if image.mode == "L" else image.convert("L"))
    arr = np.asarray(image)
    if arr.ndim == 3:
        arr = cv2.cvtColor(arr[..., :3], cv2.COLOR_RGB2GRAY)
    return np.ascontiguousarray(arr, dtype=np.uint8)


def _binarise(grey: np.ndarray, dpi: float, rule_lengths: tuple[int, int]) -> np.ndarray:
    """Ink = 255. Adaptive, so uneven scan lighting and pale table fills do not flood.
    No smoothing first: it closes the white gap between stacked letters and a row rule,
    and the long opening kernels remove sensor noise anyway."""
    block = max(15, round(0.15 * dpi) | 1)
    ink = cv2.adaptiveThreshold(
        grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 8
    )
    # Filled header bars: their white text leaves gaps that look like short rules. A
    # dark fill becomes its outline, which acts as the cell's rules; around the letters
    # of a mid-tone one, the fill is no ink (dark text on a grey fill reads well as it is).
    size = max(3, round(0.035 * dpi))  # thinner than a fill's margin, thicker than rules
    for (x, y, w, h), _ in filled_blocks(grey, DARK_FILL, size):
        _outline(ink, x, y, w, h)
    for box, inside in filled_blocks(grey, MID_FILL, size):
        _light_on_fill(grey, ink, box, inside, size, block // 2, rule_lengths)
    return ink


def filled_blocks(
    grey: np.ndarray, level: int, size: int
) -> list[tuple[tuple[int, int, int, int], np.ndarray]]:
    """The solid blocks darker than `level`: each one's box (x, y, w, h) and, within the
    box, what its outline encloses. A thick frame is solid too, but hollow (its content
    is kept)."""
    _, dark = cv2.threshold(grey, level, 255, cv2.THRESH_BINARY_INV)
    solid = cv2.morphologyEx(
        dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    )
    contours, _ = cv2.findContours(solid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    blocks = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if (
            w > 4 * size
            and h > 2 * size
            and cv2.countNonZero(solid[y : y + h, x : x + w]) >= 0.5 * w * h
        ):
            inside = np.zeros((h, w), np.uint8)
            cv2.drawContours(inside, [contour], -1, 255, cv2.FILLED, offset=(-x, -y))
            blocks.append(((x, y, w, h), inside > 0))
    return blocks


def _light_on_fill(
    grey: np.ndarray,
    ink: np.ndarray,
    box: tuple[int, int, int, int],
    inside: np.ndarray,
    size: int,
    reach: int,
    rule_lengths: tuple[int, int],
) -> None:
    """A mid-tone fill with lighter text (white on blue): the adaptive threshold marks
    the fill around each letter (within `reach`) as ink, in strips that look like short
    rules. That ink goes; the fill's edges and the light cells set in it (a coloured
    header's white sub-cells) stay ink."""
    x, y, w, h = box
    region = grey[y : y + h, x : x + w]
    fill = float(np.median(region[inside]))
    if fill < DARK_FILL:
        return  # a dark fill: outlined already
    # Within the block's box (letters as tall as the bar cut into its outline), but not
    # its edge: anti-aliased, that is lighter than the fill as well.
    inner = np.zeros_like(inside)
    inner[2:-2, 2:-2] = True
    lighter = (inner & (region > fill + TEXT_CONTRAST)).astype(np.uint8) * 255
    cells = cv2.morphologyEx(
        lighter, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * size, 2 * size))
    )
    if cv2.countNonZero(cells) or _light_rules(lighter, rule_lengths):
        return  # light cells or light rules set in the fill: the ink around them is rules
    if cv2.countNonZero(lighter) <= np.count_nonzero(inner & (region < fill - TEXT_CONTRAST)):
        return
    near = cv2.dilate(
        lighter, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * reach + 1, 2 * reach + 1))
    )
    part = ink[y : y + h, x : x + w]
    part[(near > 0) & inner & (np.abs(region.astype(np.int16) - fill) <= TEXT_CONTRAST)] = 0
    cv2.rectangle(ink, (x, y), (x + w - 1, y + h - 1), 255, 2)  # the bar is a cell


def _light_rules(lighter: np.ndarray, rule_lengths: tuple[int, int]) -> bool:
    """Light runs twice as long as a rule must be, across or down: white rules parting
    a fill into cells, not letters (a title's stems are shorter)."""
    across, down = rule_lengths
    return any(
        cv2.countNonZero(
            cv2.morphologyEx(lighter, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, k))
        )
        for k in ((2 * across, 1), (1, 2 * down))
    )


def _outline(ink: np.ndarray, x: int, y: int, w: int, h: int) -> None:
    cv2.rectangle(ink, (x, y), (x + w - 1, y + h - 1), 0, cv2.FILLED)
    cv2.rectangle(ink, (x, y), (x + w - 1, y + h - 1), 255, 2)


def _segments(mask: np.ndarray, ink: np.ndarray, horizontal: bool, min_len: int) -> list[Segment]:
    """One segment per connected stroke; ends from the stroke's own pixels (so skew is kept).
    Strokes with ink close on both sides are rows of small text, not rules."""
    # Labelled within the box that holds the rules: most of a page has none.
    left, top, width, height = cv2.boundingRect(mask)
    if not width:
        return []
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        mask[top : top + height, left : left + width], connectivity=8
    )
    out: list[Segment] = []
    for i in range(1, count):
        x, y, w, h, _area = stats[i]
        length, thick = (w, h) if horizontal else (h, w)
        if length < min_len or thick * 3 > length:
            continue
        if _crowded(ink, x + left, y + top, w, h, horizontal):
            continue
        end = max(2, length // 20)  # ends from the first and last twentieth
        if horizontal:
            first = np.nonzero(labels[y : y + h, x : x + end] == i)[0].mean()
            last = np.nonzero(labels[y : y + h, x + w - end : x + w] == i)[0].mean()
        else:
            first = np.nonzero(labels[y : y + end, x : x + w] == i)[1].mean()
            last = np.nonzero(labels[y + h - end : y + h, x : x + w] == i)[1].mean()
        x, y = x + left, y + top
        if horizontal:
            out.append((float(x), float(y + first), float(x + w - 1), float(y + last)))
        else:
            out.append((float(x + first), float(y), float(x + last), float(y + h - 1)))
    return out


def _crowded(ink: np.ndarray, x: int, y: int, w: int, h: int, horizontal: bool) -> bool:
    """Is there ink along most of both sides of this stroke's box, two pixels away?"""
    if horizontal:
        sides = [
            ink[max(0, y - 3) : max(0, y - 1), x : x + w],
            ink[y + h + 1 : y + h + 3, x : x + w],
        ]
    else:  # max(0, …): a stroke at the page's edge has no side there (no wrapping round)
        sides = [
            ink[y : y + h, max(0, x - 3) : max(0, x - 1)],
            ink[y : y + h, x + w + 1 : x + w + 3],
        ]
    share = [
        float(np.count_nonzero(s.max(axis=0 if horizontal else 1))) / max(1, w if horizontal else h)
        if s.size
        else 0.0
        for s in sides
    ]
    return min(share) > CROWDED_SHARE


def _join(segments: list[Segment], horizontal: bool, gap: float, tol: float) -> list[Segment]:
    """Join collinear pieces of one rule (dropouts, a crossing that broke the stroke)."""
    key = 0 if horizontal else 1  # coordinate along the line
    out: list[list[float]] = []
    for seg in sorted(segments, key=lambda s: s[key]):
        for cur in out:
            # is `seg` on `cur`'s line and starting right after it?
            if abs(cur[3 - key] - seg[1 - key]) <= tol and seg[key] - cur[key + 2] <= gap:
                if seg[key + 2] > cur[key + 2]:
                    cur[key + 2], cur[3 - key] = seg[key + 2], seg[3 - key]
                break
        else:
            out.append(list(seg))
    return [(s[0], s[1], s[2], s[3]) for s in out]


@dataclass
class PageLines:
    """A page's ink and rules. Arrays are at the working scale, segments in page pixels."""

    scale: float  # working pixels per page pixel
    ink: np.ndarray  # 255 = ink
    mask: np.ndarray  # 255 = rule pixels
    h_lines: list[Segment]
    v_lines: list[Segment]

    @property
    def area(self) -> float:
        """The page's area in page pixels."""
        return float(self.ink.shape[0] * self.ink.shape[1] / self.scale**2)


def _light_lines(grey: np.ndarray, horizontal: bool) -> np.ndarray:
    """White lines on a tint (neither paper nor ink): lighter than the fill two pixels
    away on both sides, if only by a few grey levels, as a rule of a pixel or less is
    drawn on a rendered page. A seam between two fills is lighter too, but not white."""
    g = _across(grey, horizontal)
    before, centre, after = g[:-4], g[2:-2], g[4:]
    hit = cv2.inRange(centre, WHITE, 255)
    for side in (before, after):  # uint8 throughout: a page is millions of pixels
        hit = cv2.bitwise_and(hit, cv2.inRange(side, MIN_TINT, MAX_TINT))
        hit = cv2.bitwise_and(
            hit, cv2.inRange(cv2.subtract(centre, side), LIGHT_RULE_CONTRAST, 255)
        )
    return _on_page(hit, 2, horizontal)


def _fill_edges(grey: np.ndarray, horizontal: bool) -> np.ndarray:
    """Seams where a tint meets a pale fill or paper: the pixels two away on either side
    differ by FILL_EDGE_CONTRAST or more, the paler at least PALE, neither ink, and each
    as its neighbour further out (a fill, not a white rule's or a letter's edge)."""
    g = _across(grey, horizontal)
    far_before, before, after, far_after = g[:-6], g[1:-5], g[5:-1], g[6:]
    darker, paler = cv2.min(before, after), cv2.max(before, after)
    hit = cv2.bitwise_and(cv2.inRange(paler, PALE, 255), cv2.inRange(darker, MIN_TINT, 255))
    hit = cv2.bitwise_and(hit, cv2.inRange(cv2.subtract(paler, darker), FILL_EDGE_CONTRAST, 255))
    for near, far in ((before, far_before), (after, far_after)):
        hit = cv2.bitwise_and(hit, cv2.inRange(cv2.absdiff(near, far), 0, FLAT))
    return _on_page(hit, 3, horizontal)


def _across(grey: np.ndarray, horizontal: bool) -> np.ndarray:
    """The page with the lines sought running along its rows. A transposed view is copied:
    OpenCV copies a strided array on every call, ten times the cost of the work."""
    return grey if horizontal else np.ascontiguousarray(grey.T)


def _on_page(hit: np.ndarray, margin: int, horizontal: bool) -> np.ndarray:
    """A mask of the pixels `margin` in from the page's edges (across the lines sought,
    rows first when `horizontal` else columns first) as a mask of the page."""
    full = np.pad(hit, ((margin, margin), (0, 0)))
    return full if horizontal else np.ascontiguousarray(full.T)


def _pale_rules(grey: np.ndarray, lengths: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """White rules on tints (zebra rows parted by white lines) and the seams between a
    tinted column or row and a pale one (a rate sheet's grey labels beside its
    near-white figures): across and down, runs twice a rule's length (a white letter's
    stem on a coloured bar, or a letter's edge, is shorter). A white rule crossing a
    seam or another white rule breaks it for a pixel or two: bridged there, and only
    there (a letter on a rule is no gap to bridge)."""
    white = (_light_lines(grey, True), _light_lines(grey, False))
    crossed = [
        cv2.dilate(w, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))) for w in reversed(white)
    ]
    masks = []
    for i, horizontal in enumerate((True, False)):
        hit = cv2.bitwise_or(white[i], _fill_edges(grey, horizontal))
        bridge = (5, 1) if horizontal else (1, 5)
        closed = cv2.morphologyEx(
            hit, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, bridge)
        )
        hit = cv2.bitwise_or(hit, cv2.bitwise_and(closed, crossed[i]))
        kernel = (2 * lengths[i], 1) if horizontal else (1, 2 * lengths[i])
        masks.append(
            cv2.morphologyEx(hit, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        )
    return masks[0], masks[1]


def detect_lines(image: Image.Image | np.ndarray, dpi: float) -> PageLines:
    """Horizontal and vertical ruling segments (x0, y0, x1, y1) in page pixels."""
    grey = _grey(image)
    dpi = dpi if math.isfinite(dpi) and dpi >= MIN_DPI else WORK_DPI  # unknown: a usual scan
    scale = min(1.0, WORK_DPI / dpi)
    if min(grey.shape[:2]) * scale < MIN_SIDE_PX:  # a strip, or a dot: no table fits
        empty = np.zeros(grey.shape[:2], np.uint8)
        return PageLines(1.0, empty, empty, [], [])
    if scale < 1.0:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        scale = grey.shape[1] / _width(image)  # the size was rounded
    work_dpi = dpi * scale
    short = min(grey.shape)
    h_len = max(round(short * H_KERNEL_SHARE), round(H_KERNEL_IN * work_dpi), 2)
    v_len = max(round(short * V_KERNEL_SHARE), round(V_KERNEL_IN * work_dpi), 2)
    ink = _binarise(grey, work_dpi, (h_len, v_len))
    h_mask = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (h_len, 1))
    )
    v_mask = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len))
    )
    # Pale rules: white ones on tints, and the seams of tints.
    h_pale, v_pale = _pale_rules(grey, (h_len, v_len))
    h_mask, v_mask = cv2.bitwise_or(h_mask, h_pale), cv2.bitwise_or(v_mask, v_pale)
    gap = JOIN_GAP_IN * work_dpi

    def page(segs: list[Segment]) -> list[Segment]:
        return [(a / scale, b / scale, c / scale, d / scale) for a, b, c, d in segs]

    return PageLines(
        scale,
        ink,
        cv2.bitwise_or(h_mask, v_mask),
        page(_join(_segments(h_mask, ink, True, h_len), True, gap, 3.0)),
        page(_join(_segments(v_mask, ink, False, v_len), False, gap, 3.0)),
    )


def find_ruled_regions(
    image: Image.Image | np.ndarray, dpi: float, lines: PageLines | None = None
) -> list[RuledRegion]:
    """Groups of crossing rules (connected parts of the line mask) that may be tables.
    Pass `lines` from `detect_lines` to reuse them."""
    page = lines or detect_lines(image, dpi)
    if not page.h_lines or not page.v_lines:
        return []
    # Rules that stop a pixel or two short of each other still belong together.
    joined = cv2.dilate(page.mask, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    _, labels = cv2.connectedComponents(joined, connectivity=8)
    groups: dict[int, RuledRegion] = {}
    s = page.scale
    for seg, horizontal in [(x, True) for x in page.h_lines] + [(x, False) for x in page.v_lines]:
        label = _label_at(labels, (seg[0] + seg[2]) / 2 * s, (seg[1] + seg[3]) / 2 * s)
        if label == 0:
            continue
        box = BBox(
            x0=min(seg[0], seg[2]),
            y0=min(seg[1], seg[3]),
            x1=max(seg[0], seg[2]),
            y1=max(seg[1], seg[3]),
        )
        region = groups.setdefault(label, RuledRegion(box))
        (region.h_lines if horizontal else region.v_lines).append(seg)
        region.bbox = region.bbox.union(box)
    return sorted(
        (
            r
            for r in groups.values()
            if r.h_lines and r.v_lines and len(r.h_lines) + len(r.v_lines) >= MIN_REGION_LINES
        ),
        key=lambda r: (r.bbox.y0, r.bbox.x0),
    )


def clutter(page: PageLines, boxes: list[BBox]) -> float:
    """Share of the pixel rows in `boxes` (page pixels) holding ink that is neither a
    rule nor a speck: a chart's curves and markers where table gutters should be blank."""
    total = busy = 0
    s = page.scale
    for box in boxes:
        # Two pixels in from the sides: anti-aliased edges of the glyphs beside the gutter.
        # Words may lie off the drawn page (text outside the CropBox): only what is drawn.
        height, width = page.ink.shape[:2]
        x0, y0 = max(0, int(np.ceil(box.x0 * s)) + 2), max(0, int(box.y0 * s))
        x1, y1 = min(width, int(box.x1 * s) - 2), min(height, int(np.ceil(box.y1 * s)))
        if x1 <= x0 or y1 <= y0:
            continue
        ink = cv2.bitwise_and(page.ink[y0:y1, x0:x1], cv2.bitwise_not(page.mask[y0:y1, x0:x1]))
        total += y1 - y0
        if not cv2.countNonZero(ink):
            continue
        count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
        keep = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] >= SPECK_AREA)
        keep = keep[keep > 0]
        if count > 1 and keep.size:
            busy += int(np.count_nonzero(np.isin(labels, keep).any(axis=1)))
    return busy / total if total else 0.0


def _width(image: Image.Image | np.ndarray) -> int:
    return image.width if isinstance(image, Image.Image) else image.shape[1]


def _label_at(labels: np.ndarray, x: float, y: float) -> int:
    """The component under (x, y), looking a few pixels around for a skewed line."""
    h, w = labels.shape
    xi, yi = min(max(round(x), 0), w - 1), min(max(round(y), 0), h - 1)
    window = labels[max(0, yi - 3) : yi + 4, max(0, xi - 3) : xi + 4]
    found = window[window > 0]
    return int(found[0]) if found.size else 0


# --- rules as grid lines -------------------------------------------------------------


@dataclass
class Rule:
    """One grid line: merged near-duplicate segments (double rules), or a virtual one."""

    pos: float  # across the line, at `mid` along it
    mid: float
    slope: float  # skew: change across per unit along
    spans: list[tuple[float, float]] = field(default_factory=list)
    virtual: bool = False

    def at(self, along: float) -> float:
        return self.pos + self.slope * (along - self.mid)

    def ends(self) -> tuple[float, float]:
        """Position (across) at both ends of the rule's segments."""
        a, b = min(s[0] for s in self.spans), max(s[1] for s in self.spans)
        return self.at(a), self.at(b)

    def covers(self, a: float, b: float) -> float:
        """Share of [a, b] (along the line) that the rule's segments cover."""
        return sum(max(0.0, min(b, y) - max(a, x)) for x, y in self.spans) / max(b - a, 1e-6)


def cluster_rules(
    segs: list[Segment], horizontal: bool, tol: float, lo: float, hi: float, centre: float
) -> list[Rule]:
    """Cluster segments into rules; add the region's edges where no rule lies."""
    items = []
    for x0, y0, x1, y1 in segs:
        a0, a1, c0, c1 = (x0, x1, y0, y1) if horizontal else (y0, y1, x0, x1)
        slope = (c1 - c0) / max(a1 - a0, 1e-6)
        mid = (a0 + a1) / 2
        items.append(((c0 + c1) / 2 + slope * (centre - mid), slope, (min(a0, a1), max(a0, a1))))
    items.sort(key=lambda t: t[0])
    rules: list[Rule] = []
    for pos, slope, span in items:
        if rules and pos - rules[-1].pos <= tol:
            rule = rules[-1]
            n = len(rule.spans)
            rule.pos = (rule.pos * n + pos) / (n + 1)
            rule.slope = (rule.slope * n + slope) / (n + 1)
            rule.spans.append(span)
        else:
            rules.append(Rule(pos, centre, slope, [span]))
    # A skewed rule reaches the region's edge at one of its ends, not at its middle.
    if not rules or min(rules[0].ends()) - lo > tol:
        rules.insert(0, Rule(lo, centre, 0.0, [(-1e9, 1e9)]))
    if max(rules[-1].ends()) < hi - tol:
        rules.append(Rule(hi, centre, 0.0, [(-1e9, 1e9)]))
    return rules


def anchored(
    segs: list[Segment], others: list[Rule], horizontal: bool, tol: float, length: float
) -> list[Segment]:
    """Drop floating short segments (a text underline inside a cell): a rule reaches
    across the table or ends on crossing rules."""

    def near(v: float) -> bool:
        return any(abs(r.pos - v) <= 2 * tol for r in others)

    out = []
    for s in segs:
        a0, a1 = (s[0], s[2]) if horizontal else (s[1], s[3])
        if a1 - a0 >= 0.5 * length or (near(a0) and near(a1)):
            out.append(s)
    return out


def slot(rules: list[Rule], along: float, across: float) -> int:
    return min(max(bisect_right([r.at(along) for r in rules], across) - 1, 0), len(rules) - 2)


def rectangles(
    nr: int, nc: int, links: list[tuple[tuple[int, int], tuple[int, int]]]
) -> list[tuple[int, int, int, int]]:
    """Grid slots joined by `links` (no rule between them) as cells: each group's bounding
    rectangle (row0, col0, row1, col1); overlapping rectangles merge until none do."""
    parent = list(range(nr * nc))  # slot r, c is r * nc + c

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for (ar, ac), (br, bc) in links:
        parent[find(ar * nc + ac)] = find(br * nc + bc)
    # A group's rectangle takes in every slot inside it, whose group then merges with it:
    # rectangles sharing a slot are one. Each pass is linear in the slots their areas
    # cover (comparing rectangles pairwise took a minute on a page ruled every 3 pt).
    while True:
        boxes = _group_boxes(find, nr, nc)
        merged = False
        for root, (r0, c0, r1, c1) in boxes.items():
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    other = find(r * nc + c)
                    if other != find(root):
                        parent[other] = find(root)
                        merged = True
        if not merged:
            return sorted(boxes.values())


def _group_boxes(
    find: Callable[[int], int], nr: int, nc: int
) -> dict[int, tuple[int, int, int, int]]:
    """Each union-find group's bounding rectangle of slots, by its root."""
    boxes: dict[int, list[int]] = {}
    for r in range(nr):
        for c in range(nc):
            box = boxes.setdefault(find(r * nc + c), [r, c, r, c])
            if r > box[2]:
                box[2] = r
            if c < box[1]:
                box[1] = c
            if c > box[3]:
                box[3] = c
    return {root: (b[0], b[1], b[2], b[3]) for root, b in boxes.items()}


def crossings(seg: Segment, boxes: np.ndarray, horizontal: bool) -> int:
    """How many boxes (words; rows of x0, y0, x1, y1) a segment runs through the middle
    of: text taken for a rule."""
    if not len(boxes):
        return 0
    x0, y0, x1, y1 = seg
    bx0, by0, bx1, by1 = boxes.T
    cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
    if horizontal:
        y = y0 + (y1 - y0) * (cx - x0) / max(x1 - x0, 1e-6)
        pad = 0.25 * (by1 - by0)
        hit = (x0 <= cx) & (cx <= x1) & (by0 + pad < y) & (y < by1 - pad)
    else:
        x = x0 + (x1 - x0) * (cy - y0) / max(y1 - y0, 1e-6)
        pad = 0.2 * (bx1 - bx0)
        hit = (y0 <= cy) & (cy <= y1) & (bx0 + pad < x) & (x < bx1 - pad)
    return int(np.count_nonzero(hit))
