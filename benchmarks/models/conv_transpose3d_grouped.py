"""Grouped, strided, padded 3-D transposed convolution (an upsampling decoder layer)."""

import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.ConvTranspose3d(32, 32, kernel_size=3, stride=2, padding=1,
                                             output_padding=1, groups=4)

    def forward(self, x):
        return self.conv(x)


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(2, 32, 8, 32, 32)]
