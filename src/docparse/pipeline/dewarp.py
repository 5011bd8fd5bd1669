"""A phone photo of a sheet on a desk, taken at an angle, made flat before OCR.

Tesseract straightens a page turned as a whole, but not one seen in perspective: there
every line has its own slant, lines run into each other and a table reads as a picture
(a public order photographed at an angle: 1 of 5 checks; flattened, 5 of 5). A sheet
is found where it stands out against a darker surround: the paper's brightness (the
text filtered out, paper in shadow kept) split in two; the bright part must fill the
quadrilateral of its four extreme corners, the dark part run round the image's edge,
and nothing outside the sheet look like text. Anything else — a scan, a photo cropped
to the sheet, a page with a dark picture on it, a leaflet's white panel on a dark page
— is left as it is. Boxes found on the flat sheet are taken back to the photo's pixels, so every
later stage (figure crops, the searchable PDF) sees the image the client sent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image, ImageDraw, ImageFilter

from docparse.document import BBox, Block
from docparse.pipeline.orientation import Mover, Orientation, movers

ANALYSIS_SIDE = 400  # pixels: the sheet's outline needs no detail
MAX_DESK_SHARE = 0.7  # the surround is darker than the paper by a third at least
MIN_SHEET, MAX_SHEET = 0.3, 0.95  # share of the photo the sheet covers
EDGE = 0.04  # the image's outer band, where the surround must show…
MIN_EDGE_DARK = 0.6  # …on this share of it
MIN_QUAD_FILL = 0.8  # the bright part fills its outline (pictures on it are dark)…
# …and outside it no text: pixels that stand out from their surroundings (ink, white
# letters on a dark page) are 3-25% of a page, 0-1% of a desk.
MAX_INK_OUTSIDE = 0.015
INK_CONTRAST = 30  # grey levels
# Paper in shadow: at least SHADE_RATIO of the brightest within SHADE_WINDOW pixels,
# and SHADE_OVER_DESK times the desk's level.
SHADE_WINDOW, SHADE_RATIO, SHADE_OVER_DESK = 15, 0.8, 1.5
EDGE_BAND = 6  # pixels either side of a side where its edge is looked for…
MIN_EDGE_POINTS = 20
MAX_CORNER_FIT = 0.05  # …and how far (of the image) a fitted corner may move
MIN_CORNER_SHIFT = 0.02  # of the side: less is no perspective worth a resample

Point = tuple[float, float]
Size = tuple[int, int]


@dataclass(frozen=True)
class Warp:
    """The sheet's corners in the photo (top-left, top-right, bottom-right, bottom-left)
    and the flat sheet's size in pixels."""

    corners: tuple[Point, Point, Point, Point]
    size: tuple[int, int]

    @property
    def coefficients(self) -> tuple[float, ...]:
        """PIL's perspective coefficients: a flat pixel to the photo's."""
        w, h = self.size
        flat = ((0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h)))
        rows, values = [], []
        for (u, v), (x, y) in zip(flat, self.corners, strict=True):
            rows += [[u, v, 1, 0, 0, 0, -x * u, -x * v], [0, 0, 0, u, v, 1, -y * u, -y * v]]
            values += [x, y]
        return tuple(float(c) for c in np.linalg.solve(np.array(rows), np.array(values)))

    def flatten(self, image: Image.Image) -> Image.Image:
        return image.transform(
            self.size, Image.Transform.PERSPECTIVE, self.coefficients, Image.Resampling.BICUBIC
        )

    def to_photo(self) -> Callable[[float, float], Point]:
        a, b, c, d, e, f, g, h = self.coefficients

        def point(u: float, v: float) -> Point:
            scale = g * u + h * v + 1
            return (a * u + b * v + c) / scale, (d * u + e * v + f) / scale

        return point


