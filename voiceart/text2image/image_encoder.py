"""The DAMSM image encoder: region features (B x nef x 17 x 17) and a global code (B x nef).

``CNN_ENCODER`` is the official one: torchvision's Inception-v3 up to ``Mixed_6e`` gives 768
channels of 17 x 17 regions and up to ``Mixed_7c`` (average-pooled) 2048 numbers for the whole
image; ``emb_features`` (1x1 convolution) and ``emb_cnn_code`` (linear) project them into the
text encoder's space. Its state dict matches the released ``image_encoder*.pth`` files.

No ImageNet Inception weights can be had on this machine. Give them as a file (torchvision's
``inception_v3_google-*.pth``), or load a whole released image encoder, or use
``backbone="small"``: a compact network of this project's own, trained from scratch with the
DAMSM losses (it keeps the same ``emb_features`` / ``emb_cnn_code`` heads).
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from voiceart.errors import ModelFileError
from voiceart.torch_files import load_state_dict

INCEPTION_LAYERS = ("Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "Conv2d_3b_1x1", "Conv2d_4a_3x3",
                    "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d",
                    "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c")


def load_inception_state(path: Path) -> dict:
    """An Inception-v3 state dict from a file the user gives (torchvision's ImageNet weights)."""
    state = load_state_dict(Path(path), "Inception-v3 weights", "bring torchvision's inception_v3_google file")
    if "Conv2d_1a_3x3.conv.weight" not in state:
        raise ModelFileError(f"{path} does not hold Inception-v3 weights (it has no Conv2d_1a_3x3 layer).")
    return state


def inception_backbone(weights: Path | None = None, init: bool = True) -> nn.Module:
    """torchvision's Inception-v3, with the given ImageNet weights or untrained (``init``: with
    torchvision's truncated-normal initialisation, slow; skip it when a state dict follows)."""
    from torchvision.models import inception_v3

    model = inception_v3(weights=None, aux_logits=False, init_weights=init and weights is None)
    if weights is not None:
        state = {k: v for k, v in load_inception_state(weights).items() if not k.startswith("AuxLogits.")}
        if state.get("fc.weight") is not None and state["fc.weight"].shape[0] != model.fc.out_features:
            model.fc = nn.Linear(2048, state["fc.weight"].shape[0])
        missing, unexpected = model.load_state_dict(state, strict=False)
        missing = [k for k in missing if not k.endswith("num_batches_tracked")]
        if missing or unexpected:
            raise ModelFileError(f"The Inception-v3 weights in {weights} do not fit torchvision's network "
                                 f"(missing {len(missing)} tensors, {len(unexpected)} unknown).")
    return model


class SmallBackbone(nn.Module):
    """Four stride-2 convolution blocks: regions at 1/8 of the input, a pooled code at 1/16."""

    def __init__(self, width: int = 32, input_size: int = 128):
        super().__init__()
        self.input_size = input_size

        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 4, 2, 1, bias=False), nn.BatchNorm2d(cout), nn.LeakyReLU(0.2, inplace=True),
                                 nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.LeakyReLU(0.2, inplace=True))

        self.stage1 = block(3, width)
        self.stage2 = block(width, width * 2)
        self.stage3 = block(width * 2, width * 4)
        self.stage4 = block(width * 4, width * 8)
        self.feature_channels, self.code_channels = width * 4, width * 8

    def forward(self, x: torch.Tensor):
        if x.shape[-1] != self.input_size or x.shape[-2] != self.input_size:
            x = F.interpolate(x, size=(self.input_size, self.input_size), mode="bilinear", align_corners=False)
        regions = self.stage3(self.stage2(self.stage1(x)))
        code = self.stage4(regions).mean(dim=(2, 3))
        return regions, code


