"""KernelBench-style: matrix multiplication of two inputs, no parameters."""

import torch


class Model(torch.nn.Module):
    def forward(self, a, b):
        return torch.matmul(a, b)


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(64, 128), torch.randn(128, 32)]
