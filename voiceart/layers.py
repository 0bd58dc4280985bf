"""Network layers that more than one stage builds with."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class SameConv2d(nn.Conv2d):
    """A convolution with TensorFlow's 'SAME' padding, for networks whose weights come from TensorFlow
    (EfficientNet-Lite0, Magenta's MobileNetV2): the output has ceil(input / stride) pixels a side, and
    an odd pixel of padding goes at the bottom and right, where PyTorch's own padding cannot put it."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        kh, kw = self.kernel_size
        sh, sw = self.stride
        if sh == sw == 1 and kh % 2 and kw % 2:  # symmetric: the convolution pads by itself (no copy of x)
            return F.conv2d(x, self.weight, self.bias, 1, (kh // 2, kw // 2), self.dilation, self.groups)
        ih, iw = x.shape[-2:]
        ph = max((math.ceil(ih / sh) - 1) * sh + kh - ih, 0)
        pw = max((math.ceil(iw / sw) - 1) * sw + kw - iw, 0)
        if ph or pw:
            x = F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2))
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