def find_sheet(image: Image.Image) -> Warp | None:
    """The sheet's outline when `image` is a photo of one on a darker surround, seen at
    an angle; None for anything else."""
    small = image.convert("L")
    small.thumbnail((ANALYSIS_SIDE, ANALYSIS_SIDE), Image.Resampling.BOX)
    paper = np.asarray(small.filter(ImageFilter.MaxFilter(5)), dtype=np.float32)
    band = max(1, round(EDGE * min(paper.shape)))
    edge = np.ones(paper.shape, dtype=bool)
    edge[band:-band, band:-band] = False
    bright = _largest(_with_shade(paper, paper > _otsu(paper), edge))
    if not bright.any() or bright.all():
        return None
    if paper[~bright].mean() > MAX_DESK_SHARE * paper[bright].mean():
        return None
    share = float(bright.mean())
    if not MIN_SHEET <= share <= MAX_SHEET or (~bright)[edge].mean() < MIN_EDGE_DARK:
        return None
    # Specks of light on the desk would pull the extreme corners out: eroded away.
    solid = np.asarray(
        Image.fromarray(bright.astype(np.uint8) * 255).filter(ImageFilter.MinFilter(5))
    )
    ys, xs = np.nonzero(solid)
    if len(xs) < 4:
        return None
    along, across = xs + ys, xs - ys
    quad = np.array(
        [
            (xs[along.argmin()], ys[along.argmin()]),
            (xs[across.argmax()], ys[across.argmax()]),
            (xs[along.argmax()], ys[along.argmax()]),
            (xs[across.argmin()], ys[across.argmin()]),
        ],
        dtype=np.float64,
    )
    quad = _fitted(quad, solid.astype(bool))
    # A sheet: bright inside its outline, no text outside it (a leaflet's white panel on
    # a dark page with white text round it is no sheet on a desk).
    # Its border drawn a few pixels wide: the outline is the eroded part's, and a pixel
    # either side of a drawn edge says nothing.
    outline = Image.new("1", (paper.shape[1], paper.shape[0]))
    corners_small = [(float(x), float(y)) for x, y in quad]
    draw = ImageDraw.Draw(outline)
    draw.polygon(corners_small, fill=1)
    inside = np.asarray(outline, dtype=bool)
    draw.line([*corners_small, corners_small[0]], fill=1, width=7)
    near = np.asarray(outline, dtype=bool)
    if not inside.any() or near.all():
        return None
    if bright[inside].mean() < MIN_QUAD_FILL or _ink(small)[~near].mean() > MAX_INK_OUTSIDE:
        return None
    height, width = paper.shape
    frame = np.array([(0, 0), (width, 0), (width, height), (0, height)], dtype=np.float64)
    if np.abs(quad - frame).max() < MIN_CORNER_SHIFT * max(width, height):
        return None
    return _warp(quad * image.width / width)


def _fitted(quad: np.ndarray, sheet: np.ndarray) -> np.ndarray:
    """The corners where lines fitted to the sheet's four edges meet: the extreme points
    alone sit a few pixels off when a side is nearly level (the first one along it wins)."""
    inner = np.asarray(
        Image.fromarray(sheet.astype(np.uint8) * 255).filter(ImageFilter.MinFilter(3)), dtype=bool
    )
    ys, xs = np.nonzero(sheet & ~inner)
    border = np.stack([xs, ys], axis=1).astype(np.float64)
    sides = []
    for start, end in zip(quad, np.roll(quad, -1, axis=0), strict=True):
        along = end - start
        length = float(np.linalg.norm(along))
        if length < 1:
            return quad
        share = (border - start) @ along / length**2
        off = (border - start) @ np.array([-along[1], along[0]]) / length
        points = border[(share > 0.1) & (share < 0.9) & (np.abs(off) < EDGE_BAND)]
        if len(points) < MIN_EDGE_POINTS:
            return quad
        centre = points.mean(axis=0)
        direction = np.linalg.svd(points - centre)[2][0]
        sides.append((centre, direction))
    corners = []
    for (c1, d1), (c2, d2) in zip(np.roll(np.array(sides), 1, axis=0), sides, strict=True):
        try:
            s, _ = np.linalg.solve(np.column_stack([d1, -d2]), c2 - c1)
        except np.linalg.LinAlgError:
            return quad
        corners.append(c1 + s * d1)
    fitted = np.array(corners)
    if np.abs(fitted - quad).max() > MAX_CORNER_FIT * np.abs(quad).max():
        return quad  # the edges are no straight lines: keep the extreme points
    return fitted


