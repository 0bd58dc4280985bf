"""The grid of held-out captions: each drawn by the model beside the real picture it was written for,
chosen by the seed (not by hand), with the words the model read under each pair. Also the sheet that
tools/make_everyday_grid.py fills with everyday descriptions."""
from __future__ import annotations

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from voiceart.text2image.data import CaptionDataset
from voiceart.text2image.evaluate import generate_pictures
from voiceart.text2image.sample import to_pil


def grid_picks(examples, seed: int, n: int = 16) -> list[tuple[int, int]]:
    """(example, caption) pairs: ``n`` different pictures and one caption of each, chosen by the seed."""
    rng = np.random.default_rng([seed, 16])  # a stream of its own: the measurement's picks stay as they were
    chosen = rng.choice(len(examples), size=min(n, len(examples)), replace=False)
    return [(int(i), int(rng.integers(len(examples[int(i)].captions)))) for i in chosen]


def caption_grid(generator, text_encoder, examples, vocab, device, seed: int = 0, n: int = 16,
                 words_num: int | None = None, columns: int = 4):
    """``n`` held-out captions chosen by the seed, each drawn by the generator (left) beside the real
    picture it was written for (right), the words the model read under them: (the sheet, a list of
    {"number", "picture", "caption"})."""
    picks = grid_picks(examples, seed, n)
    n_words = words_num or generator.config.WORDS_NUM
    caps = [examples[i].captions[j][:n_words] for i, j in picks]
    generator.eval(), text_encoder.eval()
    fakes = to_pil(generate_pictures(generator, text_encoder, caps, device, torch.Generator().manual_seed(seed)))
    size = fakes[0].width
    real = CaptionDataset(examples, generator.config, seed=seed, augment=False, sizes=[size], cache_images=False)
    reals = to_pil(torch.stack([real.images(i, None)[0] for i, _ in picks]))
    entries = [{"number": k + 1, "picture": examples[i].image_path.name, "caption": " ".join(vocab.decode(c))}
               for k, ((i, _), c) in enumerate(zip(picks, caps))]
    title = f"Left: drawn from the caption (seed {seed}). Right: the held-out picture the caption was written for."
    return draw_grid(list(zip(fakes, reals)), [f"{e['number']}. {e['caption']}" for e in entries], columns, title), entries


def _font(size: int):
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size)


def _wrap(text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and font.getlength(trial) > width:
            lines.append(line)
            trial = word
        line = trial
    return lines + [line]


def draw_grid(pairs, captions: list[str], columns: int = 4, title: str = ""):
    """A white sheet of picture pairs side by side, each pair's caption wrapped under it, a title on top."""
    size, gap, pad, font_size = pairs[0][0].width, 4, 14, 13
    font, line_h = _font(font_size), font_size + 4
    cell = 2 * size + gap
    wrapped = [_wrap(c, font, cell) for c in captions]
    text_h = max(len(w) for w in wrapped) * line_h + 4
    rows = -(-len(pairs) // columns)
    head = line_h + pad if title else 0
    sheet = Image.new("RGB", (columns * cell + (columns + 1) * pad, head + rows * (size + 4 + text_h) + (rows + 1) * pad), "white")
    draw = ImageDraw.Draw(sheet)
    if title:
        draw.text((pad, pad), title, fill=(0, 0, 0), font=font)
    for k, ((left, right), lines) in enumerate(zip(pairs, wrapped)):
        x = pad + (k % columns) * (cell + pad)
        y = head + pad + (k // columns) * (size + 4 + text_h + pad)
        sheet.paste(left, (x, y))
        sheet.paste(right.resize(left.size), (x + size + gap, y))
        for n, text in enumerate(lines):
            draw.text((x, y + size + 4 + n * line_h), text, fill=(20, 20, 20), font=font)
    return sheet