class Lite0Backbone(nn.Module):
    """ImageNet EfficientNet-Lite0 (the weights the genre stage reads): regions of 112 channels at 1/16
    of the input and a pooled code of 1280. Pretrained features where the paper had Inception-v3's,
    at a fraction of the cost on a CPU."""

    REGION_BLOCKS = 11  # the stride-16 stages end after the eleventh block

    def __init__(self, input_size: int = 128, pretrained: bool = True):
        super().__init__()
        from voiceart.genre.model import EfficientNetLite0, efficientnet_lite0

        self.net = efficientnet_lite0() if pretrained else EfficientNetLite0()
        self.input_size = input_size
        self.feature_channels, self.code_channels = 112, EfficientNetLite0.feature_dim

    def forward(self, x: torch.Tensor):
        if x.shape[-1] != self.input_size or x.shape[-2] != self.input_size:
            x = F.interpolate(x, size=(self.input_size, self.input_size), mode="bilinear", align_corners=False)
        return self.net.maps(self.net.from_signed(x), after=self.REGION_BLOCKS)


class CNN_ENCODER(nn.Module):
    def __init__(self, nef: int = 256, backbone: str = "inception_v3", inception_weights: Path | None = None,
                 small_width: int = 32, small_input: int = 128, init: bool = True):
        super().__init__()
        self.nef, self.backbone = nef, backbone
        if backbone == "inception_v3":
            model = inception_backbone(inception_weights, init)
            for name in INCEPTION_LAYERS:
                setattr(self, name, getattr(model, name))
            feature_channels, code_channels = 768, 2048
        elif backbone == "small":
            self.small = SmallBackbone(small_width, small_input)
            feature_channels, code_channels = self.small.feature_channels, self.small.code_channels
        elif backbone == "lite0":
            self.lite0 = Lite0Backbone(small_input, pretrained=init)
            feature_channels, code_channels = self.lite0.feature_channels, self.lite0.code_channels
        else:
            raise ValueError(f"unknown image encoder backbone {backbone!r}")
        self.emb_features = nn.Conv2d(feature_channels, nef, kernel_size=1, bias=False)
        self.emb_cnn_code = nn.Linear(code_channels, nef)
        nn.init.uniform_(self.emb_features.weight, -0.1, 0.1)
        nn.init.uniform_(self.emb_cnn_code.weight, -0.1, 0.1)

    def backbone_parameters(self):
        return [p for name, p in self.named_parameters() if not name.startswith(("emb_features", "emb_cnn_code"))]

    def freeze_backbone(self, frozen: bool = True) -> "CNN_ENCODER":
        """Train only the two projections (as the official code does over ImageNet Inception weights);
        a frozen backbone also keeps its batch-norm statistics."""
        self.backbone_frozen = frozen
        for p in self.backbone_parameters():
            p.requires_grad_(not frozen)
        return self.train(self.training)

    def train(self, mode: bool = True) -> "CNN_ENCODER":
        super().train(mode)
        if getattr(self, "backbone_frozen", False):
            for name, child in self.named_children():
                if name not in ("emb_features", "emb_cnn_code"):
                    child.eval()
        return self

    def _inception(self, x: torch.Tensor):
        x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=True)
        x = self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x)))
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        x = self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x))
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        x = self.Mixed_5d(self.Mixed_5c(self.Mixed_5b(x)))
        x = self.Mixed_6e(self.Mixed_6d(self.Mixed_6c(self.Mixed_6b(self.Mixed_6a(x)))))
        regions = x  # 768 x 17 x 17
        x = self.Mixed_7c(self.Mixed_7b(self.Mixed_7a(x)))
        return regions, x.mean(dim=(2, 3))  # the 8 x 8 average pool of the official code

    def forward(self, x: torch.Tensor):
        """x: B x 3 x H x W in [-1, 1]. Returns region features B x nef x h x w and codes B x nef."""
        regions, code = self._inception(x) if self.backbone == "inception_v3" else getattr(self, self.backbone)(x)
        return self.emb_features(regions), self.emb_cnn_code(code)
