"""KernelBench-style: layer normalization over the last two dimensions (a tuple init input)."""

import torch


class Model(torch.nn.Module):
    def __init__(self, normalized_shape: tuple):
        super().__init__()
        self.norm = torch.nn.LayerNorm(normalized_shape)

    def forward(self, x):
        return self.norm(x)


def get_init_inputs():
    return [(32, 64)]


def get_inputs():
    return [torch.randn(4, 32, 64)]
