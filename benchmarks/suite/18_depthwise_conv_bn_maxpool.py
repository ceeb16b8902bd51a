"""Depthwise conv 3x3 + BatchNorm2d + ReLU + MaxPool2d(2) on (16, 64, 128, 128) (67 MB in)."""

import torch

batch_size = 16
channels = 64
height = 128
width = 128
kernel_size = 3
pool_size = 2


class Model(torch.nn.Module):
    def __init__(self, channels, kernel_size, pool_size):
        super().__init__()
        self.conv = torch.nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2,
                                    groups=channels)
        self.bn = torch.nn.BatchNorm2d(channels)
        self.pool = torch.nn.MaxPool2d(pool_size)

    def forward(self, x):
        return self.pool(torch.relu(self.bn(self.conv(x))))


def get_inputs():
    return [torch.randn(batch_size, channels, height, width)]


def get_init_inputs():
    return [channels, kernel_size, pool_size]
