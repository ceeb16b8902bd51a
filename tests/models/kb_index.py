"""Integer-index model: embedding lookup, index_select and gather with int64 index inputs."""

import torch


class Model(torch.nn.Module):
    def __init__(self, vocab: int, dim: int):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab, dim)

    def forward(self, tokens, rows, positions):
        e = self.embedding(tokens)  # [4, 8, dim]
        picked = torch.index_select(e, 1, rows)  # [4, 3, dim]
        gathered = torch.gather(e.sum(-1), 1, positions)  # [4, 5]
        return picked, gathered, tokens.max(dim=1).indices


def get_init_inputs():
    return [50, 16]


def get_inputs():
    return [
        torch.randint(0, 50, (4, 8)),
        torch.tensor([0, 5, 7]),
        torch.randint(0, 8, (4, 5)),
    ]
