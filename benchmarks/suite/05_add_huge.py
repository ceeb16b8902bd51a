"""Elementwise add of two 16384 x 131072 tensors (8.6 GB per tensor, 25.8 GB in all)."""

import torch

batch_size = 16384
dim = 131072


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, a, b):
        return a + b


def get_inputs():
    return [torch.randn(batch_size, dim), torch.randn(batch_size, dim)]


def get_init_inputs():
    return []
