"""Cholesky of 16 SPD 256 x 256 matrices (a @ a.T + n*I, built in forward) (4 MB; unsupported)."""

import torch

batch_size = 16
n = 256


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, a):
        size = a.shape[-1]
        spd = a @ a.mT + size * torch.eye(size, dtype=a.dtype, device=a.device)
        return torch.linalg.cholesky(spd)


def get_inputs():
    return [torch.randn(batch_size, n, n)]


def get_init_inputs():
    return []
