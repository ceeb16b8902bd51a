"""Conv1d, kernel 5, 64 -> 128 channels, on a (16, 64, 4096) input (17 MB in, 33 MB out)."""

import torch

batch_size = 16
in_channels = 64
out_channels = 128
length = 4096
kernel_size = 5


class Model(torch.nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size):
        super().__init__()
        self.conv = torch.nn.Conv1d(in_channels, out_channels, kernel_size)

    def forward(self, x):
        return self.conv(x)


def get_inputs():
    return [torch.randn(batch_size, in_channels, length)]


def get_init_inputs():
    return [in_channels, out_channels, kernel_size]
