"""The scene data set builder: seeded scenes -> drawn pictures + captions, in the folder layout
that ``voiceart.text2image.data`` reads (``train/``, ``val/``, ``test/`` and ``probe/``, each with
the pictures, a ``captions.txt`` of ``file<TAB>caption<TAB>class`` lines and a ``labels.json`` of
what each picture shows), a ``kinds.json`` of the things' names and a ``stats.json``.

The splits have one use each: ``train`` teaches the DAMSM and the generator; ``val`` chooses among
models and steps; ``test`` is reported; ``probe`` teaches only the classifier that checks generated
pictures (``voiceart.text2image.probe``), so that checker has never seen what the models learned from.

Picture ``i`` of a split depends only on (seed, split, i), so the same seed gives the same bytes,
with one process or several. The test and val splits are drawn first; a training caption that
equals one of theirs is never written (the scene gets other captions, or is drawn anew).
"""
from __future__ import annotations

import json
import re
import shutil
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable

import numpy as np

from voiceart.errors import VoiceartError
from voiceart.text2image.scenes import emoji
from voiceart.text2image.scenes.captions import Writer, captions, plain
from voiceart.text2image.scenes.palette import BASE_OF
from voiceart.text2image.scenes.render import render
from voiceart.text2image.scenes.spec import Scene, sample_scene
from voiceart.text2image.scenes.things import KINDS, Kind

CAPTIONS_PER_IMAGE = 6
SPLITS = {"train": 0, "test": 1, "val": 2, "probe": 3}
VERSION = 2   # 1: about 520 kinds, things 10-20 px tall; 2: a large subject of 32 kinds in every picture


def scene_class(scene: Scene) -> str:
    """What a picture shows, as one label: pictures with the same label are not wrong answers for each other."""
    things = sorted(f"{g.count} {BASE_OF[g.colour]} {g.kind.nouns[0]}" for g in scene.groups)
    return "|".join([scene.time, scene.weather, scene.land.terrain, *things])


def make_example(seed: int, split: str, index: int, kinds: list[Kind], avoid: set[str] = frozenset()):
    """(scene, captions, attempts) of picture ``index`` of a split; drawn anew while it cannot get enough
    captions outside ``avoid`` (the test split's captions)."""
    for attempt in range(20):
        key = [seed, SPLITS[split], index] + ([attempt] if attempt else [])
        scene = sample_scene(np.random.default_rng(key + [0]), kinds)
        texts = captions(scene, np.random.default_rng(key + [1]), CAPTIONS_PER_IMAGE, avoid)
        if len(texts) >= CAPTIONS_PER_IMAGE:
            return scene, texts, attempt + 1
    raise VoiceartError(f"Picture {index} of the {split} split could not be given captions unlike the test split's.")


def _work(job) -> list[tuple[str, list[str], str, dict]]:
    """Draw and write a run of pictures; returns their names, captions, classes and what they show."""
    folder, seed, split, indices, size, kinds, avoid = job
    out = []
    for i in indices:
        scene, texts, attempts = make_example(seed, split, i, kinds, avoid)
        name = f"scene{i:05d}.png"
        render(scene, size).save(Path(folder) / name)
        plain_caption = plain(Writer(scene, np.random.default_rng(0)))
        out.append((name, texts, scene_class(scene), _summary(scene, attempts, plain_caption in avoid)))
    return out


def labels(scene: Scene) -> dict:
    """What the picture shows, as the probe classifier learns and checks it."""
    return {"time": scene.time, "weather": scene.weather, "terrain": scene.land.terrain,
            "things": [g.kind.key for g in scene.groups], "subject": scene.groups[0].kind.key if scene.groups else None}


def _summary(scene: Scene, attempts: int, plain_held_out: bool) -> dict:
    return {**labels(scene), "backdrop": scene.land.backdrop or "none", "groups": [g.kind.group for g in scene.groups],
            "emoji": sum(1 for g in scene.groups if g.kind.emoji), "count": len(scene.groups),
            "redrawn": attempts > 1, "plain_held_out": plain_held_out}


def load_kinds(cache_dir: Path, use_emoji: bool, report: Callable[[str], None]) -> list[Kind]:
    """The emoji kinds, or none (with one sentence saying why) when they cannot be had."""
    if not use_emoji:
        return []
    try:
        return emoji.catalogue(emoji.fetch(cache_dir))
    except emoji.EmojiUnavailable as exc:
        report(str(exc))
        return []


def _prepare(folder: Path, overwrite: bool) -> None:
    if folder.exists() and any(folder.iterdir()):
        ours = (folder / "stats.json").is_file()
        if not (overwrite and ours):
            raise VoiceartError(f"{folder} is not empty; " + ("add --overwrite to build the data set again there."
                                if ours else "choose a new folder for the data set."))
        for part in SPLITS:
            shutil.rmtree(folder / part, ignore_errors=True)
        (folder / "stats.json").unlink()
    for part in SPLITS:
        (folder / part).mkdir(parents=True, exist_ok=True)


