"""DM-GAN's discriminators for 64, 128 and 256 px images, with spectral normalisation.

Names match the official code, including its spectral-norm wrapper's tensors
(``img_code_s16.0.module.weight_bar``, ``.weight_u``, ``.weight_v``, ``.bias``), so the
``netD*.pth`` files of an official training run load too.

Each network maps an image to 4 x 4 x 8*DF_DIM features; ``UNCOND_DNET`` scores them alone,
``COND_DNET`` with the sentence feature. One difference from the official code: the heads
return logits, and the losses apply the sigmoid inside binary cross-entropy (the same values,
and safe under mixed precision). ``D_GET_LOGITS.probability`` gives the official output.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from voiceart.text2image.config import DMGANConfig


def _l2normalize(v: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    return v / (v.norm() + eps)


class _SNConv2d(nn.Module):
    """A convolution whose weight is divided by its largest singular value (one power iteration a step).

    Holds ``weight_bar`` (the raw weight), ``bias`` and the power-iteration vectors ``weight_u``
    and ``weight_v`` (buffers here; parameters that never learn in the official code).
    """

    def __init__(self, conv: nn.Conv2d):
        super().__init__()
        self.stride, self.padding = conv.stride, conv.padding
        w = conv.weight.detach()
        height, width = w.shape[0], w[0].numel()
        self.weight_bar = nn.Parameter(w.clone())
        self.bias = nn.Parameter(conv.bias.detach().clone()) if conv.bias is not None else None
        self.register_buffer("weight_u", _l2normalize(torch.randn(height)))
        self.register_buffer("weight_v", _l2normalize(torch.randn(width)))

    def normalized_weight(self) -> torch.Tensor:
        w = self.weight_bar
        w_mat = w.reshape(w.shape[0], -1)
        if self.training:
            with torch.no_grad():
                w32 = w_mat.detach().float()
                v = _l2normalize(torch.mv(w32.t(), self.weight_u.float()))
                u = _l2normalize(torch.mv(w32, v))
                self.weight_v.copy_(v)
                self.weight_u.copy_(u)
        # clones: the next forward updates the buffers in place, and backward still needs these
        u, v = self.weight_u.clone().to(w.dtype), self.weight_v.clone().to(w.dtype)
        sigma = torch.dot(u, torch.mv(w_mat, v))
        return w / sigma

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.normalized_weight(), self.bias, self.stride, self.padding)


class SpectralNorm(nn.Module):
    """Wraps a convolution as the official ``SpectralNorm(module)`` does (state under ``module.``)."""

    def __init__(self, conv: nn.Conv2d):
        super().__init__()
        self.module = _SNConv2d(conv)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.module(x)


def conv3x3_leaky(in_planes: int, out_planes: int) -> nn.Sequential:
    return nn.Sequential(SpectralNorm(nn.Conv2d(in_planes, out_planes, 3, 1, 1, bias=True)), nn.LeakyReLU(0.2, inplace=True))


def down_block(in_planes: int, out_planes: int) -> nn.Sequential:
    return nn.Sequential(SpectralNorm(nn.Conv2d(in_planes, out_planes, 4, 2, 1, bias=True)), nn.LeakyReLU(0.2, inplace=True))


def encode_image_by_16times(ndf: int) -> nn.Sequential:
    layers = []
    for cin, cout in ((3, ndf), (ndf, ndf * 2), (ndf * 2, ndf * 4), (ndf * 4, ndf * 8)):
        layers += [SpectralNorm(nn.Conv2d(cin, cout, 4, 2, 1, bias=True)), nn.LeakyReLU(0.2, inplace=True)]
    return nn.Sequential(*layers)


class D_GET_LOGITS(nn.Module):
    def __init__(self, ndf: int, nef: int, bcondition: bool = False):
        super().__init__()
        self.df_dim, self.ef_dim, self.bcondition = ndf, nef, bcondition
        if bcondition:
            self.jointConv = conv3x3_leaky(ndf * 8 + nef, ndf * 8)
        # The official head ends in a sigmoid (no parameters); see the module's note.
        self.outlogits = nn.Sequential(nn.Conv2d(ndf * 8, 1, kernel_size=4, stride=4))

    def forward(self, h_code: torch.Tensor, c_code: torch.Tensor | None = None) -> torch.Tensor:
        if self.bcondition and c_code is not None:
            c = c_code.view(-1, self.ef_dim, 1, 1).expand(-1, -1, h_code.size(2), h_code.size(3))
            h_code = self.jointConv(torch.cat((h_code, c), 1))
        return self.outlogits(h_code).view(-1)

    def probability(self, h_code: torch.Tensor, c_code: torch.Tensor | None = None) -> torch.Tensor:
        return torch.sigmoid(self(h_code, c_code))


class KindProjection(nn.Module):
    """The projection term of a class-conditional discriminator (Miyato & Koyama 2018): the inner product
    of the pooled picture features with the sum of the named kinds' embeddings. Added to COND_DNET's
    logit, it makes "real" depend on the named things being there, which the sentence feature alone
    did not teach the scene model (docs/text2image.md)."""

    def __init__(self, ndf: int, kinds: int):
        super().__init__()
        self.embed = SpectralNorm(nn.Conv2d(kinds, ndf * 8, 1, bias=False))

    def forward(self, h_code: torch.Tensor, kinds: torch.Tensor) -> torch.Tensor:
        named = self.embed(kinds.to(h_code.dtype)[:, :, None, None])  # B x 8ndf x 1 x 1
        return (h_code * named).mean(dim=(2, 3)).sum(dim=1)


class _D_NET(nn.Module):
    def __init__(self, config: DMGANConfig, b_jcu: bool = True):
        super().__init__()
        ndf, nef = config.DF_DIM, config.EMBEDDING_DIM
        self.img_code_s16 = encode_image_by_16times(ndf)
        self.UNCOND_DNET = D_GET_LOGITS(ndf, nef, bcondition=False) if b_jcu else None
        self.COND_DNET = D_GET_LOGITS(ndf, nef, bcondition=True)
        self.KIND_DNET = KindProjection(ndf, config.KIND_DIM) if config.KIND_DIM else None

    def cond_logits(self, h_code: torch.Tensor, sent: torch.Tensor, kinds: torch.Tensor | None = None) -> torch.Tensor:
        """How well features match a caption: its sentence feature, and the kinds it names when told."""
        logits = self.COND_DNET(h_code, sent)
        if self.KIND_DNET is not None and kinds is not None:
            logits = logits + self.KIND_DNET(h_code, kinds)
        return logits


class D_NET64(_D_NET):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.img_code_s16(x)


class D_NET128(_D_NET):
    def __init__(self, config: DMGANConfig, b_jcu: bool = True):
        super().__init__(config, b_jcu)
        ndf = config.DF_DIM
        self.img_code_s32 = down_block(ndf * 8, ndf * 16)
        self.img_code_s32_1 = conv3x3_leaky(ndf * 16, ndf * 8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.img_code_s32_1(self.img_code_s32(self.img_code_s16(x)))


class D_NET256(_D_NET):
    def __init__(self, config: DMGANConfig, b_jcu: bool = True):
        super().__init__(config, b_jcu)
        ndf = config.DF_DIM
        self.img_code_s32 = down_block(ndf * 8, ndf * 16)
        self.img_code_s64 = down_block(ndf * 16, ndf * 32)
        self.img_code_s64_1 = conv3x3_leaky(ndf * 32, ndf * 16)
        self.img_code_s64_2 = conv3x3_leaky(ndf * 16, ndf * 8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.img_code_s64(self.img_code_s32(self.img_code_s16(x)))
        return self.img_code_s64_2(self.img_code_s64_1(x))


def build_discriminators(config: DMGANConfig) -> list[nn.Module]:
    """One discriminator per stage, each initialised as the official code does."""
    nets = [D_NET64(config), D_NET128(config), D_NET256(config)][: config.BRANCH_NUM]
    for net in nets:
        net.apply(_init_d)
    return nets


def _init_d(m: nn.Module) -> None:
    if isinstance(m, _SNConv2d):
        nn.init.orthogonal_(m.weight_bar, 1.0)
    elif isinstance(m, nn.Conv2d):
        nn.init.orthogonal_(m.weight, 1.0)
