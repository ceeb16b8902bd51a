"""Pointwise (1x1) convolution on a batch: a matmul in convolution's clothing, 256 -> 512."""

import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(256, 512, kernel_size=1)

    def forward(self, x):
        return self.conv(x)


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(16, 256, 28, 28)]
