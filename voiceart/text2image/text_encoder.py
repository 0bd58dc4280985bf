"""The DAMSM text encoder (AttnGAN, Xu et al. 2018), as DM-GAN uses it.

A word embedding (300 numbers a word in the released encoders) and a bidirectional LSTM of
EMBEDDING_DIM / 2 units each way. The LSTM's outputs are the word features (B x 256 x L);
its last hidden states of both directions, side by side, are the sentence feature (B x 256).
Parameter names match the official ``RNN_ENCODER`` (``encoder.weight``, ``rnn.weight_ih_l0``,
``rnn.weight_hh_l0_reverse`` ...), so ``text_encoder200.pth`` / ``text_encoder100.pth`` load.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class RNN_ENCODER(nn.Module):
    def __init__(self, ntoken: int, ninput: int = 300, drop_prob: float = 0.5, nhidden: int = 256,
                 nlayers: int = 1, bidirectional: bool = True, rnn_type: str = "LSTM"):
        super().__init__()
        self.ntoken, self.ninput, self.drop_prob, self.nlayers = ntoken, ninput, drop_prob, nlayers
        self.bidirectional, self.rnn_type = bidirectional, rnn_type
        self.num_directions = 2 if bidirectional else 1
        self.nhidden = nhidden // self.num_directions  # per direction
        self.encoder = nn.Embedding(ntoken, ninput)
        self.drop = nn.Dropout(drop_prob)
        rnn = {"LSTM": nn.LSTM, "GRU": nn.GRU}[rnn_type]
        # The official code passes dropout to a one-layer LSTM, where it does nothing.
        self.rnn = rnn(ninput, self.nhidden, nlayers, batch_first=True,
                       dropout=drop_prob if nlayers > 1 else 0.0, bidirectional=bidirectional)
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)

    @property
    def output_dim(self) -> int:
        return self.nhidden * self.num_directions

    def forward(self, captions: torch.Tensor, cap_lens: torch.Tensor):
        """captions: B x T word ids (0 pads); cap_lens: B lengths (any order, each >= 1).

        Returns word features B x EMBEDDING_DIM x max(cap_lens) and sentence features B x EMBEDDING_DIM.
        """
        emb = self.drop(self.encoder(captions))
        lengths = cap_lens.detach().to("cpu", torch.int64)
        packed = pack_padded_sequence(emb, lengths, batch_first=True, enforce_sorted=False)
        output, hidden = self.rnn(packed)
        output = pad_packed_sequence(output, batch_first=True)[0]
        words_emb = output.transpose(1, 2)
        h_n = hidden[0] if self.rnn_type == "LSTM" else hidden
        # h_n: (layers * directions) x B x H; the last layer's directions, side by side.
        sent_emb = h_n[-self.num_directions:].transpose(0, 1).reshape(-1, self.output_dim)
        return words_emb, sent_emb


def padding_mask(captions: torch.Tensor, n_words: int) -> torch.Tensor:
    """True where a caption is padding (word id 0, the official '<end>'), cut to the features' length."""
    return (captions == 0)[:, :n_words]
