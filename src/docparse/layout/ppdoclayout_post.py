"""PP-DocLayoutV2/V3 post-processing, a faithful port of PaddleX 3.7
(`object_detection/processors.py`, `layout_analysis/processors.py`): thresholds per class,
NMS, merging of nested boxes, unclipping, V3's mask polygons and reading order. Compared
against PaddleX's own functions on random pages (tests/layout/test_ppdoclayout.py)."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from docparse.document import BBox, Label
from docparse.errors import InvalidOptions
from docparse.layout.boxes import LABELS_V2V3, SKIP_ORDER_LABELS, LayoutBox

# Names other PaddleX layout exports use (in an inference.yml label_list) with no Label of
# their own: each goes to the Label PaddleOCR-VL treats the same way. Anything else -> text.
LABEL_ALIASES: dict[str, Label] = {
    "formula": Label.display_formula,
    "equation": Label.display_formula,
    "figure": Label.image,
    "picture": Label.image,
    "title": Label.doc_title,
    "figure_caption": Label.figure_title,
    "table_title": Label.figure_title,
    "table_caption": Label.figure_title,
    "chart_title": Label.figure_title,
    "abstract_title": Label.paragraph_title,
    "reference_title": Label.paragraph_title,
    "content_title": Label.paragraph_title,
    "page_number": Label.number,
    "page_header": Label.header,
    "page_footer": Label.footer,
    "stamp": Label.seal,
}

SHAPE_MODES = ("rect", "quad", "poly", "auto")
MERGE_MODES = ("large", "small", "union")

Threshold = float | dict[Any, float]
MergeMode = str | dict[Any, str]
Unclip = float | tuple[float, float] | dict[Any, Any]


def label_for(name: str) -> Label:
    """docparse Label for a model class name (see LABEL_ALIASES)."""
    try:
        return Label(name)
    except ValueError:
        return LABEL_ALIASES.get(name.lower(), Label.text)


def _by_class(value: dict[Any, Any], labels: tuple[str, ...]) -> dict[int, Any]:
    out = {}
    for key, v in value.items():
        if isinstance(key, str) and not key.isdigit():
            if key not in labels:
                raise InvalidOptions(f"unknown layout class {key!r}; classes: {labels}")
            key = labels.index(key)
        out[int(key)] = v
    return out


def postprocess(
    raw: np.ndarray,
    masks: np.ndarray | None,
    img_size: tuple[int, int],
    labels: tuple[str, ...] = LABELS_V2V3,
    *,
    threshold: Threshold = 0.5,
    nms: bool = True,
    unclip_ratio: Unclip = 1.0,
    merge_mode: MergeMode = "large",
    shape_mode: str = "auto",
) -> list[LayoutBox]:
    """PaddleX LayoutAnalysisProcess on rows [cls, score, x1, y1, x2, y2, order_seq, votes]
    already in page pixels; img_size is (w, h)."""
    if shape_mode not in SHAPE_MODES:
        raise InvalidOptions(f"layout shape mode must be one of {SHAPE_MODES}, not {shape_mode!r}")
    modes = _by_class(merge_mode, labels) if isinstance(merge_mode, dict) else merge_mode
    if any(m not in MERGE_MODES for m in (modes.values() if isinstance(modes, dict) else [modes])):
        raise InvalidOptions(f"layout merge mode must be one of {MERGE_MODES}: {merge_mode!r}")
    w, h = img_size
    b = np.asarray(raw, dtype=np.float32)
    if b.size == 0:
        return []
    b = b.reshape(len(b), -1)
    if b.shape[1] == 7:  # order_seq without votes: sort on order_seq alone
        b = np.hstack([b, np.zeros((len(b), 1), np.float32)])
    # A last column keeps each row's index into `masks` through the filtering below. All
    # arithmetic stays float32 like PaddleX's, so int() truncation lands on the same pixel.
    b = np.hstack([b[:, :8], np.arange(len(b), dtype=np.float32)[:, None]])
    b[:, 2:6] = np.round(b[:, 2:6])
    if isinstance(threshold, dict):
        thr = _by_class(threshold, labels)
        limits = np.array([thr.get(int(c), 0.5) for c in b[:, 0]], dtype=np.float32)
    else:
        limits = np.full(len(b), threshold, dtype=np.float32)
    b = b[(b[:, 1] > limits) & (b[:, 0] > -1) & (b[:, 0] < len(labels))]
    if nms and len(b):
        b = b[_nms(b)]
    if len(b) > 1 and "image" in labels:
        # A huge "image" box is usually the page itself; PaddleX drops it, unless it is alone.
        limit = (0.82 if w > h else 0.93) * w * h
        area = (np.minimum(b[:, 4], w) - np.maximum(b[:, 2], 0)) * (
            np.minimum(b[:, 5], h) - np.maximum(b[:, 3], 0)
        )
        keep = (b[:, 0] != labels.index("image")) | (area <= limit)
        b = b[keep] if keep.any() else b
    if len(b):
        b = b[_merge_keep(b, modes, labels.index("formula") if "formula" in labels else None)]
    if not len(b):
        return []
    b = b[np.lexsort((-b[:, 7], b[:, 6]))]  # ascending order_seq, ties: more votes first
    polygons: list[np.ndarray] | None = None
    if masks is not None and shape_mode != "rect":
        polygons = _mask_polygons(
            b[:, :6], np.asarray(masks)[b[:, 8].astype(int)], img_size, shape_mode
        )
    b[:, :6] = _unclip(b[:, :6], unclip_ratio, labels)
    out: list[LayoutBox] = []
    order = 0
    for i, row in enumerate(b):
        x0, y0, x1, y1 = (
            int(max(0, row[2])),
            int(max(0, row[3])),
            int(min(w, row[4])),
            int(min(h, row[5])),
        )
        if x1 <= x0 or y1 <= y0:
            continue
        name = labels[int(row[0])]
        if name not in SKIP_ORDER_LABELS:
            order += 1
        poly = None if polygons is None else [(float(x), float(y)) for x, y in polygons[i]]
        out.append(
            LayoutBox(
                label_for(name),
                float(row[1]),
                BBox(x0=x0, y0=y0, x1=x1, y1=y1),
                None if name in SKIP_ORDER_LABELS else order,
                poly,
                int(row[0]),
            )
        )
    return out


def _nms(b: np.ndarray, iou_same: float = 0.6, iou_diff: float = 0.98) -> list[int]:
    """PaddleX's class-aware NMS (IoU with the +1 pixel convention)."""
    x0, y0, x1, y1 = b[:, 2], b[:, 3], b[:, 4], b[:, 5]
    areas = (x1 - x0 + 1) * (y1 - y0 + 1)
    order = np.argsort(b[:, 1])[::-1]
    keep: list[int] = []
    while len(order):
        i, rest = order[0], order[1:]
        keep.append(int(i))
        inter = np.maximum(
            0, np.minimum(x1[i], x1[rest]) - np.maximum(x0[i], x0[rest]) + 1
        ) * np.maximum(0, np.minimum(y1[i], y1[rest]) - np.maximum(y0[i], y0[rest]) + 1)
        iou = inter / (areas[i] + areas[rest] - inter)
        order = rest[iou < np.where(b[rest, 0] == b[i, 0], iou_same, iou_diff)]
    return keep


