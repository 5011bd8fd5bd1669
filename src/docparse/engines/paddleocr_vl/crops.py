"""What PaddleX does to the crops between the box filter and the VLM calls (PaddleX
`pipelines/paddleocr_vl/uilts.py`, called from `pipeline.py: get_layout_parsing_results`):
`merge_blocks` reads adjacent text blocks as one stacked crop (the pipeline's
`merge_layout_blocks`, on by default), and `crop_margin` trims the white margin off a
formula's crop."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from docparse.document import BBox, Label

ALIGN_PX = 5  # PaddleX is_aligned: edges within 5 px line up
CROSS_GAP = 0.3  # side by side: a gap under 0.3 of the wider block's width
UPDOWN_GAP = 0.5  # one above the other: a gap under 0.5 of the taller block's height
MAX_MERGED_ASPECT = 3  # a stack this many times higher than wide is read block by block
MIN_TRIMMED_SIDE = 2  # a trimmed formula crop must keep more than this on both sides


@dataclass
class Crop:
    """One layout box and its crop of the page, as PaddleX's CropByBoxes gives them."""

    label: Label
    bbox: BBox
    image: Image.Image


@dataclass
class Planned:
    """A box in the order merge_blocks leaves them, and the crop to read for it: the
    stacked crop of its group for the first box of a merged group, None for the others
    (their text is in the first's answer)."""

    index: int  # the box's position in the list merge_blocks was given
    image: Image.Image | None
    group: int  # index of the group's first box (its own index when not merged)


def _aligned(a: float, b: float) -> bool:
    return abs(a - b) <= ALIGN_PX


def _alignment(box: BBox, prev: BBox) -> str:
    if _aligned(box.x0, prev.x0):
        return "left"
    if _aligned(box.x1, prev.x1):
        return "right"
    return "center"


def _horizontal_overlap(a: BBox, b: BBox) -> float:
    """PaddleX calculate_projection_overlap_ratio(a, b, "horizontal"), union mode."""
    overlap = min(a.x1, b.x1) - max(a.x0, b.x0)
    if overlap <= 0:
        return 0.0
    span = max(a.x1, b.x1) - min(a.x0, b.x0)
    return overlap / span if span > 0 else 0.0


def _overlaps_other(i: int, j: int, crops: list[Crop], keep_apart: frozenset[Label]) -> bool:
    """PaddleX overlapwith_other_box: does the box around blocks i and j touch a block
    that is never merged (a picture, a table)?"""
    around = crops[i].bbox.union(crops[j].bbox)
    return any(
        k not in (i, j) and other.label in keep_apart and around.overlap_area(other.bbox) > 0
        for k, other in enumerate(crops)
    )


def merge_images(images: list[Image.Image], aligns: list[str]) -> Image.Image:
    """PaddleX merge_images: the crops stacked top to bottom on white, each step aligned
    left, right or centred against what is stacked so far."""
    merged = images[0]
    for image, align in zip(images[1:], aligns, strict=True):
        width = max(merged.width, image.width)
        stacked = Image.new("RGB", (width, merged.height + image.height), (255, 255, 255))
        if align == "center":
            x1, x2 = (width - merged.width) // 2, (width - image.width) // 2
        elif align == "right":
            x1, x2 = width - merged.width, width - image.width
        else:
            x1 = x2 = 0
        stacked.paste(merged, (x1, 0))
        stacked.paste(image, (x2, merged.height))
        merged = stacked
    return merged


def merge_blocks(crops: list[Crop], keep_apart: frozenset[Label]) -> list[Planned]:
    """PaddleX merge_blocks: consecutive text blocks side by side (a line broken across
    two columns' boxes) or one above the other beside a picture or table (text flowing
    round it) are read as one crop. Blocks with a `keep_apart` label are never merged,
    and one that sat between a group's first and last block comes after the group."""
    mergeable = [(i, c) for i, c in enumerate(crops) if c.label not in keep_apart]
    groups: list[tuple[list[int], list[str]]] = []
    indices: list[int] = []
    aligns: list[str] = []
    for n, (i, crop) in enumerate(mergeable):
        if not indices:
            indices, aligns = [i], []
            continue
        j, prev = mergeable[n - 1]
        box, before = crop.bbox, prev.bbox
        overlap = _horizontal_overlap(box, before)
        both_text = crop.label == prev.label == Label.text
        cross = (
            overlap == 0
            and both_text
            and box.x0 > before.x1
            and box.y0 < before.y1
            and box.x0 - before.x1 < max(before.width, box.width) * CROSS_GAP
        )
        updown = (
            overlap > 0
            and both_text
            and box.y1 >= before.y0
            and abs(box.y0 - before.y1) < max(before.height, box.height) * UPDOWN_GAP
            and _aligned(box.x0, before.x0) != _aligned(box.x1, before.x1)
            and _overlaps_other(i, j, crops, keep_apart)
        )
        if cross or updown:
            indices.append(i)
            aligns.append("center" if cross else _alignment(box, before))
        else:
            groups.append((indices, aligns))
            indices, aligns = [i], []
    if indices:
        groups.append((indices, aligns))

    by_start = {members[0]: (members, steps) for members, steps in groups}
    planned: list[Planned] = []
    used: set[int] = set()
    index = 0
    while index < len(crops):
        group = by_start.get(index)
        if group is not None and not used.intersection(group[0]):
            members, steps = group
            images = [crops[m].image for m in members]
            width = max(im.width for im in images)
            height = sum(im.height for im in images)
            if width == 0 or height / width >= MAX_MERGED_ASPECT:
                planned += [Planned(m, crops[m].image, m) for m in members]
            else:
                stacked = merge_images(images, steps)
                planned += [
                    Planned(m, stacked if n == 0 else None, members[0])
                    for n, m in enumerate(members)
                ]
            used.update(members)
            between = [k for k in range(members[0] + 1, members[-1]) if k not in members]
            planned += [Planned(k, crops[k].image, k) for k in between]
            used.update(between)
            index = members[-1] + 1
            continue
        if crops[index].label in keep_apart and index not in used:
            planned.append(Planned(index, crops[index].image, index))
            used.add(index)
        index += 1
    return planned


def crop_margin(image: Image.Image) -> Image.Image:
    """PaddleX crop_margin: the crop cut to the bounding box of its ink (grey levels
    stretched to 0..255, ink at 200 and below), as the pipeline does for formulas; a crop
    left no more than 2 px high or wide is not used."""
    import cv2

    gray = cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2GRAY)
    low, high = int(gray.min()), int(gray.max())
    if low == high:
        return image
    stretched = ((gray - low) / (high - low) * 255).astype(np.uint8)
    _, ink = cv2.threshold(stretched, 200, 255, cv2.THRESH_BINARY_INV)
    points = cv2.findNonZero(ink)
    if points is None:
        return image
    x, y, w, h = cv2.boundingRect(points)
    if w <= MIN_TRIMMED_SIDE or h <= MIN_TRIMMED_SIDE:
        return image
    return image.crop((x, y, x + w, y + h))
