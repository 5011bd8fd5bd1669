"""Tests of the synthetic-document generator, the scan degrader and the sentence matcher."""

from __future__ import annotations

import functools
import io
import math
import re

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from docparse.settings import default_tessdata

from .degrade import degrade, rasterize, rotate_page, scan_pdf, to_jpeg, to_png, to_tiff
from .match import find_sentence, normalize, sentence_recall
from .russian import GENERATORS, SynthDoc, money, rubles_in_words

TESSDATA = default_tessdata().rstrip("/") + "/"
KINDS = sorted(GENERATORS)
EXPECTED_PAGES = {"contract": 2, "invoice": 1, "letter": 1}


@functools.cache
def _doc(kind: str, seed: int = 0) -> SynthDoc:
    return GENERATORS[kind](seed)


def _page_texts(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        texts = []
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        doc.close()


# --- generator ---------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("kind", KINDS)
def test_text_layer_contains_ground_truth(kind: str, seed: int) -> None:
    doc = _doc(kind, seed)
    texts = _page_texts(doc.pdf)
    assert doc.pages == len(texts) == EXPECTED_PAGES[kind]
    recall, missed = sentence_recall(doc.sentences, "\n".join(texts))
    assert recall >= 0.99, missed
    # stricter than the fuzzy bar: the born-digital text is exactly the ground truth
    assert sentence_recall(doc.sentences, "\n".join(texts), max_edit_ratio=0.0)[0] == 1.0


@pytest.mark.parametrize("kind", KINDS)
def test_ground_truth_shape(kind: str) -> None:
    doc = _doc(kind)
    assert len(doc.sentences) >= 10
    for s in doc.sentences:
        assert len(s) >= 15 and s == " ".join(s.split()), repr(s)
        assert "____" not in s  # signature blanks are not text
    assert doc.headers_footers
    assert not set(doc.headers_footers) & set(doc.sentences)


@pytest.mark.parametrize("kind", KINDS)
def test_cyrillic_and_latin_in_text_layer(kind: str) -> None:
    text = "\n".join(_page_texts(_doc(kind).pdf))
    assert len(re.findall(r"[А-Яа-яЁё]", text)) > 300
    assert re.search(r"[A-Za-z]{3,}", text)  # company names, e-mails, models
    assert "\ufffd" not in text


def test_contract_running_header_and_footer() -> None:
    doc = _doc("contract")
    texts = _page_texts(doc.pdf)
    header = doc.headers_footers[0]
    assert header.startswith("Договор поставки №")
    assert doc.headers_footers[1:] == ["Страница 1 из 2", "Страница 2 из 2"]
    for n, text in enumerate(texts, 1):
        assert header in text and f"Страница {n} из 2" in text
    body = " ".join(doc.sentences)
    assert "1. Предмет договора" in body and "ИНН" in body and "руб." in body
    assert not any("Страница" in s for s in doc.sentences)


def test_invoice_table_and_totals() -> None:
    doc = _doc("invoice")
    assert "Наименование товара" in doc.sentences
    assert any(s.startswith("В том числе НДС (20%)") for s in doc.sentences)
    assert any(s.endswith("копеек") or s.endswith("копейки") or s.endswith("копейка")
               for s in doc.sentences)


@pytest.mark.parametrize("kind", KINDS)
def test_deterministic_by_seed(kind: str) -> None:
    a, b = GENERATORS[kind](7), GENERATORS[kind](7)
    assert a.sentences == b.sentences and a.pdf == b.pdf
    assert GENERATORS[kind](8).sentences != a.sentences


def test_money_and_amounts_in_words() -> None:
    assert money(1_234_567_89) == "1\u00a0234\u00a0567,89"
    assert rubles_in_words(1_00) == "Один рубль 00 копеек"
    assert rubles_in_words(21_000_05) == "Двадцать одна тысяча рублей 05 копеек"
    assert rubles_in_words(1_250_000_00) == "Один миллион двести пятьдесят тысяч рублей 00 копеек"
    assert rubles_in_words(3_512_02) == "Три тысячи пятьсот двенадцать рублей 02 копейки"


# --- degradation -------------------------------------------------------------
@functools.cache
def _page_image(dpi: int = 72) -> Image.Image:
    return rasterize(_doc("letter").pdf, dpi=dpi)[0]


def test_rasterize_size_and_mode() -> None:
    pages = rasterize(_doc("contract").pdf, dpi=50)
    assert len(pages) == 2
    assert all(p.mode == "RGB" and abs(p.width - 595 * 50 / 72) <= 1 for p in pages)


def test_degrade_changes_pixels_within_bounds() -> None:
    img = _page_image()
    out = degrade(img, seed=1, rotate_deg=1.5, blur=0.8, noise=8, jpeg_quality=60, contrast=0.8)
    rad = math.radians(1.5)
    w = img.width * math.cos(rad) + img.height * math.sin(rad)
    h = img.width * math.sin(rad) + img.height * math.cos(rad)
    assert abs(out.width - w) <= 2 and abs(out.height - h) <= 2
    plain = degrade(img, seed=1, blur=0.8, noise=8, grayscale=True)
    assert plain.size == img.size and plain.mode == "L"
    diff = np.abs(np.asarray(plain, np.int16) - np.asarray(img.convert("L"), np.int16))
    assert diff.mean() > 1.0
    again = degrade(img, seed=1, blur=0.8, noise=8, grayscale=True)
    assert np.array_equal(np.asarray(plain), np.asarray(again))  # same seed, same noise
    assert np.asarray(degrade(img, seed=1)).tolist() == np.asarray(img).tolist()


def test_rotate_page() -> None:
    img = _page_image(50)
    assert rotate_page(img, 90).size == (img.height, img.width)
    assert rotate_page(img, -90).size == (img.height, img.width)
    assert rotate_page(img, 180).size == img.size
    assert rotate_page(rotate_page(img, 90), 270).tobytes() == img.tobytes()
    with pytest.raises(ValueError):
        rotate_page(img, 45)


def test_scan_pdf_has_no_text_layer() -> None:
    pages = rasterize(_doc("contract").pdf, dpi=72)
    images = [degrade(p, seed=i, noise=3) for i, p in enumerate(pages)]
    texts = _page_texts(scan_pdf(images, dpi=72))
    assert len(texts) == 2 and all(t.strip() == "" for t in texts)
    doc = pdfium.PdfDocument(scan_pdf([images[0]], dpi=144))
    try:
        assert abs(doc.get_page_size(0)[0] - images[0].width / 2) <= 1  # points = px / dpi * 72
    finally:
        doc.close()


def test_image_containers() -> None:
    img = _page_image(50)
    with Image.open(io.BytesIO(to_tiff([img, rotate_page(img, 90), img]))) as tiff:
        assert tiff.format == "TIFF" and tiff.n_frames == 3
    with Image.open(io.BytesIO(to_png(img))) as png:
        assert png.format == "PNG" and png.size == img.size
    with Image.open(io.BytesIO(to_jpeg(img, 50))) as jpeg:
        assert jpeg.format == "JPEG" and jpeg.size == img.size


# --- matching ----------------------------------------------------------------
SENTENCE = "Поставщик обязуется передать в собственность Покупателя офисную мебель."


def test_normalize() -> None:
    md = "## Счёт\n| **Итого** | «1 000,00» — руб. |\n|---|:---:|\n"
    assert normalize(md) == 'счет итого "1 000,00" - руб.'
    assert normalize("Ёж\u00a0\u00a0и  “ёлка”\n\n<<тест>>") == 'еж и "елка" "тест"'


def test_find_sentence_typos_and_unrelated() -> None:
    typos = SENTENCE.replace("обязуется", "обязуеться").replace("Покупателя", "Покупатепя")
    text = "Шапка документа.\n" + typos.replace(" в ", "\nв ")  # typos and a line break
    assert find_sentence(SENTENCE, text)  # two edits in 72 characters
    assert find_sentence(SENTENCE, f"| {SENTENCE.upper()} |")
    assert not find_sentence("Срок ответа на претензию составляет десять дней.", text)
    assert not find_sentence(SENTENCE, text, max_edit_ratio=0.0)


def test_homoglyph_folding() -> None:
    ocr = "Покупатель: OOO «Delta Systems»"  # Latin O's where the PDF had Cyrillic О's
    assert find_sentence("Покупатель: ООО «Delta Systems»", ocr)
    assert not find_sentence("ООО «Дельта»", "OOO «Дельта»", fold_homoglyphs=False)


def test_sentence_recall_reports_misses() -> None:
    other = "Гарантийный срок на товар составляет двенадцать месяцев."
    recall, missed = sentence_recall([SENTENCE, other], f"Текст: {SENTENCE}")
    assert recall == 0.5 and missed == [other]
    assert sentence_recall([], "anything") == (1.0, [])


# --- OCR-ability ---------------------------------------------------------------
def test_tesseract_reads_degraded_invoice() -> None:
    tesserocr = pytest.importorskip("tesserocr")
    doc = _doc("invoice")
    page = rasterize(doc.pdf, dpi=300)[0]
    scan = degrade(page, seed=0, rotate_deg=0.5, blur=0.5, noise=5)
    with tesserocr.PyTessBaseAPI(path=TESSDATA, lang="rus+eng") as api:
        api.SetImage(scan)
        text = api.GetUTF8Text()
    recall, missed = sentence_recall(doc.sentences, text)
    print(f"tesseract recall on degraded invoice: {recall:.3f} ({len(doc.sentences)} sentences)")
    assert recall >= 0.9, missed