def _merge_keep(b: np.ndarray, modes: str | dict[int, str], formula: int | None) -> np.ndarray:
    """PaddleX layout_merge_bboxes_mode: which boxes survive. inside[i, j] = box i lies in j."""
    x0, y0, x1, y1 = (b[:, k] for k in range(2, 6))
    inter = np.maximum(0, np.minimum(x1[:, None], x1) - np.maximum(x0[:, None], x0)) * np.maximum(
        0, np.minimum(y1[:, None], y1) - np.maximum(y0[:, None], y0)
    )
    area = ((x1 - x0) * (y1 - y0))[:, None]
    inside = np.divide(inter, area, out=np.zeros_like(inter), where=area > 0) >= 0.9
    np.fill_diagonal(inside, False)
    cls = b[:, 0]
    if formula is not None:  # a formula only counts as inside another formula
        inside &= ~((cls[:, None] == formula) & (cls[None, :] != formula))
    if isinstance(modes, str):  # class-agnostic, exactly as PaddleX does for a plain string
        if modes == "large":
            keep: np.ndarray = ~inside.any(axis=1)
            return keep
        if modes == "small":
            keep = ~inside.any(axis=0) | inside.any(axis=1)
            return keep
        return np.ones(len(b), bool)
    keep = np.ones(len(b), bool)
    for c, mode in modes.items():
        if mode == "large":  # drop any box lying in a box of class c
            keep &= ~(inside & (cls[None, :] == c)).any(axis=1)
        elif mode == "small":  # drop boxes holding a class-c box, unless themselves inside one
            pairs = inside & (cls[:, None] == c)
            keep &= ~pairs.any(axis=0) | pairs.any(axis=1)
    return keep


