"""KernelBench-style (level 2): conv, plus a separate bias parameter, then GELU."""

import torch


class Model(torch.nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, bias_shape):
        super().__init__()
        self.conv = torch.nn.Conv2d(in_channels, out_channels, kernel_size)
        self.bias = torch.nn.Parameter(torch.randn(bias_shape))

    def forward(self, x):
        return torch.nn.functional.gelu(self.conv(x) + self.bias)


def get_init_inputs():
    return [3, 16, 3, (16, 1, 1)]


def get_inputs():
    return [torch.randn(2, 3, 24, 24)]
