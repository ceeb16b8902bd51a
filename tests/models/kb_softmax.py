"""KernelBench-style: softmax over a dimension given to the constructor; functional only."""

import torch
import torch.nn.functional as F


class Model(torch.nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, dim=self.dim)


def get_init_inputs():
    return [-1]


def get_inputs():
    return [torch.randn(16, 1024) * 4]
