"""Softmax and log_softmax along dim 1 of a 1024 x 8192 input (34 MB in, 67 MB out)."""

import torch

batch_size = 1024
dim = 8192


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.softmax(x, dim=1), torch.log_softmax(x, dim=1)


def get_inputs():
    return [torch.randn(batch_size, dim)]


def get_init_inputs():
    return []
