"""DM-GAN training with the DAMSM loss, as ``trainer.py`` of the official code does, plus what a
long run needs: an EMA generator, resumable checkpoints, progress with ETA, a loss log, sample
grids, mixed precision on CUDA and a seed.

Each step: the (frozen) DAMSM text encoder encodes a batch of captions; the generator draws
pictures at every stage; each stage's discriminator takes a step on real, fake and
mismatched-caption pairs; then the generator takes a step on the adversarial losses of all
stages, LAMBDA times the DAMSM word and sentence losses of the last stage's picture (with the
frozen image encoder), and the conditioning augmentation's KL loss; the EMA copy follows
(decay 0.999; batch-norm statistics copied, as the official code saves them).

The output folder holds:

    dmgan_state.pt       the whole training state; the same command again goes on from its step
    netG.pth             the EMA generator in the official format (what ``generate`` loads)
    netD0.pth ...        the discriminators in the official format
    text_encoder.pth     copies of the DAMSM text encoder and the vocabulary, so the folder is a
    captions.pickle      complete model: voiceart generate --model FOLDER
    config.json          the sizes
    dmgan_log.csv        the losses of every step
    samples/             a grid of pictures from the EMA generator every --sample-every steps
"""
from __future__ import annotations

import copy
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from voiceart.errors import ModelFileError, VoiceartError
from voiceart.text2image import training
from voiceart.text2image.checkpoints import load_generator, load_image_encoder, load_text_encoder, plain_state_dict
from voiceart.torch_files import save as save_atomic
from voiceart.text2image.config import DMGANConfig, get_preset, save_config
from voiceart.text2image.data import CaptionDataset, load_dataset, loader
from voiceart.text2image.discriminator import build_discriminators
from voiceart.text2image.generator import G_NET, weights_init
from voiceart.text2image.kinds import KindReader, read_kinds
from voiceart.text2image.losses import KL_loss, discriminator_loss, generator_loss
from voiceart.text2image.scenes.captions import condition_words
from voiceart.text2image.text_encoder import padding_mask
from voiceart.text2image.vocab import load_captions

STATE = "dmgan_state.pt"


@dataclass
class DMGANOptions:
    data: Path
    out: Path
    damsm: Path | None = None  # a folder from ``train damsm`` (text_encoder.pth, image_encoder.pth, captions.pickle, config.json)
    text_encoder: Path | None = None  # or the three files one by one (e.g. the released DAMSM encoders)
    image_encoder: Path | None = None
    captions: Path | None = None
    preset: str | None = None  # default: the DAMSM folder's config, else bird
    steps: int | None = None
    epochs: float | None = None  # default 600
    batch_size: int | None = None
    seed: int = 0
    init_netg: Path | None = None  # start from a generator (e.g. a released one, to fine-tune)
    damsm_weight: float | None = None  # LAMBDA; also for a resumed run, from its current step on
    damsm_augment: bool = False  # DAMSM_AUGMENT for a new run (a resumed run keeps its own)
    paired_weight: float | None = None  # PAIRED_WEIGHT; also for a resumed run, from its current step on
    kinds: Path | None = None  # kinds.json of the scene data: the discriminators learn which things, time, weather
    # and ground each caption names
    save_every: int = 500
    sample_every: int = 500
    log_every: int = 10
    workers: int = 0
    amp: bool = True
    fresh: bool = False
    install_as: str | None = None  # also copy the finished model into the cache as this preset


def _damsm_files(opts: DMGANOptions) -> tuple[Path, Path, Path, DMGANConfig | None]:
    config = None
    if opts.damsm is not None:
        folder = Path(opts.damsm)
        if not folder.is_dir():
            raise VoiceartError(f"There is no DAMSM folder {folder}.")
        if (folder / "config.json").is_file():
            config = get_preset(folder / "config.json")
        text = opts.text_encoder or folder / "text_encoder.pth"
        image = opts.image_encoder or folder / "image_encoder.pth"
        captions = opts.captions or folder / "captions.pickle"
    else:
        text, image, captions = opts.text_encoder, opts.image_encoder, opts.captions
    missing = [name for name, p in (("--text-encoder", text), ("--image-encoder", image), ("--captions", captions)) if p is None]
    if missing:
        raise VoiceartError(f"DM-GAN training needs DAMSM encoders: give --damsm FOLDER (from voiceart train damsm) or {', '.join(missing)}.")
    return Path(text), Path(image), Path(captions), config


