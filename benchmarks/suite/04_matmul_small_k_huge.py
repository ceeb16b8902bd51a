"""Matmul with a small K, (32768 x 64) @ (64 x 32768): 8 MB inputs, a 4.3 GB output."""

import torch

M = 32768
K = 64
N = 32768


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, a, b):
        return torch.matmul(a, b)


def get_inputs():
    return [torch.randn(M, K), torch.randn(K, N)]


def get_init_inputs():
    return []
