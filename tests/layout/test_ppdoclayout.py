"""PP-DocLayoutV2/V3 loader, pre-processing and PaddleX post-processing, on tiny ONNX stubs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from docparse.document import Label
from docparse.errors import EngineUnavailable, InvalidOptions
from docparse.layout.boxes import LABELS_V2V3
from docparse.layout.ppdoclayout import PPDocLayout
from docparse.layout.ppdoclayout_post import label_for, postprocess
from tests.fixtures.onnx_models import box_mask, echo_model, layout_model

TEXT, TITLE, TABLE, IMAGE, DOC_TITLE = 22, 17, 21, 14, 6
PAGE = Image.new("RGB", (400, 1000), "white")  # portrait: scale_factor = [0.8, 2.0]


def rows(*boxes: tuple[float, ...]) -> np.ndarray:
    """Post-processing input rows: cls, score, x1, y1, x2, y2[, order_seq, votes]."""
    return np.array([(*b, *(0.0, 0.0)[: 8 - len(b)]) for b in boxes], dtype=np.float32)


def run(boxes: np.ndarray, size: tuple[int, int] = (1000, 1000), **options: object) -> list:
    return postprocess(boxes, None, size, LABELS_V2V3, **options)  # type: ignore[arg-type]


# --- loading ---------------------------------------------------------------------------------


def test_loads_v2_and_v3_and_infers_version(tmp_path: Path) -> None:
    v2 = PPDocLayout(layout_model(tmp_path / "v2.onnx", [[TEXT, 0.9, 0, 0, 10, 10, 0, 0]]))
    v3 = PPDocLayout(
        layout_model(
            tmp_path / "v3.onnx",
            [[TEXT, 0.9, 0, 0, 10, 10, 0, 0]],
            masks=np.zeros((1, 200, 200), np.int32),
        ),
        threads=2,
    )
    v2.load()
    v3.load()
    assert (v2.version, v3.version) == ("v2", "v3")
    assert v3.name == "pp-doclayout-v3"


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "inference.onnx"
    with pytest.raises(EngineUnavailable, match="no such file") as err:
        PPDocLayout(missing).load()
    assert str(missing) in err.value.message


def test_not_an_onnx_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(EngineUnavailable, match="onnxruntime cannot load"):
        PPDocLayout(bad).load()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"names": ("im_shape", "x", "scale_factor")},  # PP-DocLayout(-plus) style input name
        {"image_hw": (640, 640)},  # another input size than 800x800
        {"columns": 6},  # boxes without the reading-order columns
    ],
)
def test_model_with_other_inputs_or_outputs_is_refused(tmp_path: Path, kwargs: dict) -> None:
    path = layout_model(tmp_path / "other.onnx", [[TEXT, 0.9, 0, 0, 10, 10, 0, 0]], **kwargs)
    with pytest.raises(EngineUnavailable, match="not a PP-DocLayoutV2/V3 export") as err:
        PPDocLayout(path).load()
    assert "expected inputs im_shape [N,2], image [N,3,800,800]" in err.value.message
    assert str(path) in err.value.message and "found inputs" in err.value.message


def test_version_mismatch_is_refused(tmp_path: Path) -> None:
    path = layout_model(tmp_path / "v2.onnx", [[TEXT, 0.9, 0, 0, 10, 10, 0, 0]])
    with pytest.raises(EngineUnavailable, match="expected PP-DocLayoutV3"):
        PPDocLayout(path, "v3").load()


def test_folder_with_inference_yml(tmp_path: Path) -> None:
    labels = [*LABELS_V2V3]
    labels[IMAGE] = "figure"  # a name with no Label of its own
    layout_model(
        tmp_path / "inference.onnx",
        [[IMAGE, 0.7, 0, 0, 80, 80, 0, 0], [TEXT, 0.55, 0, 100, 80, 180, 1, 0]],
    )
    (tmp_path / "inference.yml").write_text(
        "Global: {model_name: PP-DocLayoutV2}\ndraw_threshold: 0.6\n"
        "Preprocess:\n- {type: Resize, target_size: [800, 800], keep_ratio: false, interp: 2}\n"
        f"label_list: [{', '.join(labels)}]\n"
    )
    model = PPDocLayout(tmp_path)
    boxes = model.detect(Image.new("RGB", (800, 800)))  # loads on first use
    assert [(b.label, b.cls_id) for b in boxes] == [(Label.image, IMAGE)]  # 0.55 < 0.6
    assert len(model.detect(Image.new("RGB", (800, 800)), threshold=0.5)) == 2


def test_folder_without_a_single_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailable, match="found none"):
        PPDocLayout(tmp_path).load()
    for name in ("a.onnx", "b.onnx"):
        layout_model(tmp_path / name, [[TEXT, 0.9, 0, 0, 10, 10, 0, 0]])
    with pytest.raises(EngineUnavailable, match=r"\['a.onnx', 'b.onnx'\]"):
        PPDocLayout(tmp_path).load()


# --- pre-processing --------------------------------------------------------------------------


def test_preprocess_gives_800x800_rgb_over_255_and_scale_factors() -> None:
    feed = PPDocLayout(Path("unused")).preprocess(Image.new("RGB", (300, 200), (255, 0, 51)))
    assert feed["image"].shape == (1, 3, 800, 800) and feed["image"].dtype == np.float32
    assert np.allclose(feed["image"][0, :, 400, 400], [1.0, 0.0, 0.2])
    assert feed["im_shape"].tolist() == [[800.0, 800.0]]
    assert np.allclose(feed["scale_factor"], [[800 / 200, 800 / 300]])  # [h, w]


def test_model_sees_what_paddlex_feeds(tmp_path: Path) -> None:
    model = PPDocLayout(echo_model(tmp_path / "echo.onnx"))
    image = Image.new("RGBA", (300, 200), (255, 0, 51, 128))  # alpha is dropped
    echoed = model.infer(image)[0][0]
    assert np.allclose(echoed, [800, 800, 4.0, 800 / 300, 1.0, 0.0, 0.2, 800], atol=1e-3)


# --- detection through the model -------------------------------------------------------------


def test_boxes_come_back_in_page_pixels_sorted_by_reading_order(tmp_path: Path) -> None:
    model = PPDocLayout(
        layout_model(
            tmp_path / "v2.onnx",
            [
                [TEXT, 0.9, 100, 400, 700, 600, 2, 0],  # model-input pixels
                [DOC_TITLE, 0.8, 100, 40, 700, 120, 0, 0],
                [TABLE, 0.85, 100, 640, 700, 780, 3, 0],
                [TITLE, 0.7, 100, 200, 400, 260, 1, 0],
            ],
        )
    )
    boxes = model.detect(PAGE)
    assert [b.label for b in boxes] == [
        Label.doc_title,
        Label.paragraph_title,
        Label.text,
        Label.table,
    ]
    assert [b.order for b in boxes] == [1, 2, 3, None]  # tables get no order (PaddleX)
    # x / (400/800 = 0.5), y / (1000/800 ... scale 0.8): x1 100 -> 50, y1 400 -> 500
    text = boxes[2].bbox
    assert (text.x0, text.y0, text.x1, text.y1) == (50, 500, 350, 750)
    assert boxes[2].score == pytest.approx(0.9)
    blocks = model.to_blocks(boxes, page_index=3)
    assert [b.id for b in blocks][:2] == ["p3-b0", "p3-b1"]
    assert [b.order for b in blocks] == [0, 1, 2, 3]
    assert blocks[2].text == "" and blocks[2].confidence == pytest.approx(0.9)
    assert {b.source_engine for b in blocks} == {"pp-doclayout-v2"}


def test_v3_polygons_from_masks(tmp_path: Path) -> None:
    l_shape = box_mask(100, 100, 500, 300)
    l_shape[50:75, 25:75] = 0  # cut the lower-left quarter of the box
    straight = box_mask(100, 400, 700, 600)
    model = PPDocLayout(
        layout_model(
            tmp_path / "v3.onnx",
            [[TEXT, 0.9, 100, 100, 500, 300, 0, 0], [TEXT, 0.9, 100, 400, 700, 600, 1, 0]],
            masks=np.stack([l_shape, straight]),
        )
    )
    auto = model.detect(PAGE)
    assert model.version == "v3" and auto[0].bbox.x0 == 50 and auto[0].bbox.y0 == 125
    # auto: a shape close to its box stays the box's rectangle
    assert auto[1].polygon == [(50, 500), (350, 500), (350, 750), (50, 750)]
    poly = model.detect(PAGE, shape_mode="poly")[0].polygon
    assert poly is not None and len(poly) >= 5
    assert all(50 <= x <= 250 and 125 <= y <= 375 for x, y in poly)
    assert not any(x < 140 and y > 260 for x, y in poly)  # the cut corner is outside
    quad = model.detect(PAGE, shape_mode="quad")[0].polygon
    assert quad is not None and len(quad) == 4 and quad[0] == pytest.approx((50, 125), abs=1)
    assert model.detect(PAGE, shape_mode="rect")[0].polygon is None


def test_v2_has_no_polygons(tmp_path: Path) -> None:
    model = PPDocLayout(layout_model(tmp_path / "v2.onnx", [[TEXT, 0.9, 0, 0, 80, 80, 0, 0]]))
    assert model.detect(PAGE, shape_mode="poly")[0].polygon is None


# --- post-processing -------------------------------------------------------------------------


def test_threshold_float_and_per_class() -> None:
    boxes = rows(
        (TEXT, 0.45, 0, 0, 100, 100, 0),
        (TITLE, 0.45, 0, 200, 100, 300, 1),
        (TEXT, 0.6, 0, 400, 100, 500, 2),
        (-1, 0.99, 0, 600, 100, 700, 3),
    )
    assert [b.score for b in run(boxes)] == [pytest.approx(0.6)]  # cls -1 is padding
    kept = run(boxes, threshold={TITLE: 0.4})  # other classes: 0.5
    assert [b.label for b in kept] == [Label.paragraph_title, Label.text]
    assert len(run(boxes, threshold={"text": 0.4, "17": 0.4})) == 3
    with pytest.raises(InvalidOptions, match="unknown layout class 'prose'"):
        run(boxes, threshold={"prose": 0.4})


def test_nms_is_class_aware() -> None:
    boxes = rows(
        (TEXT, 0.9, 0, 0, 100, 100),
        (TEXT, 0.8, 5, 5, 105, 105),  # IoU .82
        (TABLE, 0.7, 0, 0, 100, 110),
    )  # another class: IoU .91 < 0.98, kept
    assert [b.score for b in run(boxes, merge_mode="union")] == pytest.approx([0.9, 0.7])
    assert len(run(boxes, nms=False, merge_mode="union")) == 3
    same_box = rows((TEXT, 0.9, 0, 0, 100, 100), (TABLE, 0.7, 0, 0, 100, 101))  # IoU .99
    assert [b.label for b in run(same_box, merge_mode="union")] == [Label.text]


def test_merge_modes() -> None:
    table_with_text = rows((TABLE, 0.9, 0, 0, 500, 500, 0), (TEXT, 0.8, 10, 10, 200, 50, 1))
    assert [b.label for b in run(table_with_text)] == [Label.table]  # large: inner dropped
    assert [b.label for b in run(table_with_text, merge_mode="small")] == [Label.text]
    assert len(run(table_with_text, merge_mode="union")) == 2
    # per class: "large" for tables drops what lies in a table, not what lies in text
    text_in_text = rows((TEXT, 0.9, 0, 600, 500, 900, 2), (TEXT, 0.8, 10, 610, 200, 650, 3))
    both = np.vstack([table_with_text, text_in_text])
    assert len(run(both, merge_mode={TABLE: "large"})) == 3
    # "small" for text: whatever holds a text box goes (the table and the outer text box)
    small = run(both, merge_mode={"text": "small"})
    assert [(b.label, b.bbox.x1) for b in small] == [(Label.text, 200), (Label.text, 200)]
    with pytest.raises(InvalidOptions, match="merge mode"):
        run(both, merge_mode="biggest")


def test_order_ties_are_broken_by_votes_and_labels_map() -> None:
    boxes = rows(
        (TEXT, 0.9, 0, 0, 10, 10, 1, 3),
        (TITLE, 0.9, 0, 20, 10, 30, 1, 7),
        (DOC_TITLE, 0.9, 0, 40, 10, 50, 0, 0),
    )
    assert [b.cls_id for b in run(boxes)] == [DOC_TITLE, TITLE, TEXT]
    assert {name: label_for(name) for name in ("formula", "figure", "text", "nonsense")} == {
        "formula": Label.display_formula,
        "figure": Label.image,
        "text": Label.text,
        "nonsense": Label.text,
    }
    assert all(label_for(name).value == name for name in LABELS_V2V3)


def test_unclip_and_clip_to_page() -> None:
    boxes = rows((TEXT, 0.9, 100, 100, 200, 150, 0), (TITLE, 0.9, 900, 950, 990, 990, 1))
    grown = run(boxes, unclip_ratio=(2.0, 1.0))
    assert (grown[0].bbox.x0, grown[0].bbox.x1, grown[0].bbox.y0) == (50, 250, 100)
    assert (grown[1].bbox.x1, grown[1].bbox.y1) == (1000, 990)  # clipped at the page edge
    per_class = run(boxes, unclip_ratio={"text": 3.0})
    assert per_class[0].bbox.x0 == 0 and per_class[1].bbox.x0 == 900


def test_page_sized_image_box_is_dropped_unless_alone() -> None:
    page = (IMAGE, 0.9, 0, 0, 1000, 1000, 0)
    assert [
        b.label for b in run(rows(page, (TEXT, 0.8, 10, 10, 90, 90, 1)), merge_mode="union")
    ] == [Label.text]
    assert [b.label for b in run(rows(page))] == [Label.image]


def test_no_boxes() -> None:
    assert run(np.zeros((0, 8), np.float32)) == []
    assert run(rows((TEXT, 0.2, 0, 0, 10, 10))) == []


def test_unreadable_inference_yml_is_ignored(tmp_path: Path) -> None:
    layout_model(tmp_path / "inference.onnx", [[TEXT, 0.9, 0, 0, 80, 80, 0, 0]])
    (tmp_path / "inference.yml").write_text("label_list: [unclosed\n")
    model = PPDocLayout(tmp_path)
    assert [b.label for b in model.detect(Image.new("RGB", (800, 800)))] == [Label.text]


def test_bad_shape_mode_is_refused() -> None:
    with pytest.raises(InvalidOptions, match="shape mode"):
        run(rows((TEXT, 0.9, 0, 0, 10, 10)), shape_mode="circle")
