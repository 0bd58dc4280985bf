"""The style transformer's inference path, arranged for memory traffic.

``StyleTransformer.reference`` is the network as Magenta writes it; this computes
the same function (within float rounding) with far fewer passes over
full-resolution tensors, which is what dominates on a CPU at 1024 px:

- Every activation is written straight into the padded buffer that the next
  convolution reads; only the buffer's thin border is then filled. No
  full-size reflection-padding copies.
- Nearest 2x upsampling followed by a reflection-padded 3x3 convolution is,
  for each of the four output pixel phases, a fixed 2x2 convolution of the
  small input with edge padding. All four run as one convolution with four
  times the output channels; the upsampled tensor never exists.
- The last 9x9 convolution (8 channels in, 3 out at full size, which oneDNN
  runs poorly) runs on the four pixel phases of its input instead: a 5x5
  convolution, 32 channels in and 12 out at half the size. Its input never
  exists at full size either: the previous layer writes phases directly, and
  reflection padding at full size becomes per-phase reflect or symmetric
  padding at half size.
- Instance-norm statistics are one sum and one Gram matrix (two reads of the
  tensor, the Gram through BLAS) instead of mean, subtract, square, mean.
  Instance norm removes any per-channel constant, so the styled convolutions
  use their bias to come out centred instead (see ``_centred_conv``), which
  keeps those moments accurate.

The pixel phase of a full-size tensor ``T`` is ``T[..., py::2, px::2]``; phase
tensors keep the four phases as channel groups in the order (py, px, channel).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

CHANNELS_LAST = torch.channels_last
PHASES = ((0, 0), (0, 1), (1, 0), (1, 1))
FLAT_RATIO = 1e3  # mean^2 / variance above which a channel counts as flat (photos and drawn scenes stay under ~150)
CACHED = 1 << 22  # elements per sample under which moments are plain reductions (16 MB of float32)
MIN_SIDE = 16  # below this a quarter-size map is too small for the padding; the reference path runs instead

# Reflect-padded 3x3 taps over a 2x nearest-upsampled row, re-expressed per output phase as two taps
# over the edge-padded small row: even rows see (x[m-1], x[m], x[m]), odd rows (x[m], x[m], x[m+1]).
_UPSAMPLE_TAPS = (((1, 0, 0), (0, 1, 1)), ((1, 1, 0), (0, 0, 1)))  # (phase, tap, 3x3 row)


def _buffer(like: torch.Tensor, channels: int, height: int, width: int, pad: int) -> torch.Tensor:
    return torch.empty((like.shape[0], channels, height + 2 * pad, width + 2 * pad), dtype=like.dtype,
                       device=like.device, memory_format=CHANNELS_LAST)


def _inner(buf: torch.Tensor, pad: int) -> torch.Tensor:
    return buf[:, :, pad:buf.shape[-2] - pad, pad:buf.shape[-1] - pad]


def _source(j: int, n: int, low: str, high: str) -> int:
    """Which interior index a padding position reads (j < 0 before the start, j >= n after the end)."""
    if j < 0:
        return {"reflect": -j, "symmetric": -j - 1, "edge": 0}[low]
    return {"reflect": 2 * (n - 1) - j, "symmetric": 2 * n - 1 - j, "edge": n - 1}[high]


def _fill_rows(v: torch.Tensor, pad: int, low: str, high: str) -> None:
    n = v.shape[-2] - 2 * pad
    cols = slice(pad, v.shape[-1] - pad)
    for j in [*range(-pad, 0), *range(n, n + pad)]:
        v[..., pad + j, cols].copy_(v[..., pad + _source(j, n, low, high), cols])


def _fill_cols(v: torch.Tensor, pad: int, low: str, high: str) -> None:
    n = v.shape[-1] - 2 * pad
    for j in [*range(-pad, 0), *range(n, n + pad)]:
        v[..., pad + j].copy_(v[..., pad + _source(j, n, low, high)])


def _fill(buf: torch.Tensor, pad: int, mode: str) -> None:
    """Pad in place around an already written interior: rows first, then columns (corners follow)."""
    _fill_rows(buf, pad, mode, mode)
    _fill_cols(buf, pad, mode, mode)


def _fill_phases(buf: torch.Tensor, pad: int, channels: int) -> None:
    """Full-size reflection padding by ``2 * pad``, done on a phase tensor padded by ``pad``.

    Even full-size rows reflect at the top and mirror with the edge row repeated at the bottom;
    odd rows the other way round (and the same for columns).
    """
    groups = buf.unflatten(1, (2, 2, channels))  # (N, py, px, C, H, W), a view
    modes = (("reflect", "symmetric"), ("symmetric", "reflect"))
    for p in (0, 1):
        _fill_rows(groups[:, p], pad, *modes[p])
    for p in (0, 1):
        _fill_cols(groups[:, :, p], pad, *modes[p])


def upsample_conv_kernel(weight: torch.Tensor) -> torch.Tensor:
    """(Co, Ci, 3, 3) -> (4 Co, Ci, 2, 2): nearest 2x upsampling then the convolution, one kernel per phase."""
    taps = torch.tensor(_UPSAMPLE_TAPS, dtype=weight.dtype, device=weight.device)  # (phase, tap, 3)
    kernel = torch.einsum("atk,bul,ockl->aboctu", taps, taps, weight)
    return kernel.reshape(4 * weight.shape[0], weight.shape[1], 2, 2)


def phase_conv_kernel(weight: torch.Tensor) -> torch.Tensor:
    """(Co, Ci, K, K), K odd -> (4 Co, 4 Ci, K', K'): the convolution from input phases to output phases.

    Output phase p at half-size position m sees full-size row 2m + p + k - K//2; that row is input
    phase q at half-size position m + d, so tap k lands at d = (p + k - K//2 - q) / 2 where it is whole.
    """
    size = weight.shape[-1]
    r = size // 2
    half = (r + 1) // 2  # half-size reach on each side
    select = torch.zeros(2, 2, 2 * half + 1, size, dtype=weight.dtype, device=weight.device)
    for p in (0, 1):
        for q in (0, 1):
            for k in range(size):
                d2 = p + k - r - q
                if d2 % 2 == 0 and -half <= d2 // 2 <= half:
                    select[p, q, d2 // 2 + half, k] = 1
    kernel = torch.einsum("aitk,bjul,ockl->aboijctu", select, select, weight)
    return kernel.reshape(4 * weight.shape[0], 4 * weight.shape[1], 2 * half + 1, 2 * half + 1)


def _moments(y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-sample, per-channel sum and sum of squares of (N, C, H, W)."""
    x = y.permute(0, 2, 3, 1).reshape(y.shape[0], -1, y.shape[1])  # a view for channels-last tensors
    if y.device.type != "cpu" or x[0].numel() <= CACHED:
        # GPUs may run float32 matrix products in TF32, too coarse for a variance; on a CPU a tensor
        # this small stays in cache, where the plain reductions are quickest.
        return x.sum(1), x.square().sum(1)
    # Two reads through BLAS, no squared temporary: a ones-vector product and the Gram matrix's diagonal.
    total = torch.bmm(torch.ones(x.shape[0], 1, x.shape[1], dtype=x.dtype), x)[:, 0]
    squares = torch.bmm(x.transpose(1, 2), x).diagonal(dim1=1, dim2=2)
    return total, squares


def _window_moments(y: torch.Tensor, channels: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Moments of each channel over its four phases' windows in a (N, 4C, h+1, w+1) 2x2-convolution output.

    Phase (py, px) is valid on rows py..py+h-1 and columns px..px+w-1: the whole tensor's moments less
    one excluded row and column (and the corner they share, counted twice).
    """
    total, squares = _moments(y)
    py = torch.tensor([p[0] for p in PHASES], device=y.device).repeat_interleave(channels)
    px = torch.tensor([p[1] for p in PHASES], device=y.device).repeat_interleave(channels)
    row = torch.where((py == 0)[:, None], y[:, :, -1, :], y[:, :, 0, :])
    col = torch.where((px == 0)[:, None], y[:, :, :, -1], y[:, :, :, 0])
    corner = torch.where(px == 0, row[..., -1], row[..., 0])
    total = total - row.sum(-1) - col.sum(-1) + corner
    squares = squares - row.square().sum(-1) - col.square().sum(-1) + corner.square()
    n = y.shape[0]
    return total.view(n, 4, channels).sum(1), squares.view(n, 4, channels).sum(1)


def _centred_conv(buf: torch.Tensor, kernel: torch.Tensor, groups: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """A styled convolution whose output comes out near zero mean, and the per-channel offset taken off.

    Instance norm ignores any per-channel constant, so the convolution's bias is free to remove most
    of the mean: the input's channel means, estimated from every 4th pixel each way, through the
    summed kernel. Moments from sums of squares then keep their digits (they would lose them on a
    channel whose mean is large beside its spread), and so does the one multiply-add that normalizes.
    ``groups`` output phases of one channel share its offset, so that their pooled spread is unchanged.
    """
    mu = buf[:, :, ::4, ::4].mean((2, 3)).mean(0)  # one offset for the batch: a bias is shared by all samples
    offset = (kernel.sum((2, 3)) @ mu).view(groups, -1).mean(0)
    return F.conv2d(buf, kernel, -offset.repeat(groups)), offset


def _factors(norm, style: torch.Tensor, total: torch.Tensor, squares: torch.Tensor, count: int,
             offset: torch.Tensor, flat: list[torch.Tensor]):
    """Conditional instance norm as one multiply-add on a centred output: per-sample, per-channel scale and shift.

    Appends to ``flat`` which samples have a channel almost constant for its level (standard deviation
    under 3 % of its mean, ``offset`` added back): instance norm magnifies such a channel's rounding
    noise hundreds of times, so any two ways of summing give visibly different pictures (a plain
    colour, a dot on an empty canvas). Those samples are redrawn by the plain network, so that they
    stay exactly what they were.
    """
    mean = total / count
    var = (squares / count - mean.square()).clamp_min_(0)
    flat.append((var * FLAT_RATIO < (mean + offset).square()).any(1))
    scale = norm.gamma(style) * torch.rsqrt(var + norm.eps)
    shift = norm.beta(style) - mean * scale
    return scale[:, :, None, None], shift[:, :, None, None]


def _relu_into(y: torch.Tensor, pad: int) -> torch.Tensor:
    buf = _buffer(y, y.shape[1], y.shape[2], y.shape[3], pad)
    torch.clamp(y, min=0, out=_inner(buf, pad))
    _fill(buf, pad, "reflect")
    return buf


def transform(net, x: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
    """``net.reference(x, style)`` for x of shape (N, 3, H, W) with H and W multiples of 4, at least MIN_SIDE."""
    n, _, height, width = x.shape
    h, w = height // 4, width // 4
    x = x.contiguous(memory_format=CHANNELS_LAST)
    flat: list[torch.Tensor] = []

    # Contracting path: each ReLU writes into the next convolution's reflection-padded buffer.
    c1, c2, c3 = (net.contract[k] for k in ("conv1", "conv2", "conv3"))
    buf = _relu_into(F.conv2d(F.pad(x, (4, 4, 4, 4), mode="reflect"), c1.weight, c1.bias), 1)
    buf = _relu_into(F.conv2d(buf, c2.weight, c2.bias, stride=2), 1)
    buf = _relu_into(F.conv2d(buf, c3.weight, c3.bias, stride=2), 1)

    # Residual blocks at a quarter size; the last one's output is edge-padded for the upsampling phases.
    for i, block in enumerate(net.residual):
        y, offset = _centred_conv(buf, block.conv1.conv.weight)
        scale, shift = _factors(block.conv1.norm, style, *_moments(y), h * w, offset, flat)
        mid = _buffer(y, y.shape[1], h, w, 1)
        inner = _inner(mid, 1)
        torch.addcmul(shift, y, scale, out=inner).clamp_(min=0)
        _fill(mid, 1, "reflect")
        y, offset = _centred_conv(mid, block.conv2.conv.weight)
        scale, shift = _factors(block.conv2.norm, style, *_moments(y), h * w, offset, flat)
        out = _buffer(y, y.shape[1], h, w, 1)
        torch.addcmul(shift, y, scale, out=_inner(out, 1)).add_(_inner(buf, 1))
        _fill(out, 1, "edge" if i == len(net.residual) - 1 else "reflect")
        buf = out

    # First upsampling step: phases of the half-size map, written interleaved into its edge-padded buffer.
    e1, e2, e3 = (net.expand[k] for k in ("conv1", "conv2", "conv3"))
    ch = e1.conv.weight.shape[0]
    y, offset = _centred_conv(buf, upsample_conv_kernel(e1.conv.weight), groups=4)
    scale, shift = _factors(e1.norm, style, *_window_moments(y, ch), 4 * h * w, offset, flat)
    buf = _buffer(y, ch, 2 * h, 2 * w, 1)
    for g, (py, px) in enumerate(PHASES):
        torch.addcmul(shift, y[:, g * ch:(g + 1) * ch, py:py + h, px:px + w], scale,
                      out=buf[:, :, 1 + py:1 + 2 * h:2, 1 + px:1 + 2 * w:2])
    _inner(buf, 1).clamp_(min=0)
    _fill(buf, 1, "edge")

    # Second upsampling step: its phases stay apart, as the phase tensor the last convolution reads.
    ch = e2.conv.weight.shape[0]
    y, offset = _centred_conv(buf, upsample_conv_kernel(e2.conv.weight), groups=4)
    scale, shift = _factors(e2.norm, style, *_window_moments(y, ch), 16 * h * w, offset, flat)
    reach = (e3.conv.weight.shape[-1] // 2 + 1) // 2
    buf = _buffer(y, 4 * ch, 2 * h, 2 * w, reach)
    for g, (py, px) in enumerate(PHASES):
        torch.addcmul(shift, y[:, g * ch:(g + 1) * ch, py:py + 2 * h, px:px + 2 * w], scale,
                      out=buf[:, g * ch:(g + 1) * ch, reach:reach + 2 * h, reach:reach + 2 * w])
    _inner(buf, reach).clamp_(min=0)
    _fill_phases(buf, reach, ch)

    # Last convolution phase to phase, then instance norm and sigmoid into the full-size picture.
    y, offset = _centred_conv(buf, phase_conv_kernel(e3.conv.weight), groups=4)
    ch = e3.conv.weight.shape[0]
    total, squares = _moments(y)
    scale, shift = _factors(e3.norm, style, total.view(n, 4, ch).sum(1), squares.view(n, 4, ch).sum(1), height * width,
                            offset, flat)
    out = torch.empty((n, ch, height, width), dtype=y.dtype, device=y.device, memory_format=CHANNELS_LAST)
    for g, (py, px) in enumerate(PHASES):
        torch.addcmul(shift, y[:, g * ch:(g + 1) * ch], scale, out=out[:, :, py::2, px::2])
    out.sigmoid_()
    redo = torch.stack(flat).any(0)
    if redo.any():  # one check, at the end: on a GPU the layers above ran without waiting
        for i in redo.nonzero().flatten().tolist():
            out[i:i + 1] = net.reference(x[i:i + 1], style[i:i + 1] if style.shape[0] == n else style)
    return out
