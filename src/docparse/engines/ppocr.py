"""PP-OCR through rapidocr: its wheel ships PP-OCRv6 ONNX models (Chinese, Japanese and
Latin scripts, not Cyrillic), so it works offline on a fresh machine."""

from __future__ import annotations

import os
from concurrent.futures import Executor
from typing import Any

import numpy as np

from docparse.document import BBox, Block, Label, Line, mean_confidence
from docparse.engines.base import PageImage, RecognizeOptions, ThreadedEngine
from docparse.settings import Settings
from docparse.structure.paragraphs import group_lines


class PPOCREngine(ThreadedEngine):
    name = "ppocr"

    def __init__(self, settings: Settings, executor: Executor) -> None:
        super().__init__(executor)
        # Page workers already use every core; more ONNX threads each would oversubscribe.
        self.threads = max(1, (os.cpu_count() or 1) // settings.workers)

    def describe(self) -> dict[str, Any]:
        return {"models": "PP-OCRv6 (rapidocr wheel)", "threads_per_worker": self.threads}

    def _ocr(self) -> Any:
        def build() -> Any:
            from rapidocr import RapidOCR

            return RapidOCR(
                params={
                    "Global.log_level": "error",
                    "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                }
            )

        return self.thread_instance("ocr", build)

    def _load(self) -> None:
        self._ocr()

    def recognize_sync(self, page: PageImage, options: RecognizeOptions) -> list[Block]:
        result = self._ocr()(np.asarray(page.image.convert("RGB")))
        if result.boxes is None or result.txts is None:
            return []
        lines = []
        for quad, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
            xs, ys = [float(p[0]) for p in quad], [float(p[1]) for p in quad]
            lines.append(
                Line(
                    text=text,
                    bbox=BBox(x0=min(xs), y0=min(ys), x1=max(xs), y1=max(ys)),
                    confidence=float(score),
                )
            )
        return [
            Block(
                id=f"p{page.index}-b{i}",
                label=Label.text,
                bbox=BBox.around([ln.bbox for ln in group]),
                text="\n".join(ln.text for ln in group),
                lines=group,
                confidence=mean_confidence(group),
                source_engine="ppocr",
            )
            for i, group in enumerate(group_lines(lines))
        ]
