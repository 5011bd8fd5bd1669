"""PP-DocLayoutV2 / PP-DocLayoutV3 (PaddleX exports converted to ONNX) on onnxruntime:
finding and checking the export, pre-processing, and the pipeline's defaults; the
post-processing is in `ppdoclayout_post`. Both follow PaddleX 3.7 (`object_detection/processors.py`,
`layout_analysis/processors.py`), so boxes, reading order and polygons match what
PaddleOCR-VL's `layout_det_res` holds for the same page image.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
from PIL import Image

from docparse.document import Block
from docparse.errors import EngineUnavailable, RecognitionFailed
from docparse.layout.boxes import LABELS_V2V3, LayoutBox
from docparse.layout.onnx import SessionError, cpu_session
from docparse.layout.ppdoclayout_post import (
    MergeMode,
    Threshold,
    Unclip,
    postprocess,
)

log = logging.getLogger(__name__)

# What the PaddleOCR-VL pipeline configs pass (v1 uses V2, 1.5/1.6 use V3); omitted classes are
# "union" (no merging) / 0.5. Pass them to detect() to reproduce the pipeline.
PIPELINE_MERGE_MODES: dict[int, str] = {
    3: "large",
    5: "large",
    6: "large",
    15: "large",
    17: "large",
}
PIPELINE_THRESHOLDS: dict[str, float | dict[int, float]] = {
    "v2": {5: 0.4, 6: 0.4, 15: 0.4, 17: 0.4, 20: 0.45, 22: 0.4, 23: 0.4},
    "v3": 0.3,
}
INPUT_NAMES = ("im_shape", "image", "scale_factor")
_VERSION_BY_OUTPUTS: dict[int, Literal["v2", "v3"]] = {2: "v2", 3: "v3"}  # V3 adds masks


class PPDocLayout:
    """One PP-DocLayoutV2/V3 ONNX model; `load()` once, then `detect()` from any thread."""

    def __init__(
        self, model_path: Path, version: Literal["v2", "v3"] | None = None, threads: int = 1
    ) -> None:
        self.model_path = Path(model_path)
        self.version = version
        self.threads = threads
        self.labels: tuple[str, ...] = LABELS_V2V3
        self.default_threshold: float = 0.5
        self.input_size: tuple[int, int] = (800, 800)  # (h, w) fed to the model
        self._session: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"pp-doclayout-{self.version or 'v2'}"

    def load(self) -> None:
        """Open the model, validate it is a V2/V3 export; EngineUnavailable if not."""
        with self._lock:
            if self._session is None:
                onnx_file = self._find_model()
                self._read_config(onnx_file.parent / "inference.yml")
                self._session = self._open(onnx_file)

    def _fail(self, problem: str, **details: Any) -> EngineUnavailable:
        return EngineUnavailable(
            f"PP-DocLayout model {self.model_path}: {problem}", path=str(self.model_path), **details
        )

    def _find_model(self) -> Path:
        path = self.model_path
        if path.is_file():
            return path
        if not path.is_dir():
            raise self._fail(
                "no such file or folder (expected an .onnx file or a folder holding inference.onnx)"
            )
        if (path / "inference.onnx").is_file():
            return path / "inference.onnx"
        found = sorted(path.glob("*.onnx"))
        if len(found) != 1:
            raise self._fail(
                f"expected inference.onnx or exactly one *.onnx in the folder, "
                f"found {[p.name for p in found] or 'none'}"
            )
        return found[0]

    def _read_config(self, yml: Path) -> None:
        """Labels, threshold and input size from a PaddleX inference.yml, when readable."""
        if not yml.is_file():
            return
        try:
            import yaml

            config = yaml.safe_load(yml.read_text(encoding="utf-8"))
        except Exception as exc:  # optional metadata: a bad file must not stop the model
            log.warning("ignoring %s: %s", yml, exc)
            return
        if not isinstance(config, dict):
            return
        labels = config.get("label_list")
        if isinstance(labels, list) and labels and all(isinstance(x, str) for x in labels):
            self.labels = tuple(labels)
        if isinstance(config.get("draw_threshold"), int | float):
            self.default_threshold = float(config["draw_threshold"])
        for step in config.get("Preprocess") or []:
            size = step.get("target_size") if isinstance(step, dict) else None
            if isinstance(size, list) and len(size) == 2 and step.get("type") == "Resize":
                self.input_size = (int(size[0]), int(size[1]))  # [h, w] as PaddleX reads it

    def _open(self, onnx_file: Path) -> Any:
        try:
            session = cpu_session(onnx_file, self.threads)
        except SessionError as exc:
            raise self._fail(str(exc)) from exc
        self._validate(session)
        return session

    def _validate(self, session: Any) -> None:
        inputs = {i.name: i for i in session.get_inputs()}
        outputs = session.get_outputs()
        found = {n: (i.shape, i.type) for n, i in inputs.items()}
        expected = (
            f"inputs im_shape [N,2], image [N,3,{self.input_size[0]},"
            f"{self.input_size[1]}], scale_factor [N,2] (float32); outputs "
            "boxes [M,8], box count [N] (+ masks [M,H,W] for V3)"
        )
        bad = sorted(inputs) != sorted(INPUT_NAMES) or any(
            i.type != "tensor(float)" for i in inputs.values()
        )
        if not bad:
            want = {
                "im_shape": [None, 2],
                "scale_factor": [None, 2],
                "image": [None, 3, *self.input_size],
            }
            bad = any(not _shape_fits(inputs[n].shape, s) for n, s in want.items())
        version = _VERSION_BY_OUTPUTS.get(len(outputs))
        if not bad:
            bad = (
                version is None
                or not _shape_fits(outputs[0].shape, [None, (7, 8)])
                or (version == "v3" and not _shape_fits(outputs[2].shape, [None, None, None]))
            )
        if bad or version is None:
            raise self._fail(
                f"not a PP-DocLayoutV2/V3 export; expected {expected}; found "
                f"inputs {found}, outputs {[(o.name, o.shape) for o in outputs]}",
                expected=expected,
                found=str(found),
            )
        if self.version and self.version != version:
            raise self._fail(
                f"expected PP-DocLayout{self.version.upper()} but the model has "
                f"{len(outputs)} outputs, i.e. {version.upper()}"
            )
        self.version = version

    def preprocess(self, image: Image.Image) -> dict[str, np.ndarray]:
        """RGB, bicubic resize to the input size, x/255, CHW, plus im_shape/scale_factor."""
        rgb = np.asarray(image.convert("RGB"))
        h, w = rgb.shape[:2]
        th, tw = self.input_size
        # cv2 bicubic, as PaddleX (PIL's bicubic antialiases and gives other pixels).
        resized = cv2.resize(rgb, (tw, th), interpolation=cv2.INTER_CUBIC)
        pixels = resized.astype(np.float32) * np.float32(1.0 / 255.0)
        return {
            "im_shape": np.array([[th, tw]], dtype=np.float32),
            "image": np.ascontiguousarray(pixels.transpose(2, 0, 1)[None]),
            "scale_factor": np.array([[th / h, tw / w]], dtype=np.float32),
        }

    def infer(self, image: Image.Image) -> list[np.ndarray]:
        """The model's raw outputs for one image."""
        if self._session is None:
            self.load()
        try:
            return list(self._session.run(None, self.preprocess(image)))
        except Exception as exc:
            raise RecognitionFailed(f"{self.name} inference failed: {exc}") from exc

    def detect(
        self,
        image: Image.Image,
        threshold: Threshold | None = None,
        nms: bool = True,
        unclip_ratio: Unclip = 1.0,
        merge_mode: MergeMode = "large",
        shape_mode: str = "auto",
    ) -> list[LayoutBox]:
        """Layout boxes in reading order, in page pixels. `threshold=None` means the model's
        draw_threshold (inference.yml) or 0.5. Dict keys of threshold/merge_mode/unclip_ratio
        may be class ids, digit strings or class names."""
        outputs = self.infer(image)
        boxes = (
            outputs[0][: int(outputs[1][0])] if len(outputs) > 1 and outputs[1].size else outputs[0]
        )
        masks = outputs[2][: len(boxes)] if len(outputs) > 2 else None
        return postprocess(
            boxes,
            masks,
            image.size,
            self.labels,
            threshold=self.default_threshold if threshold is None else threshold,
            nms=nms,
            unclip_ratio=unclip_ratio,
            merge_mode=merge_mode,
            shape_mode=shape_mode,
        )

    def to_blocks(self, boxes: list[LayoutBox], page_index: int) -> list[Block]:
        return to_blocks(boxes, page_index, self.name)


def _shape_fits(shape: list[Any], want: list[Any]) -> bool:
    """Symbolic dims fit anything; None in `want` accepts any size."""
    return len(shape) == len(want) and all(
        not isinstance(d, int) or w is None or d == w or (isinstance(w, tuple) and d in w)
        for d, w in zip(shape, want, strict=True)
    )


def to_blocks(
    boxes: list[LayoutBox], page_index: int, source_engine: str = "pp-doclayout"
) -> list[Block]:
    """Empty-text Blocks in the boxes' order (order = list position, as Page expects)."""
    return [
        Block(
            id=f"p{page_index}-b{i}",
            label=b.label,
            bbox=b.bbox,
            order=i,
            polygon=b.polygon,
            confidence=b.score,
            source_engine=source_engine,
        )
        for i, b in enumerate(boxes)
    ]
