"""KernelBench-style: a linear layer returning two tensors (a tuple)."""

import torch


class Model(torch.nn.Module):
    def __init__(self, features: int):
        super().__init__()
        self.linear = torch.nn.Linear(features, features)

    def forward(self, x):
        y = self.linear(x)
        return torch.tanh(y), y.abs().max(dim=-1).values


def get_init_inputs():
    return [48]


def get_inputs():
    return [torch.randn(6, 48)]
