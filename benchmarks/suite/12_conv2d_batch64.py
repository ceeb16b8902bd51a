"""Conv2d 3x3 pad 1, 32 -> 64 ch, on (64, 32, 224, 224) (0.4 GB in, 0.8 GB out)."""

import torch

batch_size = 64
in_channels = 32
out_channels = 64
height = 224
width = 224
kernel_size = 3


class Model(torch.nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size):
        super().__init__()
        self.conv = torch.nn.Conv2d(in_channels, out_channels, kernel_size,
                                    padding=kernel_size // 2)

    def forward(self, x):
        return self.conv(x)


def get_inputs():
    return [torch.randn(batch_size, in_channels, height, width)]


def get_init_inputs():
    return [in_channels, out_channels, kernel_size]