def _unclip(b: np.ndarray, ratio: Unclip, labels: tuple[str, ...]) -> np.ndarray:
    """Scale each box's width/height about its centre (per class for a dict)."""
    if not ratio:
        return b
    if isinstance(ratio, dict):
        per_class = {
            c: (r, r) if isinstance(r, int | float) else r
            for c, r in _by_class(ratio, labels).items()
        }
        rows = np.array([int(c) in per_class for c in b[:, 0]], dtype=bool)
        pairs = [per_class[int(c)] for c in b[rows, 0]]
    else:
        rows = np.ones(len(b), dtype=bool)
        pairs = [(ratio, ratio) if isinstance(ratio, int | float) else ratio] * len(b)
    if not rows.any():
        return b
    rw, rh = np.array(pairs, dtype=b.dtype).reshape(-1, 2).T
    out = b.copy()
    x0, y0, x1, y1 = (b[rows, k] for k in range(2, 6))
    w, h = x1 - x0, y1 - y0
    cx, cy = x0 + w / 2, y0 + h / 2  # PaddleX's exact float32 steps
    out[rows, 2:6] = np.stack(
        [cx - w * rw / 2, cy - h * rh / 2, cx + w * rw / 2, cy + h * rh / 2], axis=1
    )
    return out


# --- V3 polygons: PaddleX extract_polygon_points_by_masks and its helpers --------------------


def _mask_polygons(
    b: np.ndarray, masks: np.ndarray, img_size: tuple[int, int], mode: str
) -> list[np.ndarray]:
    """One polygon (page pixels) per box from its binary mask (1/4 of the model input)."""
    mh, mw = masks.shape[1:]
    sx, sy = mw / img_size[0], mh / img_size[1]
    max_w = float(np.max(b[:, 4] - b[:, 3]))  # sic: PaddleX takes x2 - y1 as "widest box"
    out: list[np.ndarray] = []
    for box, mask in zip(b, masks, strict=True):
        x0, y0, x1, y1 = box[2:6].astype(np.int32)
        rect = _rect(box[2:6])
        xs = np.clip([round(x0 * sx), round(x1 * sx)], 0, mw)
        ys = np.clip([round(y0 * sy), round(y1 * sy)], 0, mh)
        crop = mask[ys[0] : ys[1], xs[0] : xs[1]]
        if x1 <= x0 or y1 <= y0 or crop.size == 0 or not crop.any():
            out.append(rect)
            continue
        crop = cv2.resize(
            crop.astype(np.uint8), (int(x1 - x0), int(y1 - y0)), interpolation=cv2.INTER_NEAREST
        )
        poly = _mask_to_polygon(crop, float(x1 - x0) if x1 - x0 > max_w * 0.6 else max_w)
        if poly is not None and len(poly):
            poly = poly + np.array([x0, y0])
        out.append(_shape(box[2:6], poly, mode, out[-1] if out else None))
    return out


def _rect(box: np.ndarray) -> np.ndarray:
    x0, y0, x1, y1 = np.asarray(box).astype(np.int32)
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)


def _mask_to_polygon(mask: np.ndarray, max_dist: float) -> np.ndarray | None:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    approx = cv2.approxPolyDP(contour, 0.004 * cv2.arcLength(contour, True), True)
    return _custom_vertices(np.atleast_2d(approx.squeeze()).astype(np.float64), max_dist * 0.3)


