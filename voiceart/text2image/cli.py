"""Subcommands of the text-to-image stage: ``generate``, ``train damsm``, ``train dmgan``, ``eval dmgan``.

Nothing heavy is imported until a command runs.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from voiceart.config import Settings
from voiceart.errors import VoiceartError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("generate", help="draw a picture of a sentence (DM-GAN text to image)",
                       description="Draw TEXT with DM-GAN and write the largest stage's picture (256 px for the released "
                                   "models). Words the model does not know are left out and listed. Without model files "
                                   "it says how to get or make them.")
    p.add_argument("text", help="what to draw, e.g. \"a small bird with a red head and black wings\"")
    _model_options(p)
    p.add_argument("--seed", type=int, help="makes the picture reproducible (default: a random one, printed)")
    p.add_argument("--variants", type=int, default=1, metavar="K", help="draw K pictures with different noise (OUT-1.png ...)")
    p.add_argument("--all-stages", action="store_true", help="also write the smaller stages (OUT-64.png, OUT-128.png)")
    p.add_argument("-o", "--output", type=Path, required=True,
                   help="the picture to write: .png (with metadata), .jpg, or no suffix (.png is added)")
    p.set_defaults(run=run_generate)


def register_train(sub: argparse._SubParsersAction) -> None:
    """DM-GAN is trained in two steps, each keeping everything in an output folder and going on from where
    it stopped when run again with the same folder: the DAMSM encoders, then the generator."""
    d = sub.add_parser("damsm", help="text to image, step 1: pretrain the DAMSM text and image encoders",
                       description="Pretrain the DAMSM encoders (word and sentence matching losses) on DATA: a folder of "
                                   "pictures with captions.txt, or the CUB / COCO layout of the official code. Then train "
                                   "the generator with train dmgan.")
    _train_common(d)
    d.add_argument("--captions", type=Path, help="use this vocabulary (captions.pickle) instead of making one from DATA")
    d.add_argument("--inception", type=Path, metavar="FILE",
                   help="ImageNet Inception-v3 weights for the image encoder (torchvision's inception_v3_google-*.pth); "
                        "with them only the projections learn, as in the paper")
    d.add_argument("--backbone", choices=("small", "lite0", "inception_v3"),
                   help="the image encoder's backbone instead of the preset's: lite0 is frozen ImageNet EfficientNet-Lite0 "
                        "(its weights come with voiceart's packages), so only the projections learn")
    d.add_argument("--init-text-encoder", type=Path, metavar="FILE", help="start from this text encoder (fine-tuning)")
    d.add_argument("--init-image-encoder", type=Path, metavar="FILE", help="start from this image encoder (fine-tuning)")
    d.set_defaults(run=run_train_damsm)

    g = sub.add_parser("dmgan", help="text to image, step 2: the DM-GAN generator with the DAMSM loss",
                       description="Train DM-GAN on DATA with frozen DAMSM encoders: a folder from `voiceart train damsm` "
                                   "(--damsm) or the three files (e.g. the released text_encoder200.pth, image_encoder200.pth "
                                   "and captions.pickle).")
    _train_common(g)
    g.add_argument("--damsm", type=Path, metavar="FOLDER", help="the output folder of `voiceart train damsm`")
    g.add_argument("--text-encoder", type=Path, metavar="FILE", help="DAMSM text encoder")
    g.add_argument("--image-encoder", type=Path, metavar="FILE", help="DAMSM image encoder")
    g.add_argument("--captions", type=Path, metavar="FILE", help="the vocabulary (captions.pickle) of the encoders")
    g.add_argument("--init-netg", type=Path, metavar="FILE", help="start from this generator (fine-tuning)")
    g.add_argument("--damsm-weight", type=float, metavar="LAMBDA",
                   help="weight of the DAMSM loss (the preset's LAMBDA: 5 for bird, 50 for coco); "
                        "a resumed run uses it from its current step on")
    g.add_argument("--damsm-augment", action="store_true",
                   help="the DAMSM judges each generated picture softened and shifted at random, so the generator "
                        "cannot please a frozen pretrained encoder (--backbone lite0) with texture; a new run only")
    g.add_argument("--kinds", type=Path, metavar="FILE",
                   help="kinds.json of the scene data (voiceart data scenes writes it beside the splits): the "
                        "discriminators also learn which things, time of day, weather and ground each caption names, "
                        "so a picture without them looks fake (a projection discriminator); a new run only")
    g.add_argument("--paired-weight", type=float, metavar="W",
                   help="also pull each generated picture, seen at 32 px, toward the training picture its caption "
                        "was written for (L1, as pix2pix); 0 (the official code) by default; a resumed run uses it "
                        "from its current step on")
    g.add_argument("--sample-every", type=int, default=500, metavar="N", help="save a grid of samples every N steps (default 500)")
    g.add_argument("--install-as", metavar="NAME", help="when done, install the model so `generate --preset NAME` finds it")
    g.set_defaults(run=run_train_dmgan)

    p = sub.add_parser("probe", help="text to image: the classifier that checks what generated scenes show",
                       description="Train the scene probe (linear heads for the things, time of day, weather and "
                                   "terrain) on the probe split of a scene data set (voiceart data scenes): pictures "
                                   "neither the DAMSM nor the generator learn from. eval dmgan --probe uses it.")
    p.add_argument("data", type=Path, help="a scene data set (its probe/ split is used) or one labelled split")
    p.add_argument("-o", "--out", type=Path, required=True, metavar="FILE", help="where to write the probe (.pt)")
    p.add_argument("--backbone", choices=("lite0", "scratch"), default="lite0",
                   help="what the heads read: frozen ImageNet EfficientNet-Lite0 features (default, the shipped probe), "
                        "or a small network learned here from the probe split alone (scratch: shares no weights with "
                        "any model, the independent check of a generator trained against a Lite0 DAMSM)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=run_train_probe)


def register_eval(sub: argparse._SubParsersAction) -> None:
    m = sub.add_parser("damsm", help="text to image: how well DAMSM encoders tell real pictures' captions apart",
                       description="R-precision of a DAMSM (the folder of voiceart train damsm) on the real pictures of "
                                   "DATA: each picture's own caption ranked among 100 (chance 1 %%). The ceiling of the "
                                   "R-precision of a generator trained against it, and a measure of the DAMSM itself.")
    m.add_argument("data", type=Path, help="captioned pictures, e.g. the val split of a scene data set")
    m.add_argument("--damsm", type=Path, required=True, metavar="FOLDER", help="a folder of voiceart train damsm")
    m.add_argument("--count", type=int, default=1000, metavar="N", help="pictures (default 1000)")
    m.add_argument("--seed", type=int, default=0)
    m.set_defaults(run=run_eval_damsm)

    e = sub.add_parser("dmgan", help="text to image: R-precision, FD-Lite0, and IS / FID with Inception weights",
                       description="Generate a picture for captions of DATA and measure them: R-precision with the DAMSM "
                                   "encoders (as the paper), FD-Lite0 against DATA's pictures (offline; not comparable with "
                                   "the paper's FID), and Inception Score and FID when --inception gives Inception-v3 weights.")
    e.add_argument("data", type=Path, help="captioned pictures (a folder with captions.txt, or the CUB / COCO layout)")
    _model_options(e)
    e.add_argument("--image-encoder", type=Path, metavar="FILE", help="DAMSM image encoder, for R-precision")
    e.add_argument("--split", default="test", choices=["train", "test"], help="for the CUB / COCO layouts (default test)")
    e.add_argument("--count", type=int, metavar="N", help="pictures to generate (default: one per image of DATA; the paper: 30000)")
    e.add_argument("--batch-size", type=int, default=16)
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--inception", type=Path, metavar="FILE", help="Inception-v3 weights for IS and FID")
    e.add_argument("--no-lite0", action="store_true", help="skip the FD-Lite0 distance")
    e.add_argument("--save-images", type=Path, metavar="FOLDER", help="also write every generated picture")
    e.add_argument("--no-baselines", action="store_true",
                   help="skip the baselines of the distances (real against real, an untrained generator)")
    e.add_argument("--grid", type=Path, metavar="FILE",
                   help="also draw 16 captions of DATA chosen by the seed beside their real pictures (.png or .jpg)")
    # a bare --probe is the shipped probe: const is not a string, so argparse does not make it a Path
    e.add_argument("--probe", type=Path, nargs="?", const=True, metavar="FILE",
                   help="the scene probe (voiceart train probe; without FILE the shipped one): does each picture "
                        "show what its caption named? (DATA must be a split of a scene data set, with labels.json)")
    e.add_argument("-o", "--output", type=Path, metavar="REPORT.json", help="write the figures as JSON")
    e.set_defaults(run=run_eval_dmgan)


def _model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--preset", help="bird or coco (the released models), or the name of a model installed with "
                                    "train dmgan --install-as (default: scenes, the shipped model, or VOICEART_TEXT2IMAGE)")
    p.add_argument("--model", type=Path, metavar="FOLDER", help="a folder with netG.pth, text_encoder.pth and captions.pickle "
                                                                "(the output of train dmgan)")
    p.add_argument("--netg", type=Path, metavar="FILE", help="the generator (e.g. bird_DMGAN.pth)")
    p.add_argument("--text-encoder", type=Path, metavar="FILE", help="the DAMSM text encoder (e.g. text_encoder200.pth)")
    p.add_argument("--captions", type=Path, metavar="FILE", help="the vocabulary, captions.pickle")


def _train_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("data", type=Path, help="captioned pictures: a folder with captions.txt (file<TAB>caption[<TAB>class] "
                                            "lines), or the CUB / COCO layout of the official code")
    p.add_argument("-o", "--out", type=Path, required=True, metavar="FOLDER",
                   help="where the checkpoints, logs and results go; an existing run there goes on from its step")
    p.add_argument("--preset", help="sizes: bird, coco, tiny (a test-sized model) or a JSON file of DMGANConfig fields")
    p.add_argument("--steps", type=int, help="train until this many steps in all")
    p.add_argument("--epochs", type=float, help="train this many passes over the data (default 600, as the official configs)")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--seed", type=int, default=0, help="for the initial weights, the data order and the noise (default 0)")
    p.add_argument("--save-every", type=int, default=500, metavar="N", help="checkpoint every N steps (default 500)")
    p.add_argument("--log-every", type=int, default=10, metavar="N", help="print progress every N steps when not on a terminal")
    p.add_argument("--workers", type=int, default=0, help="data-loading processes (default 0: in the training process)")
    p.add_argument("--no-amp", action="store_true", help="no mixed precision on CUDA")
    p.add_argument("--fresh", action="store_true", help="start again even if the folder holds a run")


def _model_files(args) -> tuple[Path | None, Path | None, Path | None]:
    netg, encoder, captions = args.netg, args.text_encoder, args.captions
    if args.model is not None:
        folder = args.model
        if not folder.is_dir():
            raise VoiceartError(f"There is no model folder {folder}.")
        netg = netg or _first(folder, ("netG.pth", "*_DMGAN.pth", "netG*.pth"))
        encoder = encoder or _first(folder, ("text_encoder.pth", "text_encoder*.pth"))
        captions = captions or _first(folder, ("captions.pickle",))
        if netg is None or encoder is None or captions is None:
            raise VoiceartError(f"{folder} is not a DM-GAN model folder: it needs netG.pth, text_encoder.pth and captions.pickle.")
    return netg, encoder, captions


def _first(folder: Path, patterns) -> Path | None:
    for pattern in patterns:
        found = sorted(folder.glob(pattern))
        if found:
            return found[0]
    return None


def output_names(output: Path, sizes: list[int], variants: int, all_stages: bool) -> dict[tuple[int, int], Path]:
    """(variant, size) -> file: OUT.png for the largest stage, OUT-64.png ... for the others, -1, -2 ... for variants
    (OUT named by voiceart.images.picture_path's rule)."""
    from voiceart.images import picture_path

    output = picture_path(output)
    largest = max(sizes)
    names = {}
    for v in range(variants):
        for size in sizes if all_stages else [largest]:
            suffix = (f"-{v + 1}" if variants > 1 else "") + (f"-{size}" if size != largest else "")
            names[(v, size)] = output.with_name(f"{output.stem}{suffix}{output.suffix}")
    return names


def run_generate(args: argparse.Namespace, settings: Settings) -> int:
    import time

    from voiceart.config import cap_description
    from voiceart.images import save_picture
    from voiceart.text2image.sample import TextToImage

    if args.variants < 1 or args.variants > 64:
        raise VoiceartError("--variants must be between 1 and 64.")
    output_names(args.output, [1], 1, False)  # a name voiceart will not write is said before the model loads
    text, note = cap_description(args.text)
    if not text:
        raise VoiceartError("There is nothing to draw: the description is empty.")
    if note:
        print(note)
    netg, encoder, captions = _model_files(args)
    t2i = TextToImage.load(settings, args.preset, netg, encoder, captions)
    start = time.perf_counter()
    result = t2i.generate(text, variants=args.variants, seed=args.seed)
    seconds = time.perf_counter() - start
    bridged = result.said.summary()
    if bridged:
        print(f"The {t2i.name} model's words: {bridged}")
    names = output_names(args.output, sorted(result.images), args.variants, args.all_stages)
    metadata = {"Software": "voiceart", "text": text, "words_used": " ".join(result.words),
                "unknown_words": " ".join(result.unknown), "seed": str(result.seed), "model": t2i.name,
                "generator": t2i.files.get("netG", Path("")).name}
    if bridged:
        metadata["word_changes"] = bridged  # as printed: "ocean -> sea; left out: zorblax"
    for (v, size), path in names.items():
        save_picture(result.images[size][v], path, {**metadata, "variant": str(v + 1), "size": str(size)})
        print(f"Wrote {path} ({size} by {size})")
    print(f"Drew \"{' '.join(result.words)}\" with the {t2i.name} model, seed {result.seed}, "
          f"{args.variants} picture{'s' if args.variants > 1 else ''} in {seconds:.1f} s.")
    return 0


def run_train_damsm(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart.text2image.train_damsm import DAMSMOptions, train_damsm

    opts = DAMSMOptions(data=args.data, out=args.out, preset=args.preset or "tiny", steps=args.steps, epochs=args.epochs,
                        batch_size=args.batch_size, seed=args.seed, captions=args.captions, inception=args.inception, backbone=args.backbone,
                        init_text_encoder=args.init_text_encoder, init_image_encoder=args.init_image_encoder,
                        save_every=args.save_every, log_every=args.log_every, workers=args.workers, amp=not args.no_amp,
                        fresh=args.fresh)
    result = train_damsm(opts, settings.torch_device())
    if not result["main"]:
        return 0  # under torchrun, rank 0 reports
    _report_training(result, "voiceart train damsm")
    if not result["stopped"]:
        print(f"Next: voiceart train dmgan {args.data} --damsm {args.out} -o FOLDER")
    return 0


def run_train_dmgan(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart.text2image.train_dmgan import DMGANOptions, train_dmgan

    opts = DMGANOptions(data=args.data, out=args.out, damsm=args.damsm, text_encoder=args.text_encoder,
                        image_encoder=args.image_encoder, captions=args.captions, preset=args.preset, steps=args.steps,
                        epochs=args.epochs, batch_size=args.batch_size, seed=args.seed, init_netg=args.init_netg,
                        damsm_weight=args.damsm_weight, damsm_augment=args.damsm_augment, kinds=args.kinds,
                        paired_weight=args.paired_weight, save_every=args.save_every, sample_every=args.sample_every,
                        log_every=args.log_every, workers=args.workers, amp=not args.no_amp, fresh=args.fresh,
                        install_as=args.install_as)
    result = train_dmgan(opts, settings.torch_device(), settings=settings)
    if not result["main"]:
        return 0  # under torchrun, rank 0 reports
    _report_training(result, "voiceart train dmgan")
    if not result["stopped"]:
        if result["installed"]:
            print(f"Installed in {result['installed']}: voiceart generate \"...\" --preset {args.install_as} -o out.png")
        else:
            print(f"Draw with: voiceart generate \"...\" --model {args.out} -o out.png")
    return 0


def _report_training(result: dict, command: str) -> None:
    if result["stopped"]:
        print(f"Stopped at step {result['step']} of {result['total']}; everything is saved in {result['out']}. "
              f"Run the same {command} command again to go on.")
    else:
        print(f"Done: step {result['step']} of {result['total']}; results in {result['out']}.")


def run_train_probe(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart.text2image.probe import probe_accuracy, train_probe

    split = args.data / "probe" if (args.data / "probe" / "labels.json").is_file() else args.data
    probe = train_probe(split, args.backbone, settings, seed=args.seed)
    probe.save(args.out)
    print(f"Wrote {args.out}: {len(probe.kinds)} kinds of thing, "
          + ", ".join(f"{len(v)} {a} classes" for a, v in probe.classes.items()) + f", learned from {split} "
          f"({args.backbone} reader).")
    held_out = args.data / "val"
    if held_out is not split and (held_out / "labels.json").is_file():
        scores = probe_accuracy(probe, held_out, probe.reader(settings))
        print(f"On the real validation pictures: things found {scores.thing_recall:.1%}, "
              + ", ".join(f"{a} {v:.1%}" for a, v in scores.accuracy.items()) + ".")
    return 0


def run_eval_damsm(args: argparse.Namespace, settings: Settings) -> int:
    from voiceart.text2image.checkpoints import load_image_encoder, load_text_encoder
    from voiceart.text2image.config import get_preset
    from voiceart.text2image.data import load_dataset
    from voiceart.text2image.evaluate import damsm_r_precision
    from voiceart.text2image.vocab import load_captions

    folder = args.damsm
    for name in ("config.json", "captions.pickle", "text_encoder.pth", "image_encoder.pth"):
        if not (folder / name).is_file():
            raise VoiceartError(f"{folder} is not a DAMSM folder: {name} is missing (voiceart train damsm makes them).")
    device = settings.torch_device()
    config = get_preset(folder / "config.json")
    vocab = load_captions(folder / "captions.pickle").vocab
    text = load_text_encoder(folder / "text_encoder.pth", len(vocab), config).to(device)
    image = load_image_encoder(folder / "image_encoder.pth", config).to(device)
    examples, _ = load_dataset(args.data, config, "test", vocab)
    score, spread, candidates = damsm_r_precision(text, image, examples, config, device, count=args.count, seed=args.seed)
    print(f"DAMSM R-precision on {min(args.count, len(examples))} real pictures of {args.data}: {score * 100:.1f} ± "
          f"{spread * 100:.1f} % (own caption among {candidates}; chance {100 / candidates:.0f} %; "
          f"image encoder {config.IMAGE_ENCODER})")
    return 0

def run_eval_dmgan(args: argparse.Namespace, settings: Settings) -> int:
    import sys

    from voiceart import weights
    from voiceart.text2image.checkpoints import load_generator, load_image_encoder, load_text_encoder
    from voiceart.text2image.config import EVAL_WORDS_NUM, get_preset
    from voiceart.text2image.data import load_dataset
    from voiceart.text2image.evaluate import caption_texts, evaluate_dmgan, save_report, unknown_words
    from voiceart.text2image.grid import caption_grid
    from voiceart.text2image.vocab import load_captions

    if args.grid is not None and args.grid.suffix.lower() not in (".png", ".jpg", ".jpeg"):
        raise VoiceartError(f"The grid is written as a PNG or JPEG picture; name it .png or .jpg, not {args.grid.name}.")
    device = settings.torch_device()
    netg, encoder, captions = _model_files(args)
    netg, encoder, captions = weights.find_dmgan(settings, args.preset, netg, encoder, captions)
    config = None
    if args.preset:
        try:
            config = get_preset(args.preset)
        except VoiceartError:
            config = None
    if config is None and args.model is not None and (args.model / "config.json").is_file():
        config = get_preset(args.model / "config.json")
    vocab = load_captions(captions).vocab
    generator = load_generator(netg, config).to(device)
    config = config or generator.config
    text_encoder = load_text_encoder(encoder, len(vocab), generator.config).to(device)
    image_encoder = load_image_encoder(args.image_encoder, config).to(device) if args.image_encoder else None
    examples, _ = load_dataset(args.data, config, args.split, vocab)

    def progress(done, total):
        print(f"\r{done}/{total} pictures", end="", file=sys.stderr, flush=True)

    words_num = EVAL_WORDS_NUM.get(config.name)  # the official eval configs' caption lengths
    report = evaluate_dmgan(generator, text_encoder, image_encoder, examples, device, count=args.count,
                            batch_size=args.batch_size, seed=args.seed, inception=args.inception, lite0=not args.no_lite0,
                            settings=settings, save_dir=args.save_images, progress=progress, words_num=words_num,
                            baselines=not args.no_baselines)
    print(file=sys.stderr)
    if args.probe is not None:
        from voiceart.text2image.evaluate import untrained_generator
        from voiceart.text2image.probe import Probe, evaluate_probe

        untrained = None if args.no_baselines else untrained_generator(config, args.seed).to(device)
        probe_file = weights.find(weights.SCENE_PROBE, settings, None if args.probe is True else args.probe)
        probe = Probe.load(probe_file).to(device)
        report.probe = evaluate_probe(generator, text_encoder, vocab, args.data, probe,
                                      probe.reader(settings).to(device), device, count=args.count, seed=args.seed,
                                      batch_size=args.batch_size, words_num=words_num, untrained=untrained,
                                      progress=progress)
        print(file=sys.stderr)
    texts = caption_texts(args.data)
    if texts is not None:
        report.unknown_words = unknown_words(texts, vocab)
    if args.grid is not None:
        sheet, entries = caption_grid(generator, text_encoder, examples, vocab, device, seed=args.seed, words_num=words_num)
        _save_sheet(sheet, args.grid, {"Software": "voiceart", "model": str(netg), "seed": str(args.seed)})
        report.grid = {"file": str(args.grid), "captions": entries}
    for line in report.lines():
        print(line)
    if args.output:
        save_report(report, args.output)
        print(f"Wrote {args.output}")
    return 0


def _save_sheet(image, path: Path, metadata: dict[str, str]) -> None:
    """A PNG or a JPEG, by voiceart.images.picture_path's rule."""
    from voiceart.images import save_picture

    save_picture(image, path, metadata)