def _split(folder: Path, seed: int, split: str, count: int, size: int, kinds, avoid, workers: int,
           report: Callable[[str], None]) -> list:
    chunk = 250
    jobs = [(str(folder / split), seed, split, range(a, min(count, a + chunk)), size, kinds, avoid)
            for a in range(0, count, chunk)]
    rows, start = [], time.perf_counter()
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = pool.map(_work, jobs)
            for r in results:
                rows.extend(r)
                _progress(report, split, len(rows), count, start)
    else:
        for job in jobs:
            rows.extend(_work(job))
            _progress(report, split, len(rows), count, start)
    lines = [f"{name}\t{text}\t{label}" for name, texts, label, _ in rows for text in texts]
    (folder / split / "captions.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    keys = ("time", "weather", "terrain", "things", "subject")
    shown = {name: {k: summary[k] for k in keys} for name, _, _, summary in rows}
    (folder / split / "labels.json").write_text(json.dumps(shown, indent=0) + "\n", encoding="utf-8")
    return rows


def _progress(report, split: str, done: int, count: int, start: float) -> None:
    if done % 2000 < 250 or done == count:
        rate = done / max(1e-9, time.perf_counter() - start)
        report(f"{split}: {done} of {count} pictures ({rate:.0f} a second)")


def _stats(rows_by_split: dict, size: int, seed: int, kinds: list[Kind]) -> dict:
    words = {s: Counter(w for _, texts, _, _ in rows for t in texts for w in re.findall(r"\w+", t.lower()))
             for s, rows in rows_by_split.items()}
    stats = {"version": VERSION, "seed": seed, "size": size, "emoji": bool(kinds), "emoji_kinds": len(kinds),
             "captions_per_image": CAPTIONS_PER_IMAGE,
             "vocabulary": len(set(words["train"]) | set(words["test"])), "vocabulary_train": len(words["train"]),
             "test_words_not_in_train": sorted(set(words["test"]) - set(words["train"]))}
    for split, rows in rows_by_split.items():
        summaries = [r[3] for r in rows]
        stats[split] = {
            "images": len(rows), "captions": sum(len(r[1]) for r in rows), "classes": len({r[2] for r in rows}),
            "mean_caption_words": round(float(np.mean([len(t.split()) for r in rows for t in r[1]])) if rows else 0.0, 2),
            **{key: dict(sorted(Counter(s[key] for s in summaries).items())) for key in ("time", "weather", "terrain", "backdrop", "count")},
            "groups": dict(sorted(Counter(g for s in summaries for g in s["groups"]).items())),
            "kinds": dict(sorted(Counter(k for s in summaries for k in s["things"]).items())),
            "subjects": dict(sorted(Counter(s["subject"] for s in summaries).items())),
            "images_with_emoji": sum(1 for s in summaries if s["emoji"]),
            "drawn_anew_for_test_captions": sum(1 for s in summaries if s["redrawn"]),
            "plain_caption_held_out": sum(1 for s in summaries if s["plain_held_out"]),
        }
    return stats


def kind_names(kinds) -> dict[str, dict]:
    """Every kind of thing a scene may hold, drawn and emoji, with the words that name it (kinds.json):
    how the probe knows which things a sentence names."""
    every = {k.key: k for k in list(KINDS.values()) + list(kinds)}
    return {key: {"nouns": list(k.nouns), "plurals": list(k.plurals), "group": k.group} for key, k in every.items()}


def build(folder: Path, count: int = 32000, test_count: int = 1000, size: int = 128, seed: int = 0,
          use_emoji: bool = True, cache_dir: Path | None = None, workers: int = 1, overwrite: bool = False,
          report: Callable[[str], None] = print, val_count: int = 1000, probe_count: int = 4000) -> dict:
    """Write the data set into ``folder``; returns its statistics (also written to stats.json)."""
    if count < 1 or test_count < 1 or val_count < 1 or probe_count < 1:
        raise VoiceartError("The data set needs at least one training, test, validation and probe picture.")
    if size < 32 or size % 2:
        raise VoiceartError(f"The picture size must be an even number of at least 32 pixels, not {size}.")
    folder = Path(folder)
    _prepare(folder, overwrite)
    kinds = load_kinds(cache_dir, use_emoji, report)
    rows = {"test": _split(folder, seed, "test", test_count, size, kinds, frozenset(), workers, report),
            "val": _split(folder, seed, "val", val_count, size, kinds, frozenset(), workers, report)}
    avoid = frozenset(t for split in ("test", "val") for _, texts, _, _ in rows[split] for t in texts)
    rows["train"] = _split(folder, seed, "train", count, size, kinds, avoid, workers, report)
    rows["probe"] = _split(folder, seed, "probe", probe_count, size, kinds, frozenset(), workers, report)
    (folder / "kinds.json").write_text(json.dumps(kind_names(kinds), indent=1) + "\n", encoding="utf-8")
    stats = _stats(rows, size, seed, kinds)
    (folder / "stats.json").write_text(json.dumps(stats, indent=1) + "\n", encoding="utf-8")
    return stats
