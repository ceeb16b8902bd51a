"""Conv2d 3x3 stride 2 groups 4, 64 -> 128 ch, + AvgPool2d(2) on (16, 64, 64, 64) (17 MB in)."""

import torch

batch_size = 16
in_channels = 64
out_channels = 128
height = 64
width = 64
kernel_size = 3
stride = 2
groups = 4
pool_size = 2


class Model(torch.nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride, groups, pool_size):
        super().__init__()
        self.conv = torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride,
                                    padding=kernel_size // 2, groups=groups)
        self.pool = torch.nn.AvgPool2d(pool_size)

    def forward(self, x):
        return self.pool(self.conv(x))


def get_inputs():
    return [torch.randn(batch_size, in_channels, height, width)]


def get_init_inputs():
    return [in_channels, out_channels, kernel_size, stride, groups, pool_size]
