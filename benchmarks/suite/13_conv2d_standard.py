"""Conv2d 3x3, 3 -> 64 channels, no padding, on a (16, 3, 128, 128) input (3 MB in, 65 MB out)."""

import torch

batch_size = 16
in_channels = 3
out_channels = 64
height = 128
width = 128
kernel_size = 3


class Model(torch.nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size):
        super().__init__()
        self.conv = torch.nn.Conv2d(in_channels, out_channels, kernel_size)

    def forward(self, x):
        return self.conv(x)


def get_inputs():
    return [torch.randn(batch_size, in_channels, height, width)]


def get_init_inputs():
    return [in_channels, out_channels, kernel_size]
