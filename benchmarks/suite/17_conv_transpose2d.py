"""ConvTranspose2d 3x3 stride 2, 64 -> 32 ch, (16, 64, 64, 64) -> (16, 32, 128, 128) (17+34 MB)."""

import torch

batch_size = 16
in_channels = 64
out_channels = 32
height = 64
width = 64
kernel_size = 3
stride = 2


class Model(torch.nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride):
        super().__init__()
        self.conv = torch.nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride=stride,
                                             padding=kernel_size // 2, output_padding=stride - 1)

    def forward(self, x):
        return self.conv(x)


def get_inputs():
    return [torch.randn(batch_size, in_channels, height, width)]


def get_init_inputs():
    return [in_channels, out_channels, kernel_size, stride]