class DiscriminatorStep(nn.Module):
    """A discriminator's loss as one forward, so that DistributedDataParallel sees its whole step
    (the loss calls the discriminator's parts, COND_DNET and UNCOND_DNET, one by one)."""

    def __init__(self, net_d: nn.Module):
        super().__init__()
        self.net_d = net_d

    def forward(self, real_imgs, fake_imgs, conditions, kinds=None):
        return discriminator_loss(self.net_d, real_imgs, fake_imgs, conditions, kinds)


@dataclass
class GAN:
    """What one training step changes and reads: the networks, their optimisers and the frozen DAMSM."""

    config: DMGANConfig
    net_g: nn.Module
    ema: nn.Module  # what netG.pth holds
    nets_d: list
    g_step: nn.Module  # net_g, or its DistributedDataParallel wrapper
    d_steps: list  # each discriminator's DiscriminatorStep, or its wrapper
    opt_g: torch.optim.Optimizer
    opts_d: list
    text_encoder: nn.Module
    image_encoder: nn.Module
    precision: training.Precision
    kind_reader: KindReader | None = None  # what each caption names, for the discriminators' kind projection


def train_step(gan: GAN, imgs, caps, lens, class_ids, z, device) -> dict[str, float]:
    """One step of the paper's schedule: every discriminator, then the generator (GAN losses of all stages,
    LAMBDA x DAMSM of the last, KL), then the EMA copy. Returns the losses to log."""
    config, precision = gan.config, gan.precision
    imgs = [im.to(device, non_blocking=True) for im in imgs]
    caps = caps.to(device)
    with torch.no_grad(), precision.autocast():
        words, sent = gan.text_encoder(caps, lens)
    words, sent = words.float(), sent.float()
    mask = padding_mask(caps, words.size(2))
    kinds = gan.kind_reader(caps, lens).to(device) if gan.kind_reader is not None else None
    with precision.autocast():
        fake_imgs, _, mu, logvar = gan.g_step(z, sent, words, mask)
    values = {}
    for i, (d, o) in enumerate(zip(gan.d_steps, gan.opts_d)):
        with precision.autocast():
            err_d, _stats = d(imgs[i], fake_imgs[i], sent, kinds)
        o.zero_grad(set_to_none=True)
        precision.scaler.scale(err_d).backward()
        precision.scaler.step(o)
        values[f"d{i}"] = err_d.item()
    for d in gan.nets_d:
        d.requires_grad_(False)
    with precision.autocast():
        err_g, logs = generator_loss(gan.nets_d, gan.image_encoder, fake_imgs, words, sent, lens, class_ids, config, kinds,
                                     imgs)
        kl = KL_loss(mu, logvar)
        err_g = err_g + kl
    gan.opt_g.zero_grad(set_to_none=True)
    precision.scaler.scale(err_g).backward()
    precision.scaler.step(gan.opt_g)
    precision.scaler.update()
    for d in gan.nets_d:
        d.requires_grad_(True)
    with torch.no_grad():
        for p_ema, p in zip(gan.ema.parameters(), gan.net_g.parameters()):
            p_ema.lerp_(p, 1.0 - config.EMA_DECAY)
        for b_ema, b in zip(gan.ema.buffers(), gan.net_g.buffers()):
            b_ema.copy_(b)
    values.update({"g": err_g.item(), "w": logs["w_loss"], "s": logs["s_loss"], "kl": kl.item()})
    return {**values, **{k: v for k, v in logs.items() if k.startswith("g_loss") or k == "paired"}}


