"""Loading DM-GAN files strictly, with a plain sentence for every way a file can be wrong.

The released files are bare state dicts saved by ``torch.save(net.state_dict())``. They load
through ``voiceart.torch_files`` (``weights_only=True``: no code in them can run). Accepted variations: with or without
batch norm's ``num_batches_tracked`` counters (older PyTorch did not write them) and keys
prefixed ``module.`` (saved from ``nn.DataParallel``). Anything else missing, extra, or of
another shape is an error that says which tensor and, for a generator, what the file is.
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from voiceart.errors import ModelFileError
from voiceart.text2image.config import PRESETS, DMGANConfig, get_preset
from voiceart.text2image.generator import G_NET
from voiceart.text2image.image_encoder import CNN_ENCODER
from voiceart.text2image.text_encoder import RNN_ENCODER
from voiceart.torch_files import load_state_dict, load_strict


# What to do about a DM-GAN file that cannot be used, in every sentence about one.
FIX = "bring a good copy or train it again"


# --- generator --------------------------------------------------------------------------------

def infer_generator_config(state: dict[str, torch.Tensor], base: DMGANConfig | None = None) -> DMGANConfig:
    """The generator sizes a state dict was made with (GF_DIM, Z_DIM, ... R_NUM, BRANCH_NUM)."""
    try:
        c_dim4, t_dim = state["ca_net.fc.weight"].shape
        fc_out, in_dim = state["h_net1.fc.0.weight"].shape
        ngf = state["img_net1.img.0.weight"].shape[1]
    except KeyError as exc:
        raise ModelFileError(f"This is not a DM-GAN generator: it has no {exc.args[0]}.") from None
    branch = 1 + ("h_net2.A.weight" in state) + ("h_net3.A.weight" in state)
    r_num = len({k.split(".")[2] for k in state if k.startswith("h_net2.residual.")}) if branch > 1 else 0
    cond = c_dim4 // 4
    base = base or DMGANConfig()
    return base.with_(GF_DIM=int(ngf), EMBEDDING_DIM=int(t_dim), CONDITION_DIM=int(cond), Z_DIM=int(in_dim - cond),
                      BRANCH_NUM=int(branch), R_NUM=int(r_num) or base.R_NUM)


def describe_generator(config: DMGANConfig) -> str:
    for name, preset in PRESETS.items():
        if all(getattr(preset, f) == getattr(config, f) for f in ("GF_DIM", "Z_DIM", "CONDITION_DIM", "EMBEDDING_DIM", "BRANCH_NUM", "R_NUM")):
            return f"a {name} generator"
    return (f"a generator with GF_DIM {config.GF_DIM}, Z_DIM {config.Z_DIM}, CONDITION_DIM {config.CONDITION_DIM}, "
            f"EMBEDDING_DIM {config.EMBEDDING_DIM}, BRANCH_NUM {config.BRANCH_NUM}, R_NUM {config.R_NUM}")


def load_generator(path: Path, config: DMGANConfig | None = None):
    """A G_NET with the file's weights, in eval mode. Without a config, the file's own sizes are used."""
    state = load_state_dict(path, "DM-GAN generator", FIX)
    found = infer_generator_config(state, config)
    if config is None:
        config = found
    found_desc, want_desc = describe_generator(found), describe_generator(config)
    if found_desc != want_desc:
        named = [name for name in PRESETS if found_desc == f"a {name} generator"]
        advice = f" (use --preset {named[0]})" if named else ""
        raise ModelFileError(f"The DM-GAN generator file {path} is {found_desc}, not {want_desc}{advice}.")
    net = G_NET(config)
    load_strict(net, state, "DM-GAN generator", path, FIX)
    return net.eval()


# --- text encoder -----------------------------------------------------------------------------

def load_text_encoder(path: Path, n_words: int | None = None, config: DMGANConfig | None = None):
    """An RNN_ENCODER with the file's weights, in eval mode; its vocabulary size must be ``n_words``."""
    state = load_state_dict(path, "DAMSM text encoder", FIX)
    try:
        ntoken, ninput = state["encoder.weight"].shape
        nhidden = state["rnn.weight_hh_l0"].shape[1]
    except KeyError as exc:
        raise ModelFileError(f"The file {path} is not a DAMSM text encoder: it has no {exc.args[0]}.") from None
    bidirectional = "rnn.weight_hh_l0_reverse" in state
    rnn_type = "LSTM" if state["rnn.weight_hh_l0"].shape[0] == 4 * nhidden else "GRU"
    nlayers = len({k.split("_l")[1].split("_")[0] for k in state if k.startswith("rnn.weight_ih_l")})
    if n_words is not None and ntoken != n_words:
        raise ModelFileError(f"The text encoder {path} knows {ntoken} words but the captions file has {n_words}: "
                             f"they come from different data sets.")
    hidden = nhidden * (2 if bidirectional else 1)
    if config is not None and hidden != config.EMBEDDING_DIM:
        raise ModelFileError(f"The text encoder {path} gives {hidden}-number features but the generator "
                             f"expects {config.EMBEDDING_DIM}.")
    net = RNN_ENCODER(ntoken, ninput=ninput, nhidden=hidden, nlayers=nlayers, bidirectional=bidirectional, rnn_type=rnn_type)
    load_strict(net, state, "DAMSM text encoder", path, FIX)
    return net.eval()


def load_image_encoder(path: Path, config: DMGANConfig):
    """A CNN_ENCODER (the released image_encoder*.pth or one voiceart trained), in eval mode."""
    state = load_state_dict(path, "DAMSM image encoder", FIX)
    backbone = next((b for b in ("small", "lite0") if any(k.startswith(b + ".") for k in state)), "inception_v3")
    nef = state["emb_cnn_code.weight"].shape[0] if "emb_cnn_code.weight" in state else config.EMBEDDING_DIM
    kwargs = {}
    if backbone != "inception_v3":
        size = config.ENCODER_SIZE or config.image_size
        beside = Path(path).parent / "config.json"
        if beside.is_file():  # a voiceart DAMSM folder says what size its encoder reads
            size = get_preset(beside).encoder_size
        kwargs = {"small_input": int(size)}
        if backbone == "small":
            kwargs["small_width"] = int(state["small.stage1.0.weight"].shape[0])
    net = CNN_ENCODER(nef, backbone=backbone, init=False, **kwargs)
    load_strict(net, state, "DAMSM image encoder", path, FIX)
    if nef != config.EMBEDDING_DIM:
        raise ModelFileError(f"The image encoder {path} gives {nef}-number features but the text encoder gives {config.EMBEDDING_DIM}.")
    return net.eval()


# --- writing ----------------------------------------------------------------------------------

def plain_state_dict(module: nn.Module) -> dict[str, torch.Tensor]:
    """The state dict as the official code saves it (CPU tensors, no wrappers)."""
    return {k: v.detach().cpu().clone() for k, v in module.state_dict().items()}
