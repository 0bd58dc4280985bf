"""Check a command against the audio, not only against the text Whisper wrote.

Greedy decoding gives one guess, and a guess that is a sentence ("Donate down.", "Same this
picture.") or another command ("New." for "undo") would be acted on. So when the free transcription
is not a confident command, the phrases that make sense at this moment (the grammar's command
phrases for what the session expects, the style names, the numbers of the listed styles) are scored
by Whisper's own decoder on the same audio: the sum of the log-probabilities of each phrase's
tokens, teacher-forced, in one batched pass. The free text is scored in the same pass, so the two
are comparable, and :func:`decide` picks the free text, the best phrase, or a question.

The pass reuses what the free decode computed (the keys and values of the audio and of the prompt),
and the phrases share their common beginnings: every phrase is a path in one token tree whose
nodes see the prompt and their own ancestors only, so "Save." and "Save it." cost one "Save".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from voiceart import vocabulary
from voiceart.speech import grammar
from voiceart.vocabulary import Command, Expecting

# The decision, calibrated on the development set (tools/speech_accuracy.py --calibrate; the figures
# are in docs/speech-accuracy.md). Scores are sums of natural-log probabilities over whole utterances.
# Scores are sums of natural-log probabilities over whole utterances (end of text included), divided by
# their number of tokens to the power LENGTH_POWER. An average favours long, predictable phrases
# ("Post-Impressionism."), a sum short ones; with texts of MAX_WORDS at most, the plain sum won.
CONFIDENT_LOGPROB = -0.3  # a sure command whose text Whisper wrote with at least this average is not checked
# Nor is a longer text, unless it names a style after "paint it in the style of the ...": a phrase
# short and predictable ("Post-Impressionism.") can outscore an unsure sentence token for token, but
# commands are short, and a sentence is a scene.
MAX_WORDS = 4
LENGTH_POWER = 0.0
ACT_GAP = 1.0  # the best phrase is acted on when the free text explains the audio at most this much better ...
ACT_MARGIN = 6.0  # ... and no other command's phrase comes within this of it
ASK_GAP = 6.0  # within this, the best phrase is asked about ("Did you mean 'undo'?"); beyond, the free text stands
PHRASES_PER_COMMAND = 3  # the command phrases written most like the free text, beside the canonical one
QUESTION_WORDS = {"what", "which", "how", "who", "where", "why", "when"}


@dataclass
class Audio:
    """The decoder's state on one utterance, kept from its free decode: the tokens before the text
    (prompt, start of transcript) and, per decoder block, the self-attention keys and values of those
    tokens and the cross-attention keys and values of the audio."""

    prefix: list[int]
    self_kv: list[tuple]
    cross_kv: list[tuple]

    @classmethod
    def kept(cls, model, prefix: Sequence[int], cache: dict) -> "Audio":
        blocks = model.decoder.blocks
        n = len(prefix) - 1  # the last prefix token is scored again: its output predicts the first text token
        return cls(list(prefix), [(cache[b.attn.key][:1, :n], cache[b.attn.value][:1, :n]) for b in blocks],
                   [(cache[b.cross_attn.key][:1], cache[b.cross_attn.value][:1]) for b in blocks])


def written(phrase: str) -> str:
    """A phrase as Whisper writes it after voiceart's prompt: "what can i do" -> " What can I do?"."""
    text = re.sub(r"\bi\b", "I", phrase)
    text = text[:1].upper() + text[1:]
    return " " + text + ("?" if phrase.split()[0] in QUESTION_WORDS else ".")


def candidates(heard: str, expecting: Expecting, styles: Sequence[str], numbered: Sequence[str]) -> dict[str, Command]:
    """Written phrase -> the command it is: what may be said while the session expects ``expecting``."""
    said = "".join(vocabulary.words(heard))
    out: dict[str, Command] = {}
    if expecting is Expecting.ASLEEP:
        names = ["wake"]
    else:
        names = [n for n in vocabulary.PHRASES if (n in ("yes", "no")) == (expecting is Expecting.YES_NO) or n == "cancel"]
    for name in names:
        phrases = vocabulary.PHRASES[name]
        alike = sorted(phrases, key=lambda p: -vocabulary.ratio(said, p.replace(" ", "")))
        for phrase in {vocabulary.SPOKEN[name].lower(), *alike[:PHRASES_PER_COMMAND]}:
            out[written(phrase)] = Command(name)
    if expecting not in (Expecting.YES_NO, Expecting.ASLEEP):
        carrier = _style_carrier(heard)
        carriers = {carrier, *(c[:1].upper() + c[1:] for c in vocabulary.STYLE_CARRIERS)} if carrier else set()
        for style in styles:
            out[f" {style}."] = Command("style", style)
            for words in carriers:
                out[f" {words} {style}."] = Command("style", style)
        for number in range(1, len(numbered) + 1):
            word = next(w for w, n in vocabulary.NUMBERS.items() if n == number)
            out[f" Number {word}."] = Command("choose", str(number))
    return out


