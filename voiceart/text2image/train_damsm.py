"""DAMSM pretraining: the text encoder and the image encoder learn to match words to image
regions and sentences to images (AttnGAN's word and sentence losses), as ``pretrain_DAMSM.py``
of the official code does.

Everything lives in one output folder:

    damsm_state.pt       the whole training state (models, optimizer, step, random states): a
                         run started again with the same folder goes on from its step
    text_encoder.pth     the text encoder in the official format (what DM-GAN training and
    image_encoder.pth    generation load), rewritten at every checkpoint
    captions.pickle      the vocabulary (official format)
    config.json          the sizes
    damsm_log.csv        the losses of every step
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from voiceart.errors import VoiceartError
from voiceart.text2image import training
from voiceart.text2image.checkpoints import load_image_encoder, load_text_encoder, plain_state_dict
from voiceart.torch_files import load_strict
from voiceart.torch_files import save as save_atomic
from voiceart.text2image.config import DMGANConfig, get_preset, save_config
from voiceart.text2image.data import CaptionDataset, load_dataset, loader
from voiceart.text2image.image_encoder import CNN_ENCODER
from voiceart.text2image.losses import damsm_loss
from voiceart.text2image.text_encoder import RNN_ENCODER
from voiceart.text2image.vocab import load_captions, save_captions

STATE = "damsm_state.pt"


@dataclass
class DAMSMOptions:
    data: Path
    out: Path
    preset: str = "tiny"
    steps: int | None = None  # total steps (a resumed run stops there too); default: epochs
    epochs: float | None = None  # default 600, as the official configs
    batch_size: int | None = None  # default: 48 (official) or the preset's for a small encoder
    seed: int = 0
    captions: Path | None = None  # an existing vocabulary to use (e.g. the released captions.pickle)
    inception: Path | None = None  # ImageNet Inception-v3 weights for the image encoder's backbone
    backbone: str | None = None  # the image encoder's backbone (IMAGE_ENCODER) instead of the preset's
    init_text_encoder: Path | None = None  # start from these encoders (fine-tuning)
    init_image_encoder: Path | None = None
    save_every: int = 500
    log_every: int = 10
    workers: int = 0
    amp: bool = True
    fresh: bool = False  # ignore a saved state in ``out`` and start again


def build_image_encoder(config: DMGANConfig, inception: Path | None = None) -> CNN_ENCODER:
    return CNN_ENCODER(config.EMBEDDING_DIM, backbone=config.IMAGE_ENCODER, inception_weights=inception,
                       small_input=config.encoder_size)


def lr_for_epoch(config: DMGANConfig, epoch: int) -> float:
    """The official schedule: 0.98 a epoch, until it is a tenth of the start."""
    floor_epochs = math.ceil(math.log(0.1) / math.log(0.98))
    return config.ENCODER_LR * 0.98 ** min(epoch, floor_epochs)


class Encoders(nn.Module):
    """Both DAMSM encoders as one forward, so that DistributedDataParallel sees the whole step."""

    def __init__(self, text_encoder: nn.Module, image_encoder: nn.Module):
        super().__init__()
        self.text_encoder, self.image_encoder = text_encoder, image_encoder

    def forward(self, img, caps, lens):
        return (*self.image_encoder(img), *self.text_encoder(caps, lens))


def train_damsm(opts: DAMSMOptions, device: torch.device, stream=None) -> dict:
    cluster, device = training.join_cluster(device)
    stream = cluster.stream(stream)
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    state_path = out / STATE
    state = training.resume_state(state_path, "voiceart-damsm", "DAMSM", opts.fresh, stream)
    if state is not None:
        config = DMGANConfig.from_dict(state["config"])
        seed, batch_size = state["seed"], state["batch_size"]
        captions = load_captions(out / "captions.pickle")
    else:
        config = get_preset(opts.preset)
        if opts.backbone:
            config = config.with_(IMAGE_ENCODER=opts.backbone)
        seed = opts.seed
        batch_size = opts.batch_size or (48 if config.IMAGE_ENCODER == "inception_v3" else config.BATCH_SIZE)
        captions = load_captions(opts.captions) if opts.captions else None
    config = config.with_(BATCH_SIZE=batch_size)
    cluster.share(batch_size)
    examples, data_captions = load_dataset(Path(opts.data), config, "train", captions.vocab if captions else None)
    if captions is None:
        captions = data_captions
    if state is None and cluster.main:
        save_captions(captions, out / "captions.pickle")
        save_config(config, out / "config.json")

    torch.manual_seed(seed)
    text_encoder = RNN_ENCODER(len(captions.vocab), ninput=config.WORD_DIM, drop_prob=config.TEXT_DROPOUT,
                               nhidden=config.EMBEDDING_DIM)
    image_encoder = build_image_encoder(config, opts.inception if state is None else None)
    pretrained_backbone = config.IMAGE_ENCODER == "lite0" or (
        config.IMAGE_ENCODER == "inception_v3" and (opts.inception is not None or opts.init_image_encoder is not None))
    if state is None:
        if opts.init_text_encoder:
            load_strict(text_encoder, load_text_encoder(opts.init_text_encoder, len(captions.vocab)).state_dict(),
                        "DAMSM text encoder", opts.init_text_encoder)
        if opts.init_image_encoder:
            load_strict(image_encoder, load_image_encoder(opts.init_image_encoder, config).state_dict(),
                        "DAMSM image encoder", opts.init_image_encoder)
    else:
        pretrained_backbone = state["frozen_backbone"]
    if pretrained_backbone:
        image_encoder.freeze_backbone()
    text_encoder.to(device).train()
    image_encoder.to(device).train()
    # under torchrun each process computes the loss over its share of the batch (the other shares'
    # captions are not its negatives) and DistributedDataParallel averages the gradients
    encoders = cluster.wrap(Encoders(text_encoder, image_encoder), device)
    params = list(text_encoder.parameters()) + [p for p in image_encoder.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=config.ENCODER_LR, betas=(0.5, 0.999))
    precision = training.Precision(device, opts.amp)
    noise = torch.Generator().manual_seed(seed)  # (unused by DAMSM; kept so states look alike)
    step = 0
    if state is not None:
        text_encoder.load_state_dict(state["text_encoder"])
        image_encoder.load_state_dict(state["image_encoder"])
        optimizer.load_state_dict(state["optimizer"])
        training.optimizer_to(optimizer, device)
        precision.scaler.load_state_dict(state["scaler"])
        training.set_rng_state(state["rng"], noise)
        step = state["step"]

    dataset = CaptionDataset(examples, config, seed=seed, sizes=[config.encoder_size])
    per_epoch = len(examples) // batch_size
    if per_epoch == 0:
        raise VoiceartError(f"The data set has {len(examples)} images; a batch needs {batch_size}. Use a smaller --batch-size.")
    total = training.resolve_steps(opts.steps, opts.epochs, per_epoch, 600)

    def save():
        save_atomic({"kind": "voiceart-damsm", "version": 1, "step": step, "seed": seed, "batch_size": batch_size,
                     "config": config.to_dict(), "frozen_backbone": bool(pretrained_backbone),
                     "text_encoder": text_encoder.state_dict(), "image_encoder": image_encoder.state_dict(),
                     "optimizer": optimizer.state_dict(), "scaler": precision.scaler.state_dict(),
                     "rng": training.rng_state(noise), "data": str(opts.data)}, state_path)
        save_atomic(plain_state_dict(text_encoder), out / "text_encoder.pth")
        save_atomic(plain_state_dict(image_encoder), out / "image_encoder.pth")

    log = training.LossLog(out / "damsm_log.csv", step) if cluster.main else None
    progress = training.Progress(step, total, opts.log_every, stream, label="DAMSM ")
    print(f"DAMSM: {len(examples)} images, {len(captions.vocab)} words, batch {batch_size}{cluster.describe()}, {per_epoch} steps an epoch, "
          f"steps {step} -> {total}, {device}, {precision.describe()}, seed {seed}", file=progress.stream, flush=True)
    stopped = False
    if step < total:
        batches = loader(dataset, batch_size, seed, step, total - step, opts.workers, cluster.rank, cluster.world)
        with training.StopFlag() as stop:
            for imgs, caps, lens, class_ids, _keys in batches:
                t0 = time.perf_counter()
                epoch = step // per_epoch
                lr = lr_for_epoch(config, epoch)
                for group in optimizer.param_groups:
                    group["lr"] = lr
                img = imgs[-1].to(device, non_blocking=True)
                caps = caps.to(device)
                with precision.autocast():
                    regions, code, words, sent = encoders(img, caps, lens)
                w_loss, s_loss = damsm_loss(regions, code, words, sent, lens, class_ids, config)
                loss = w_loss + s_loss
                optimizer.zero_grad(set_to_none=True)
                precision.scaler.scale(loss).backward()
                precision.scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(text_encoder.parameters(), config.RNN_GRAD_CLIP)
                precision.scaler.step(optimizer)
                precision.scaler.update()
                step += 1
                values = {"w_loss": w_loss.item(), "s_loss": s_loss.item()}
                if log is not None:
                    log.write({"step": step, "epoch": epoch, **values, "lr": lr, "seconds": time.perf_counter() - t0})
                progress.update(step, values)
                stopping = cluster.any(stop.requested)
                if cluster.main and (step % opts.save_every == 0 or step == total or stopping):
                    save()
                if stopping:
                    stopped = True
                    break
    progress.close()
    if cluster.main and not state_path.is_file():
        save()
    return {"step": step, "total": total, "stopped": stopped, "out": out, "config": config, "main": cluster.main,
            "text_encoder": out / "text_encoder.pth", "image_encoder": out / "image_encoder.pth",
            "captions": out / "captions.pickle", "last": progress.last_line}