def _warp(corners: np.ndarray) -> Warp:
    """The warp of a sheet with these corners (top-left, top-right, bottom-right,
    bottom-left): flat, each side as long as the mean of the two it stands for."""
    flat_w = (np.linalg.norm(corners[1] - corners[0]) + np.linalg.norm(corners[2] - corners[3])) / 2
    flat_h = (np.linalg.norm(corners[3] - corners[0]) + np.linalg.norm(corners[2] - corners[1])) / 2
    tl, tr, br, bl = ((float(x), float(y)) for x, y in corners)
    return Warp((tl, tr, br, bl), (round(flat_w), round(flat_h)))


def to_page(sheet: Warp, upright: Orientation, flat: Size, photo: Size) -> Mover:
    """A point of the flat sheet (`flat` pixels) turned upright as `upright` says, on the
    photo (`photo` pixels) turned the same way: the page's frame."""
    _, unturn = movers(upright, flat)
    turn, _ = movers(upright, photo)
    on_photo = sheet.to_photo()
    return lambda x, y: turn(*on_photo(*unturn(x, y)))


def boxes_to_photo(blocks: list[Block], point: Mover) -> None:
    """Every box in `blocks` (blocks, lines, words, cells, polygons), found on the flat
    sheet, taken to the photo by `point`: the box around its four corners' images."""

    def box(b: BBox) -> BBox:
        xs, ys = zip(*(point(x, y) for x in (b.x0, b.x1) for y in (b.y0, b.y1)), strict=True)
        return BBox(x0=min(xs), y0=min(ys), x1=max(xs), y1=max(ys))

    for block in blocks:
        block.bbox = box(block.bbox)
        if block.polygon:
            block.polygon = [point(x, y) for x, y in block.polygon]
        for line in block.lines:
            line.bbox = box(line.bbox)
            line.words = [(text, box(b)) for text, b in line.words]
        for cell in block.cells:
            cell.bbox = box(cell.bbox) if cell.bbox else None


def _with_shade(paper: np.ndarray, bright: np.ndarray, edge: np.ndarray) -> np.ndarray:
    """The bright part, and paper in shadow: brighter than the desk by half (the desk's
    level read round the image's edge) and smooth with the brightest paper near it —
    light fades slowly across a sheet, while at the sheet's edge the desk is darker by
    half or more."""
    desk = float(np.median(paper[edge]))
    near = _local_max(paper, SHADE_WINDOW)
    return bright | ((paper >= SHADE_RATIO * near) & (paper > SHADE_OVER_DESK * desk))


def _local_max(values: np.ndarray, size: int) -> np.ndarray:
    """The largest value within `size` × `size` around each point, a row and a column at
    a time (PIL's MaxFilter looks at every point of the square: ten times slower)."""
    reach = size // 2
    padded = np.pad(values, reach, mode="edge")
    rows = sliding_window_view(padded, size, axis=1).max(axis=-1)
    most: np.ndarray = sliding_window_view(rows, size, axis=0).max(axis=-1)
    return most


def _largest(mask: np.ndarray) -> np.ndarray:
    """The largest connected part of `mask`: the sheet, not a lit patch of desk beside it
    that the shade rule let in."""
    count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=4)
    if count <= 2:
        return mask
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0  # the background
    largest: np.ndarray = labels == int(sizes.argmax())
    return largest


def _ink(gray: Image.Image) -> np.ndarray:
    """Pixels that stand out from their surroundings by INK_CONTRAST: letters, rules."""
    near = np.asarray(gray.filter(ImageFilter.GaussianBlur(2)), dtype=np.float32)
    ink: np.ndarray = np.abs(np.asarray(gray, dtype=np.float32) - near) > INK_CONTRAST
    return ink


def _otsu(values: np.ndarray) -> float:
    """The level that splits `values` into two groups of least spread (Otsu)."""
    counts, edges = np.histogram(values, bins=64, range=(0, 256))
    centres = (edges[:-1] + edges[1:]) / 2
    below = np.cumsum(counts)
    above = below[-1] - below
    sums = np.cumsum(counts * centres)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = sums / below
        high = (sums[-1] - sums) / above
        spread = np.nan_to_num(below * above * (low - high) ** 2)  # one level alone: 0
    return float(edges[1:][int(spread[:-1].argmax())])
