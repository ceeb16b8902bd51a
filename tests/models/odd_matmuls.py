"""Test model: matmuls of odd sizes (37x53 @ 53x29, then a batched 3x29x13), plus a bias."""

import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.randn(3, 29, 13))
        self.bias = torch.nn.Parameter(torch.randn(13))

    def forward(self, a, b):
        x = torch.matmul(a, b)  # 37x29
        return torch.matmul(x.expand(3, 37, 29), self.w) + self.bias


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(37, 53), torch.randn(53, 29)]
