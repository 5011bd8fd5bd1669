"""Dot leaders wiped from a page before OCR. A row of dots leading a label to its figure
(a statement's 'Other assets ........ 6,205', a contents list's 'Введение ...... 3') is
no text, but Tesseract reads it as letters ('cesaseccosssncsec', 'О НО ОЕ ЗЫ Я') and
often takes the label's words down with it. Dots are small round blobs of ink on one
baseline, evenly spaced; five or more in such a row are a leader and turn to paper."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

MAX_DOT_IN = 0.028  # a dot's largest side (inches): a full stop of 14 pt type is 0.02
MAX_ASPECT = 2.0  # a dot is about as wide as it is tall (a hyphen or an i's stem is not)
MIN_FILL = 0.35  # of its box: a dot is solid ink (a small letter's curve is not)
MAX_STEP_IN = 0.15  # from one dot to the next: spaced leaders ('. . . .') reach 0.1
MIN_DOTS = 5  # fewer is an ellipsis or a few full stops
EVEN = 0.35  # a leader's steps vary by at most this share of their median
# Paper a leader's dot has above it (a lower-case letter's height) and below it (most of
# a descender's), in inches.
CLEAR_ABOVE_IN, CLEAR_BELOW_IN = 0.06, 0.025


def wipe_dot_leaders(gray: Image.Image, dpi: float) -> Image.Image:
    """`gray` with every run of leader dots painted white; the same image when none."""
    pixels = np.asarray(gray)
    _, ink = cv2.threshold(pixels, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, labels, stats, centres = cv2.connectedComponentsWithStats(ink, connectivity=8)
    width, height, area = (
        stats[1:, k] for k in (cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT, cv2.CC_STAT_AREA)
    )
    largest = max(2.0, MAX_DOT_IN * dpi)
    dots = np.flatnonzero(
        (width <= largest)
        & (height <= largest)
        & (np.maximum(width, height) <= MAX_ASPECT * np.minimum(width, height))
        & (area >= MIN_FILL * width * height)
    )
    dots = dots[_alone(ink, stats[1:][dots], dpi)]
    leaders = _leader_dots(centres[1:][dots], height[dots], MAX_STEP_IN * dpi)
    if not leaders:
        return gray
    wiped = np.zeros(count, dtype=np.uint8)
    wiped[dots[leaders] + 1] = 1
    # With the grey a scan blurs round each dot.
    mask = cv2.dilate(wiped[labels], np.ones((3, 3), np.uint8)).astype(bool)
    out = pixels.copy()
    out[mask] = 255
    return Image.fromarray(out)


def _alone(ink: np.ndarray, boxes: np.ndarray, dpi: float) -> np.ndarray:
    """Which of the blobs (x, y, w, h, area rows) have paper above and below them, as a
    leader's dot on its baseline has: on a worn scan a letter falls apart into specks
    in a row (the serifs of 'themselves'), each with the rest of its letter beside it."""
    if not len(boxes):
        return np.zeros(0, dtype=bool)
    summed: np.ndarray = cv2.integral(ink)  # (h + 1) x (w + 1) running sums
    rows, cols = ink.shape
    x0 = np.clip(boxes[:, 0] - 1, 0, cols)
    x1 = np.clip(boxes[:, 0] + boxes[:, 2] + 1, 0, cols)
    top, bottom = boxes[:, 1], boxes[:, 1] + boxes[:, 3]

    def inked(y0: np.ndarray, y1: np.ndarray) -> np.ndarray:
        y0, y1 = np.clip(y0, 0, rows), np.clip(y1, 0, rows)
        sums: np.ndarray = summed[y1, x1] - summed[y0, x1] - summed[y1, x0] + summed[y0, x0]
        return sums

    above = inked(top - round(CLEAR_ABOVE_IN * dpi), top)
    below = inked(bottom, bottom + round(CLEAR_BELOW_IN * dpi))
    alone: np.ndarray = (above == 0) & (below == 0)
    return alone


def _leader_dots(centres: np.ndarray, heights: np.ndarray, max_step: float) -> list[int]:
    """Indices of the dots that stand in evenly spaced rows of MIN_DOTS or more."""
    found: list[int] = []
    if not len(centres):
        return found
    band = max(2.0, float(np.median(heights)))  # dots whose middles lie this close share a row
    buckets = (centres[:, 1] // band).astype(np.int64)
    order = np.lexsort((centres[:, 0], buckets))
    keys = buckets[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(order)]
    rows = {int(keys[a]): order[a:b] for a, b in zip(starts, ends, strict=True)}
    # Each bucket with the one below it: a baseline on a bucket's edge splits its dots.
    for key, row in rows.items():
        below = rows.get(key + 1)
        members = row if below is None else np.concatenate((row, below))
        if len(members) < MIN_DOTS:
            continue  # most rows: a few stops and specks
        members = members[np.argsort(centres[members, 0], kind="stable")]
        steps = np.diff(centres[members, 0])
        for chain in np.split(np.arange(len(members)), np.flatnonzero(steps > max_step) + 1):
            if len(chain) >= MIN_DOTS:
                found += [int(members[i]) for i in _even_runs(steps[chain[:-1]], chain)]
    return found


def _even_runs(steps: np.ndarray, chain: np.ndarray) -> list[int]:
    """The members of `chain` (steps between them given) in runs of MIN_DOTS or more whose
    steps stay within EVEN of the chain's median step."""
    median = float(np.median(steps))
    if median <= 0:
        return []
    uneven = np.flatnonzero(np.abs(steps - median) > EVEN * median) + 1
    return [int(i) for run in np.split(chain, uneven) if len(run) >= MIN_DOTS for i in run]
