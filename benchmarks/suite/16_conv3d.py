"""Conv3d 3x3x3, 3 -> 16 channels, on an (8, 3, 32, 64, 64) input (13 MB in, 59 MB out)."""

import torch

batch_size = 8
in_channels = 3
out_channels = 16
depth = 32
height = 64
width = 64
kernel_size = 3


class Model(torch.nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size):
        super().__init__()
        self.conv = torch.nn.Conv3d(in_channels, out_channels, kernel_size)

    def forward(self, x):
        return self.conv(x)


def get_inputs():
    return [torch.randn(batch_size, in_channels, depth, height, width)]


def get_init_inputs():
    return [in_channels, out_channels, kernel_size]
