"""Test model whose compiled output cannot match eager: random numbers drawn inside forward().

torch eager draws from torch's generator, the compiled module from IREE's: same shapes,
different values, so the check must fail.
"""

import torch


class Model(torch.nn.Module):
    def forward(self, x):
        return x + torch.rand_like(x)


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(4, 4)]