def _custom_vertices(poly: np.ndarray, max_dist: float) -> np.ndarray:
    """PaddleX extract_custom_vertices: drop lone concave vertices, keep long edges sampled,
    push 45-degree corners out along their bisector."""
    n = len(poly)
    prev, nxt = np.roll(poly, 1, axis=0), np.roll(poly, -1, axis=0)
    v1, v2 = prev - poly, nxt - poly
    a, c = poly - prev, nxt - poly
    convex = a[:, 0] * c[:, 1] - a[:, 1] * c[:, 0] < 0
    n1, n2 = np.linalg.norm(v1, axis=1), np.linalg.norm(v2, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):  # repeated points: angle is NaN
        angle = np.degrees(np.arccos(np.clip((v1 * v2).sum(axis=1) / (n1 * n2), -1, 1)))
    concave = [i for i in range(n) if not convex[i]]
    runs: list[list[int]] = []
    for i in concave:  # runs of consecutive concave vertices; only runs of 2+ may be kept
        if runs and i - runs[-1][-1] == 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    grouped = {i for run in runs if len(run) >= 2 for i in run}
    if (
        len(concave) >= 2
        and concave[0] == 0
        and concave[-1] == n - 1
        and not (0 in grouped and n - 1 in grouped)
    ):
        grouped = set()
    kept = [i for i in range(n) if convex[i] or (i in grouped and angle[i] >= 120)]
    final: list[int] = []
    for k, i in enumerate(kept):
        j = kept[(k + 1) % len(kept)]
        final.append(i)
        dist = float(np.linalg.norm(poly[i] - poly[j]))
        between = list(range(i + 1, j)) if j > i else [*range(i + 1, n), *range(0, j)]
        if dist > max_dist and between:
            need = int(np.ceil(dist / max_dist)) - 1
            step = len(between) / need if len(between) > need else 1
            final.extend(between[int(s * step)] for s in range(min(need, len(between))))
    out = []
    for i in sorted(set(final)):
        p = poly[i]
        if convex[i] and abs(angle[i] - 45) < 1:
            bisector = v1[i] / n1[i] + v2[i] / n2[i]
            p = p + bisector / np.linalg.norm(bisector) * (n1[i] + n2[i]) / 2
        out.append(p)
    return np.array(out, dtype=np.float64).reshape(-1, 2)


def _shape(
    box: np.ndarray, poly: np.ndarray | None, mode: str, previous: np.ndarray | None
) -> np.ndarray:
    """PaddleX _normalize_layout_polygon: the rect, the min-area quad or the polygon."""
    rect = _rect(box)
    if poly is None or len(poly) < 4 or mode == "rect":
        return rect
    poly = np.asarray(poly, dtype=np.float32).reshape(-1, 2)
    if mode == "poly":
        return poly
    quad = cv2.boxPoints(cv2.minAreaRect(poly))
    centre = quad.mean(axis=0)
    quad = quad[np.argsort(np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0]))]
    quad = np.roll(quad, -int(np.argmin(quad.sum(axis=1))), axis=0)  # start top-left
    if mode == "quad":
        return quad
    if _overlap(rect, quad) >= 0.95:  # auto: near-upright boxes stay rectangles
        return rect
    prev_overlap = 0.0 if previous is None else _overlap(previous, rect, small=True)
    return quad if _overlap(poly, quad) >= 0.8 and prev_overlap < 0.01 else poly


def _area(p: np.ndarray) -> float:
    x, y = p[:, 0], p[:, 1]
    return float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2


def _overlap(subject: np.ndarray, clip: np.ndarray, small: bool = False) -> float:
    """Intersection over union (or over the smaller area) of a polygon and a convex one.
    PaddleX uses shapely; Sutherland-Hodgman is exact here as `clip` is always convex."""
    sign = 1.0 if _area(clip) >= 0 else -1.0
    pts = [np.asarray(p, np.float64) for p in subject]
    for a, b in zip(clip, np.roll(clip, -1, axis=0), strict=True):
        side = [sign * ((b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])) for p in pts]
        out = []
        for k, p in enumerate(pts):
            q, sp, sq = pts[k - 1], side[k], side[k - 1]
            if (sp >= 0) != (sq >= 0):
                out.append(q + (p - q) * (sq / (sq - sp)))
            if sp >= 0:
                out.append(p)
        pts = out
        if not pts:
            return 0.0
    inter = abs(_area(np.array(pts)))
    a1, a2 = abs(_area(np.asarray(subject, np.float64))), abs(_area(np.asarray(clip, np.float64)))
    ref = min(a1, a2) if small else a1 + a2 - inter
    return inter / ref if ref > 0 else 0.0
