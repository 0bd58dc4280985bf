"""Magenta's arbitrary image stylization network (Ghiasi et al. 2017), lite version.

Two networks, kept apart as in Magenta's code:

- ``StylePredictor``: MobileNetV2 over a painting, pooled and projected to a
  100-number style vector.
- ``StyleTransformer``: contracting convolutions, five residual blocks and an
  expanding path whose conditional instance norms take their scale and shift
  from the style vector.

Parameter names follow the TensorFlow scopes of the released model, so that
``voiceart.style.convert`` can map the shipped weights one to one.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from voiceart.layers import SameConv2d
from voiceart.style import fast

STYLE_DIM = 100
PREDICTOR_SIZE = 256  # the predictor was trained on 256 px centre crops


class InvertedResidual(nn.Module):
    """MobileNetV2's block; batch norms are folded into the convolutions' biases."""

    def __init__(self, cin: int, cout: int, stride: int, expand_ratio: int):
        super().__init__()
        hidden = cin * expand_ratio
        self.expand = nn.Conv2d(cin, hidden, 1) if expand_ratio != 1 else None
        self.depthwise = SameConv2d(hidden, hidden, 3, stride, groups=hidden)
        self.project = nn.Conv2d(hidden, cout, 1)
        self.use_residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu6(self.expand(x)) if self.expand is not None else x
        h = self.project(F.relu6(self.depthwise(h)))
        return x + h if self.use_residual else h


# MobileNetV2 1.0: (expansion, channels, repeats, first stride)
_MOBILENET_V2 = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))


class StylePredictor(nn.Module):
    """Painting (N, 3, H, W) in [0, 1] -> style vector (N, 100)."""

    def __init__(self, style_dim: int = STYLE_DIM):
        super().__init__()
        self.stem = SameConv2d(3, 32, 3, 2)
        blocks, cin = [], 32
        for t, c, n, s in _MOBILENET_V2:
            for i in range(n):
                blocks.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Conv2d(cin, 1280, 1)
        self.bottleneck = nn.Conv2d(1280, style_dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu6(self.head(self.blocks(F.relu6(self.stem(x)))))
        return self.bottleneck(h.mean(dim=(2, 3), keepdim=True)).flatten(1)


class ConditionalInstanceNorm(nn.Module):
    """Instance norm whose per-channel scale and shift are predicted from the style vector."""

    def __init__(self, channels: int, style_dim: int = STYLE_DIM, eps: float = 1e-5):
        super().__init__()
        self.gamma = nn.Linear(style_dim, channels)
        self.beta = nn.Linear(style_dim, channels)
        self.eps = eps

    def forward(self, x: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        # Two plain reductions beat var_mean several times on channels-last tensors; then one
        # scale-and-shift pass instead of normalising and scaling separately.
        mean = x.mean(dim=(2, 3), keepdim=True)
        var = (x - mean).square_().mean(dim=(2, 3), keepdim=True)
        scale = self.gamma(style)[:, :, None, None] * torch.rsqrt(var + self.eps)
        shift = self.beta(style)[:, :, None, None] - mean * scale
        return torch.addcmul(shift, x, scale)


class ReflectConv2d(nn.Conv2d):
    """Reflection padding then an unpadded convolution, as Magenta's model_util.conv2d."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1):
        super().__init__(cin, cout, kernel, stride, padding=kernel // 2, padding_mode="reflect")


class StyledConv(nn.Module):
    """Optional 2x nearest upsampling, convolution, conditional instance norm."""

    def __init__(self, cin: int, cout: int, kernel: int, upsample: bool = False):
        super().__init__()
        self.upsample = upsample
        self.conv = ReflectConv2d(cin, cout, kernel)
        self.norm = ConditionalInstanceNorm(cout)

    def forward(self, x: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        if self.upsample:
            x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        return self.norm(self.conv(x), style)


class ResidualBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = StyledConv(channels, channels, 3)
        self.conv2 = StyledConv(channels, channels, 3)

    def forward(self, x: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(F.relu(self.conv1(x, style)), style)


@dataclass(frozen=True)
class TransformerConfig:
    """Widths of the contracting path; Magenta's full model is (32, 64, 128), the lite one a quarter."""

    widths: tuple[int, int, int] = (8, 16, 32)
    residual_blocks: int = 5


class StyleTransformer(nn.Module):
    """Photo (N, 3, H, W) in [0, 1] and style vectors (N, 100) -> stylized photo in [0, 1]."""

    def __init__(self, config: TransformerConfig = TransformerConfig()):
        super().__init__()
        w1, w2, w3 = config.widths
        self.contract = nn.ModuleDict(dict(conv1=ReflectConv2d(3, w1, 9), conv2=ReflectConv2d(w1, w2, 3, 2), conv3=ReflectConv2d(w2, w3, 3, 2)))
        self.residual = nn.ModuleList(ResidualBlock(w3) for _ in range(config.residual_blocks))
        self.expand = nn.ModuleDict(dict(conv1=StyledConv(w3, w2, 3, upsample=True), conv2=StyledConv(w2, w1, 3, upsample=True), conv3=StyledConv(w1, 3, 9)))

    def forward(self, x: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        # Two stride-2 steps: pad to a multiple of 4 so the output has the input's size.
        ph, pw = -h % 4, -w % 4
        if ph or pw:
            x = F.pad(x, (0, pw, 0, ph), mode="reflect")
        if self.training or torch.is_grad_enabled() or min(x.shape[-2:]) < fast.MIN_SIDE:
            return self.reference(x, style)[..., :h, :w]
        # Inference: the same function with a fraction of the full-size memory traffic (see fast.py).
        return fast.transform(self, x, style)[..., :h, :w]

    def reference(self, x: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        """The network as Magenta writes it, for sides that are multiples of 4; ``forward`` must match it."""
        for conv in self.contract.values():
            x = F.relu(conv(x))
        for block in self.residual:
            x = block(x, style)
        x = F.relu(self.expand["conv1"](x, style))
        x = F.relu(self.expand["conv2"](x, style))
        return torch.sigmoid(self.expand["conv3"](x, style))