def _style_carrier(heard: str) -> str:
    """The words before a style name in "Paint it in the style of the broke.": "Paint it in the style of the"."""
    parts = re.findall(r"\S+", heard)
    n = 0
    while n < len(parts) - 1 and all(w in vocabulary.STYLE_WORDS for w in vocabulary.words(parts[n])):
        n += 1
    return " ".join(parts[:n]) if n >= 2 else ""


def scores(model, audio: Audio, sequences: Sequence[Sequence[int]]) -> list[float]:
    """The sum of log-probabilities of each token sequence after ``audio.prefix``, in one pass.

    The sequences form a tree (shared beginnings computed once); a node attends to the prompt (its
    kept keys and values) and to its ancestors. Only nodes with children are projected onto the
    vocabulary: that projection (51,865 logits a node) is most of the cost."""
    import torch
    import torch.nn.functional as F

    root = audio.prefix[-1]
    tokens, parents, depth, index, paths = [root], [-1], [0], {}, []
    for seq in sequences:
        node, path = 0, []
        for t in seq:
            if (node, t) not in index:
                index[(node, t)] = len(tokens)
                tokens.append(t)
                parents.append(node)
                depth.append(depth[node] + 1)
            node = index[(node, t)]
            path.append(node)
        paths.append(path)
    m, n_prefix = len(tokens), len(audio.prefix) - 1
    seen = torch.zeros(m, n_prefix + m, dtype=torch.bool)
    seen[:, :n_prefix] = True
    for i in range(m):
        j = i
        while j >= 0:
            seen[i, n_prefix + j] = True
            j = parents[j]
    decoder = model.decoder
    device = decoder.token_embedding.weight.device
    dtype = decoder.token_embedding.weight.dtype
    seen = seen.to(device)
    heads = model.dims.n_text_head

    def attend(q, k, v, mask=None):
        split = lambda t: t.view(t.shape[0], -1, heads, t.shape[-1] // heads).transpose(1, 2)  # noqa: E731
        out = F.scaled_dot_product_attention(split(q), split(k), split(v), attn_mask=mask)
        return out.transpose(1, 2).flatten(2)

    with torch.inference_mode():
        ids = torch.tensor(tokens, device=device)
        x = (decoder.token_embedding(ids) + decoder.positional_embedding[n_prefix + torch.tensor(depth, device=device)])
        x = x.to(dtype)[None]
        for block, (k0, v0), (ck, cv) in zip(decoder.blocks, audio.self_kv, audio.cross_kv):
            h = block.attn_ln(x)
            k = torch.cat([k0.to(dtype), block.attn.key(h)], dim=1)
            v = torch.cat([v0.to(dtype), block.attn.value(h)], dim=1)
            x = x + block.attn.out(attend(block.attn.query(h), k, v, seen))
            h = block.cross_attn_ln(x)
            x = x + block.cross_attn.out(attend(block.cross_attn.query(h), ck.to(dtype), cv.to(dtype)))
            x = x + block.mlp(block.mlp_ln(x))
        inner = sorted({p for p in parents if p >= 0})
        row = {node: i for i, node in enumerate(inner)}
        hidden = decoder.ln(x[0, inner])
        logprobs = F.log_softmax((hidden @ decoder.token_embedding.weight.to(hidden.dtype).T).float(), dim=-1)
        lp = [0.0] * m
        picked = logprobs[[row[parents[i]] for i in range(1, m)], tokens[1:]].tolist()
        lp[1:] = picked
    return [sum(lp[node] for node in path) for path in paths]


@dataclass
class Checked:
    """What the audio says of one utterance: the free text's log-probability and each command's best
    phrase's, each with its number of tokens."""

    free: tuple[float, int]
    best: dict[tuple, tuple[float, int, Command]]  # (name, argument) -> (log-probability, tokens, command)


def check(transcriber, transcript, expecting: Expecting, styles: Sequence[str], numbered: Sequence[str]) -> Checked:
    """Score the free text and every phrase that makes sense now on the transcript's audio."""
    phrases = candidates(transcript.text, expecting, styles, numbered)
    tokenizer = transcriber.tokenizer
    sequences = [tokenizer.encode(t) + [tokenizer.eot] for t in [" " + transcript.text.strip(), *phrases]]
    with transcriber.busy:
        found = scores(transcriber.model, transcript.audio, sequences)
    best: dict[tuple, tuple[float, int, Command]] = {}
    for score, seq, command in zip(found[1:], sequences[1:], phrases.values()):
        key = (command.name, command.argument)
        if key not in best or normal(score, len(seq)) > normal(*best[key][:2]):
            best[key] = (score, len(seq), command)
    return Checked((found[0], len(sequences[0])), best)


def normal(logprob: float, tokens: int, power: float = LENGTH_POWER) -> float:
    return logprob / tokens ** power


def decide(parsed: Command, checked: Checked | None, act_gap: float = ACT_GAP, act_margin: float = ACT_MARGIN,
           ask_gap: float = ASK_GAP, power: float = LENGTH_POWER, may_act: bool = True) -> Command:
    """The free text's command, the best phrase's (acted on or asked about), or the free text's as it is.

    The best phrase is acted on only when it explains the audio nearly as well as the free text and
    clearly better than any other command; a close call is a question, never a different action.
    A free text that is itself a sure command counts as a phrase of its command. Without ``may_act``
    (a scene said while one is expected) the best phrase is at most asked about."""
    if checked is None or not checked.best:
        return parsed
    free = normal(*checked.free, power)
    scored = {key: normal(lp, n, power) for key, (lp, n, _) in checked.best.items()}
    commands = {key: command for key, (_, _, command) in checked.best.items()}
    said = (parsed.name, parsed.argument)
    if parsed.sure and parsed.name != "describe":
        scored[said] = max(scored.get(said, free), free)
        commands.setdefault(said, parsed)
    ranked = sorted(scored, key=scored.get, reverse=True)
    top = ranked[0]
    runner_up = scored[ranked[1]] if len(ranked) > 1 else float("-inf")
    gap, clear = free - scored[top], scored[top] - runner_up >= act_margin
    if gap > ask_gap:
        return parsed
    if top == said and parsed.sure:
        return parsed if clear else _ask(commands[top])
    if may_act and gap <= act_gap and clear:
        return Command(top[0], top[1], confidence=0.9)
    return _ask(commands[top])


def _ask(command: Command) -> Command:
    if command.name == "style":
        said = command.argument
    elif command.name == "choose":
        said = f"number {command.argument}"
    else:
        said = f"'{vocabulary.SPOKEN.get(command.name, command.name)}'"
    return Command(command.name, command.argument, confidence=0.6, question=f"Did you mean {said}?")


def confident(parsed: Command, avg_logprob: float, expecting: Expecting, threshold: float = CONFIDENT_LOGPROB) -> bool:
    """A command the grammar is sure of, in a text Whisper was sure of, that does something now:
    nothing to check. "Wake up" while awake changes nothing, and "Start listening." is how Whisper
    mishears "stop listening" in fast speech, so it is checked against the audio like any unsure text."""
    idle = parsed.name == "wake" and expecting is not Expecting.ASLEEP
    return parsed.sure and parsed.name != "describe" and avg_logprob >= threshold and not idle


def worth_checking(text: str, max_words: int = MAX_WORDS) -> bool:
    """Short enough to be a command, or a style named after its carrier words."""
    return 0 < len(vocabulary.words(text)) <= max_words or bool(_style_carrier(text))


def understand(transcriber, transcript, expecting: "Expecting | str", styles: Sequence[str] = (),
               numbered: Sequence[str] = ()) -> Command:
    """The command of one transcript, checked against its audio when the text alone is not confident."""
    expecting = Expecting.parse(expecting)
    parsed = grammar.parse(transcript.text, expecting, styles, numbered)
    if transcript.audio is None or not worth_checking(transcript.text) or confident(parsed, transcript.avg_logprob, expecting):
        return parsed
    may_act = not (expecting is Expecting.DESCRIPTION and parsed.name == "describe")
    return decide(parsed, check(transcriber, transcript, expecting, styles, numbered), may_act=may_act)