def train_dmgan(opts: DMGANOptions, device: torch.device, stream=None, settings=None) -> dict:
    if opts.install_as:
        check_install_name(opts.install_as)
    cluster, device = training.join_cluster(device)
    stream = cluster.stream(stream)
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    state_path = out / STATE
    state = training.resume_state(state_path, "voiceart-dmgan", "DM-GAN", opts.fresh, stream)
    if state is not None:
        config = DMGANConfig.from_dict(state["config"])
        seed, batch_size = state["seed"], state["batch_size"]
        text_path, image_path, captions_path = (Path(state[k]) for k in ("text_encoder_path", "image_encoder_path", "captions_path"))
        kind_table = state.get("kinds")
    else:
        text_path, image_path, captions_path, damsm_config = _damsm_files(opts)
        config = get_preset(opts.preset) if opts.preset else (damsm_config or get_preset("bird"))
        if damsm_config is not None:  # the encoders' sizes win
            config = config.with_(EMBEDDING_DIM=damsm_config.EMBEDDING_DIM, WORD_DIM=damsm_config.WORD_DIM,
                                  IMAGE_ENCODER=damsm_config.IMAGE_ENCODER, ENCODER_SIZE=damsm_config.ENCODER_SIZE)
        seed = opts.seed
        batch_size = opts.batch_size or config.BATCH_SIZE
        if opts.damsm_augment:
            config = config.with_(DAMSM_AUGMENT=True)
        kind_table = {**read_kinds(opts.kinds), **condition_words()} if opts.kinds is not None else None
        if kind_table is not None:
            config = config.with_(KIND_DIM=len(kind_table))
    config = config.with_(BATCH_SIZE=batch_size)
    cluster.share(batch_size)  # a batch that cannot be shared out among the processes is refused here
    if opts.damsm_weight is not None:
        config = config.with_(LAMBDA=opts.damsm_weight)
    if opts.paired_weight is not None:
        config = config.with_(PAIRED_WEIGHT=opts.paired_weight)
    captions = load_captions(captions_path)
    text_encoder = load_text_encoder(text_path, len(captions.vocab), config).to(device)
    image_encoder = load_image_encoder(image_path, config).to(device)
    for p in list(text_encoder.parameters()) + list(image_encoder.parameters()):
        p.requires_grad_(False)
    examples, _ = load_dataset(Path(opts.data), config, "train", captions.vocab)
    if cluster.main:
        save_config(config, out / "config.json")
    if state is None and cluster.main:
        for src, name in ((captions_path, "captions.pickle"), (text_path, "text_encoder.pth")):
            if src.resolve() != (out / name).resolve():
                shutil.copy2(src, out / name)

    torch.manual_seed(seed)
    net_g = G_NET(config)
    net_g.apply(weights_init)
    if state is None and opts.init_netg is not None:
        net_g.load_state_dict(load_generator(opts.init_netg, config).state_dict())
    nets_d = build_discriminators(config)
    net_g.to(device).train()
    for d in nets_d:
        d.to(device).train()
    ema = copy.deepcopy(net_g).eval()
    for p in ema.parameters():
        p.requires_grad_(False)
    # what DistributedDataParallel wraps under torchrun: the generator, and each discriminator's whole step
    g_step = cluster.wrap(net_g, device)
    d_steps = [cluster.wrap(DiscriminatorStep(d), device) for d in nets_d]
    opt_g = torch.optim.Adam(net_g.parameters(), lr=config.GENERATOR_LR, betas=(0.5, 0.999))
    opts_d = [torch.optim.Adam(d.parameters(), lr=config.DISCRIMINATOR_LR, betas=(0.5, 0.999)) for d in nets_d]
    precision = training.Precision(device, opts.amp)
    kind_reader = KindReader(kind_table, captions.vocab.ixtoword) if kind_table is not None else None
    gan = GAN(config, net_g, ema, nets_d, g_step, d_steps, opt_g, opts_d, text_encoder, image_encoder, precision, kind_reader)
    noise = torch.Generator().manual_seed(seed)
    step = 0
    if state is not None:
        net_g.load_state_dict(state["netG"])
        ema.load_state_dict(state["netG_ema"])
        for d, sd in zip(nets_d, state["netsD"]):
            d.load_state_dict(sd)
        opt_g.load_state_dict(state["optG"])
        training.optimizer_to(opt_g, device)
        for o, sd in zip(opts_d, state["optsD"]):
            o.load_state_dict(sd)
            training.optimizer_to(o, device)
        precision.scaler.load_state_dict(state["scaler"])
        training.set_rng_state(state["rng"], noise)
        step = state["step"]

    dataset = CaptionDataset(examples, config, seed=seed)
    per_epoch = len(examples) // batch_size
    if per_epoch == 0:
        raise VoiceartError(f"The data set has {len(examples)} images; a batch needs {batch_size}. Use a smaller --batch-size.")
    total = training.resolve_steps(opts.steps, opts.epochs, per_epoch, 600)

    # Fixed captions and noise for the sample grids: the first images' first captions.
    n_show = min(8, len(examples))
    show_ids = [examples[i].captions[0][: config.WORDS_NUM] for i in range(n_show)]
    show_len = max(len(c) for c in show_ids)
    show_caps = torch.zeros(n_show, show_len, dtype=torch.int64)
    for i, c in enumerate(show_ids):
        show_caps[i, : len(c)] = torch.tensor(c)
    show_lens = torch.tensor([len(c) for c in show_ids])
    sample_gen = torch.Generator().manual_seed(seed + 1)
    show_z = torch.randn(n_show, config.Z_DIM, generator=sample_gen)
    show_eps = torch.randn(n_show, config.CONDITION_DIM, generator=sample_gen)
    show_text = [" ".join(captions.vocab.decode(c)) for c in show_ids]

    def save_samples():
        with torch.no_grad():
            words, sent = text_encoder(show_caps.to(device), show_lens)
            imgs = ema(show_z.to(device), sent, words, padding_mask(show_caps.to(device), words.size(2)), eps=show_eps.to(device))[0]
        size = imgs[-1].shape[-1]
        rows = [torch.nn.functional.interpolate(im.float(), size=(size, size), mode="nearest") for im in imgs]
        grid = torch.cat(rows)  # a column per caption, a row per stage (smaller stages scaled up)
        training.save_grid(grid, out / "samples" / f"step{step:07d}.png", nrow=n_show,
                           metadata={"Software": "voiceart", "step": str(step), "captions": " | ".join(show_text)})

    def save():
        save_atomic({"kind": "voiceart-dmgan", "version": 1, "step": step, "seed": seed, "batch_size": batch_size,
                     "config": config.to_dict(), "text_encoder_path": str(text_path), "image_encoder_path": str(image_path),
                     "captions_path": str(captions_path), "data": str(opts.data), "kinds": kind_table,
                     "netG": net_g.state_dict(), "netG_ema": ema.state_dict(), "netsD": [d.state_dict() for d in nets_d],
                     "optG": opt_g.state_dict(), "optsD": [o.state_dict() for o in opts_d],
                     "scaler": precision.scaler.state_dict(), "rng": training.rng_state(noise)}, state_path)
        save_atomic(plain_state_dict(ema), out / "netG.pth")
        for i, d in enumerate(nets_d):
            save_atomic(plain_state_dict(d), out / f"netD{i}.pth")

    log = training.LossLog(out / "dmgan_log.csv", step) if cluster.main else None
    progress = training.Progress(step, total, opts.log_every, stream, label="DM-GAN ")
    print(f"DM-GAN: {len(examples)} images, {len(captions.vocab)} words, {config.BRANCH_NUM} stages up to "
          f"{config.image_size} px, batch {batch_size}{cluster.describe()}, {per_epoch} steps an epoch, steps {step} -> {total}, {device}, "
          f"{precision.describe()}, seed {seed}", file=progress.stream, flush=True)
    stopped = False
    if step < total:
        batches = loader(dataset, batch_size, seed, step, total - step, opts.workers, cluster.rank, cluster.world)
        with training.StopFlag() as stop:
            for imgs, caps, lens, class_ids, _keys in batches:
                t0 = time.perf_counter()
                z = cluster.mine(torch.randn(batch_size, config.Z_DIM, generator=noise)).to(device)
                values = train_step(gan, imgs, caps, lens, class_ids, z, device)
                step += 1
                if log is not None:
                    log.write({"step": step, "epoch": step // per_epoch, **values, "seconds": time.perf_counter() - t0})
                progress.update(step, values)
                stopping = cluster.any(stop.requested)
                if cluster.main and (step % opts.sample_every == 0 or step == total):
                    save_samples()
                if cluster.main and (step % opts.save_every == 0 or step == total or stopping):
                    save()
                if stopping:
                    stopped = True
                    break
    progress.close()
    if cluster.main and not state_path.is_file():
        save()
    installed = None
    if opts.install_as and not stopped and cluster.main:
        installed = install_model(out, opts.install_as, settings)
    return {"step": step, "total": total, "stopped": stopped, "out": out, "config": config, "netG": out / "netG.pth",
            "main": cluster.main,
            "installed": installed, "last": progress.last_line}


def install_model(folder: Path, name: str, settings=None) -> Path:
    """Copy a trained model (netG.pth, text_encoder.pth, captions.pickle) to where ``--preset NAME`` finds it."""
    from voiceart.config import Settings

    check_install_name(name)
    settings = settings or Settings()
    target = settings.cache_dir / "models" / "dmgan" / name
    target.mkdir(parents=True, exist_ok=True)
    for file in ("netG.pth", "text_encoder.pth", "captions.pickle", "config.json"):
        if not (folder / file).is_file():
            raise ModelFileError(f"{folder} has no {file}; it is not a finished DM-GAN training folder.")
        shutil.copy2(folder / file, target / file)
    return target


def check_install_name(name: str) -> None:
    from voiceart.text2image.config import PRESETS

    if name in PRESETS or not name.replace("-", "").replace("_", "").isalnum():
        raise VoiceartError(f"'{name}' cannot name an installed model: use letters, digits, - and _, "
                            f"and none of {', '.join(PRESETS)}.")
