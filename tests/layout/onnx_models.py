"""Tiny ONNX stand-ins for PP-DocLayoutV2/V3 exports: the same input names, shapes and
dtypes and the same outputs, but the boxes are constants given in model-input (800x800)
pixels and mapped back to page pixels with the fed `scale_factor`, as the real models do."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SIZE = 800


def _inputs(names: tuple[str, str, str], image_hw: tuple[int, int]) -> list[onnx.ValueInfoProto]:
    im_shape, image, scale = names
    return [helper.make_tensor_value_info(im_shape, TensorProto.FLOAT, ["N", 2]),
            helper.make_tensor_value_info(image, TensorProto.FLOAT, ["N", 3, *image_hw]),
            helper.make_tensor_value_info(scale, TensorProto.FLOAT, ["N", 2])]


def _const(name: str, value: np.ndarray) -> onnx.NodeProto:
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(value, name))


def _save(path: Path, nodes: list[onnx.NodeProto], inputs: list[onnx.ValueInfoProto],
          outputs: list[onnx.ValueInfoProto]) -> Path:
    graph = helper.make_graph(nodes, "pp_doclayout_stub", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def layout_model(path: Path, boxes: np.ndarray | list[list[float]],
                 masks: np.ndarray | None = None, *,
                 names: tuple[str, str, str] = ("im_shape", "image", "scale_factor"),
                 image_hw: tuple[int, int] = (SIZE, SIZE), columns: int = 8) -> Path:
    """A V2 model (a V3 one when `masks` [N,200,200] is given) returning `boxes` rows
    [cls, score, x1, y1, x2, y2, order_seq, votes] with x/y given in model-input pixels."""
    rows = np.asarray(boxes, dtype=np.float32).reshape(-1, 8)[:, :columns]
    # divisor per column: 1 for cls/score/order, scale_factor w / h for x / y
    pick = np.array([0, 0, 2, 1, 2, 1, 0, 0][:columns], dtype=np.int64)
    nodes = [
        _const("rows", rows), _const("one", np.ones((1, 1), np.float32)),
        _const("pick", pick),
        helper.make_node("Concat", ["one", names[2]], ["ext"], axis=1),  # [1, sh, sw]
        helper.make_node("Gather", ["ext", "pick"], ["div"], axis=1),
        helper.make_node("Div", ["rows", "div"], ["scaled"]),
        # touch the other inputs so every declared input is really consumed
        helper.make_node("ReduceMax", [names[1]], ["img_max"], keepdims=0),
        helper.make_node("ReduceMax", [names[0]], ["shape_max"], keepdims=0),
        helper.make_node("Add", ["img_max", "shape_max"], ["touch"]),
        _const("zero", np.zeros((), np.float32)),
        helper.make_node("Mul", ["touch", "zero"], ["nothing"]),
        helper.make_node("Add", ["scaled", "nothing"], ["bbox"]),
        _const("bbox_num", np.array([len(rows)], dtype=np.int32)),
    ]
    outputs = [helper.make_tensor_value_info("bbox", TensorProto.FLOAT, ["M", columns]),
               helper.make_tensor_value_info("bbox_num", TensorProto.INT32, ["N"])]
    if masks is not None:
        nodes.append(_const("masks", np.asarray(masks, dtype=np.int32)))
        outputs.append(helper.make_tensor_value_info("masks", TensorProto.INT32,
                                                     ["M", 200, 200]))
    return _save(path, nodes, _inputs(names, image_hw), outputs)


def echo_model(path: Path) -> Path:
    """A V2-shaped model whose one box row is [im_h, im_w, scale_h, scale_w, mean R, mean G,
    mean B, image height]: what the pre-processing fed it."""
    nodes = [
        helper.make_node("ReduceMean", ["image"], ["means"], axes=[2, 3], keepdims=0),
        helper.make_node("Shape", ["image"], ["shape"]),
        _const("h_index", np.array([2], dtype=np.int64)),
        helper.make_node("Gather", ["shape", "h_index"], ["h_int"], axis=0),
        helper.make_node("Cast", ["h_int"], ["h_flat"], to=TensorProto.FLOAT),
        _const("row_shape", np.array([1, 1], dtype=np.int64)),
        helper.make_node("Reshape", ["h_flat", "row_shape"], ["h"]),
        helper.make_node("Concat", ["im_shape", "scale_factor", "means", "h"], ["bbox"], axis=1),
        _const("bbox_num", np.array([1], dtype=np.int32)),
    ]
    outputs = [helper.make_tensor_value_info("bbox", TensorProto.FLOAT, ["M", 8]),
               helper.make_tensor_value_info("bbox_num", TensorProto.INT32, ["N"])]
    return _save(path, nodes, _inputs(("im_shape", "image", "scale_factor"), (SIZE, SIZE)),
                 outputs)


def box_mask(x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """A 200x200 mask (model input / 4) set inside the given model-input pixel box."""
    mask = np.zeros((200, 200), dtype=np.int32)
    mask[y0 // 4:y1 // 4, x0 // 4:x1 // 4] = 1
    return mask
