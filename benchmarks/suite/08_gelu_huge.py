"""GELU (erf) over a 4096 x 655360 input (10.7 GB per tensor)."""

import torch

batch_size = 4096
dim = 655360


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.nn.functional.gelu(x)


def get_inputs():
    return [torch.randn(batch_size, dim)]


def get_init_inputs():
    return []
