"""Synthetic Russian business documents with ground truth, scan degradation and matching."""

from .degrade import degrade, rasterize, rotate_page, scan_pdf, to_jpeg, to_png, to_tiff
from .match import find_sentence, normalize, sentence_recall
from .russian import GENERATORS, SynthDoc, make_contract, make_invoice, make_letter

__all__ = [
    "GENERATORS", "SynthDoc", "degrade", "find_sentence", "make_contract", "make_invoice",
    "make_letter", "normalize", "rasterize", "rotate_page", "scan_pdf", "sentence_recall",
    "to_jpeg", "to_png", "to_tiff",
]
