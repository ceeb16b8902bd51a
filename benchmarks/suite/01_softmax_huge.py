"""Softmax along dim 1 over a 4096 x 393216 input (6.4 GB per tensor)."""

import torch

batch_size = 4096
dim = 393216


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.softmax(x, dim=1)


def get_inputs():
    return [torch.randn(batch_size, dim)]


def get_init_inputs():
    return []
