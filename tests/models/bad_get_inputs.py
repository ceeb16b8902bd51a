"""Test model whose get_inputs() raises (a shape typo)."""

import torch


class Model(torch.nn.Module):
    def forward(self, x):
        return x * 2


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(4, 4).view(3, 5)]
