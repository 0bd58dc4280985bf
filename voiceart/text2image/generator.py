"""The DM-GAN generator (Zhu et al. 2019, "DM-GAN: Dynamic Memory Generative Adversarial
Networks for Text-to-Image Synthesis").

Module and parameter names are those of the official code, so the released generators
(``bird_DMGAN.pth``, ``coco_DMGAN.pth``) load strictly:

    ca_net                      conditioning augmentation: sentence -> c (mu, logvar)
    h_net1, img_net1            initial stage: (c, z) -> 64 px features -> image
    h_net2, img_net2            dynamic-memory refinement: 64 -> 128 px
    h_net3, img_net3            dynamic-memory refinement: 128 -> 256 px

A refinement stage writes the words into a memory, gated by how much the current image
already shows (memory writing gate); reads it with the image's pixels as queries (key
addressing, value reading); mixes what it read into the image features (response gate);
then residual blocks and a 2x upsampling.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from voiceart.text2image.config import DMGANConfig


class GLU(nn.Module):
    """Gated linear unit over channels: the first half times the sigmoid of the second."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.glu(x, dim=1)


def conv1x1(in_planes: int, out_planes: int, bias: bool = False) -> nn.Conv2d:
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=1, padding=0, bias=bias)


def conv3x3(in_planes: int, out_planes: int, bias: bool = False) -> nn.Conv2d:
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=1, padding=1, bias=bias)


def up_block(in_planes: int, out_planes: int) -> nn.Sequential:
    """Twice the size: nearest upsampling, 3x3 convolution, batch norm, GLU (keys .1 and .2)."""
    return nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), conv3x3(in_planes, out_planes * 2),
                         nn.BatchNorm2d(out_planes * 2), GLU())


class ResBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.block = nn.Sequential(conv3x3(channels, channels * 2), nn.BatchNorm2d(channels * 2), GLU(),
                                   conv3x3(channels, channels), nn.BatchNorm2d(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x)


class CA_NET(nn.Module):
    """Conditioning augmentation: the sentence feature gives a Gaussian; c is a sample of it."""

    def __init__(self, t_dim: int, c_dim: int):
        super().__init__()
        self.t_dim, self.c_dim = t_dim, c_dim
        self.fc = nn.Linear(t_dim, c_dim * 4, bias=True)
        self.relu = GLU()  # named as in the official code; it is a GLU

    def encode(self, sent_emb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.relu(self.fc(sent_emb))
        return x[:, : self.c_dim], x[:, self.c_dim:]

    def forward(self, sent_emb: torch.Tensor, eps: torch.Tensor | None = None):
        mu, logvar = self.encode(sent_emb)
        if eps is None:
            eps = torch.randn_like(mu)
        c_code = mu + eps * torch.exp(0.5 * logvar)
        return c_code, mu, logvar


class INIT_STAGE_G(nn.Module):
    """(c, z) -> ngf/16 channels at 64 px: a linear layer to 4 x 4, then four upsamplings."""

    def __init__(self, ngf: int, ncf: int, z_dim: int):
        super().__init__()
        self.gf_dim = ngf
        self.in_dim = z_dim + ncf
        self.fc = nn.Sequential(nn.Linear(self.in_dim, ngf * 4 * 4 * 2, bias=False), nn.BatchNorm1d(ngf * 4 * 4 * 2), GLU())
        self.upsample1 = up_block(ngf, ngf // 2)
        self.upsample2 = up_block(ngf // 2, ngf // 4)
        self.upsample3 = up_block(ngf // 4, ngf // 8)
        self.upsample4 = up_block(ngf // 8, ngf // 16)

    def forward(self, z_code: torch.Tensor, c_code: torch.Tensor) -> torch.Tensor:
        x = self.fc(torch.cat((c_code, z_code), 1))  # c first, as the released weights expect
        x = x.view(-1, self.gf_dim, 4, 4)
        return self.upsample4(self.upsample3(self.upsample2(self.upsample1(x))))


def memory_read(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, mask: torch.Tensor | None):
    """Key addressing and value reading.

    query: B x C x H x W image features; key, value: B x C x L memory slots; mask: B x L, True
    where a slot is padding. Returns B x C x H x W read from memory and B x L x H x W weights.
    """
    b, c, h, w = query.shape
    scores = torch.bmm(query.reshape(b, c, h * w).transpose(1, 2), key)  # B x HW x L
    if mask is not None:
        # Each caption's own padding. (The official code repeats the mask in a batch-major
        # order that only lines up when all captions in a batch have the same length.)
        scores = scores.masked_fill(mask[:, None, : scores.size(2)], float("-inf"))
    weights = torch.softmax(scores, dim=2).transpose(1, 2)  # B x L x HW
    out = torch.bmm(value, weights)
    return out.view(b, -1, h, w), weights.reshape(b, -1, h, w)


class NEXT_STAGE_G(nn.Module):
    """A dynamic-memory refinement stage: ngf channels at S px -> ngf channels at 2S px."""

    def __init__(self, ngf: int, nef: int, ncf: int, size: int, r_num: int):
        super().__init__()
        self.gf_dim, self.ef_dim, self.cf_dim, self.size = ngf, nef, ncf, size
        self.num_residual = r_num
        # Memory writing gate: how much each word is written versus the image's own summary.
        self.A = nn.Linear(nef, 1, bias=False)
        self.B = nn.Linear(ngf, 1, bias=False)
        self.M_r = nn.Sequential(nn.Conv1d(ngf, ngf * 2, kernel_size=1), nn.ReLU())
        self.M_w = nn.Sequential(nn.Conv1d(nef, ngf * 2, kernel_size=1), nn.ReLU())
        self.key = nn.Sequential(nn.Conv1d(ngf * 2, ngf, kernel_size=1), nn.ReLU())
        self.value = nn.Sequential(nn.Conv1d(ngf * 2, ngf, kernel_size=1), nn.ReLU())
        self.response_gate = nn.Sequential(nn.Conv2d(ngf * 2, 1, kernel_size=1), nn.Sigmoid())
        self.residual = nn.Sequential(*[ResBlock(ngf * 2) for _ in range(r_num)])
        self.upsample = up_block(ngf * 2, ngf)

    def forward(self, h_code: torch.Tensor, word_embs: torch.Tensor, mask: torch.Tensor | None):
        """h_code: B x ngf x S x S; word_embs: B x nef x L; mask: B x L (True = padding)."""
        # Memory writing. The image summary is detached, as in the official code.
        h_avg = h_code.mean(dim=(2, 3)).detach()  # B x ngf
        gate = torch.sigmoid(self.A(word_embs.transpose(1, 2)) + self.B(h_avg)[:, None, :])  # B x L x 1
        gate = gate.transpose(1, 2)  # B x 1 x L
        memory = self.M_w(word_embs) * gate + self.M_r(h_avg[:, :, None]) * (1 - gate)
        # Key addressing and value reading.
        memory_out, att = memory_read(h_code, self.key(memory), self.value(memory), mask)
        # Response gate.
        response = self.response_gate(torch.cat((h_code, memory_out), 1))
        h_new = h_code * (1 - response) + response * memory_out
        out = self.residual(torch.cat((h_new, h_new), 1))
        return self.upsample(out), att


class GET_IMAGE_G(nn.Module):
    def __init__(self, ngf: int):
        super().__init__()
        self.gf_dim = ngf
        self.img = nn.Sequential(conv3x3(ngf, 3), nn.Tanh())

    def forward(self, h_code: torch.Tensor) -> torch.Tensor:
        return self.img(h_code)


class G_NET(nn.Module):
    """The generator: images at 64, 128 and 256 px (one per stage) in [-1, 1]."""

    def __init__(self, config: DMGANConfig):
        super().__init__()
        self.config = config
        ngf, nef, ncf = config.GF_DIM, config.EMBEDDING_DIM, config.CONDITION_DIM
        self.ca_net = CA_NET(nef, ncf)
        if config.BRANCH_NUM < 1 or config.BRANCH_NUM > 3:
            raise ValueError("BRANCH_NUM must be 1, 2 or 3")
        self.h_net1 = INIT_STAGE_G(ngf * 16, ncf, config.Z_DIM)
        self.img_net1 = GET_IMAGE_G(ngf)
        if config.BRANCH_NUM > 1:
            self.h_net2 = NEXT_STAGE_G(ngf, nef, ncf, config.BASE_SIZE, config.R_NUM)
            self.img_net2 = GET_IMAGE_G(ngf)
        if config.BRANCH_NUM > 2:
            self.h_net3 = NEXT_STAGE_G(ngf, nef, ncf, config.BASE_SIZE * 2, config.R_NUM)
            self.img_net3 = GET_IMAGE_G(ngf)

    def stages(self):
        yield self.h_net1, self.img_net1
        if self.config.BRANCH_NUM > 1:
            yield self.h_net2, self.img_net2
        if self.config.BRANCH_NUM > 2:
            yield self.h_net3, self.img_net3

    def forward(self, z_code: torch.Tensor, sent_emb: torch.Tensor, word_embs: torch.Tensor,
                mask: torch.Tensor | None = None, eps: torch.Tensor | None = None, stages: int | None = None):
        """Images of each stage (a list), attention maps of each refinement, mu and logvar.

        z_code: B x Z_DIM noise; sent_emb: B x EMBEDDING_DIM; word_embs: B x EMBEDDING_DIM x L;
        mask: B x L, True at padding; eps: the conditioning augmentation's noise (drawn when
        None); stages: stop after this many stages (all by default).
        """
        stages = self.config.BRANCH_NUM if stages is None else stages
        c_code, mu, logvar = self.ca_net(sent_emb, eps)
        h_code = self.h_net1(z_code, c_code)
        fake_imgs, att_maps = [self.img_net1(h_code)], []
        for i, (h_net, img_net) in enumerate(self.stages()):
            if i == 0:
                continue
            if i >= stages:
                break
            h_code, att = h_net(h_code, word_embs, mask)
            fake_imgs.append(img_net(h_code))
            att_maps.append(att)
        return fake_imgs, att_maps, mu, logvar


def weights_init(m: nn.Module) -> None:
    """The official initialisation: orthogonal convolutions and linear layers, BN scale ~ N(1, 0.02)."""
    name = type(m).__name__
    if "Conv" in name and getattr(m, "weight", None) is not None:
        nn.init.orthogonal_(m.weight, 1.0)
    elif "BatchNorm" in name:
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)
    elif "Linear" in name:
        nn.init.orthogonal_(m.weight, 1.0)
        if m.bias is not None:
            nn.init.zeros_(m.bias)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
