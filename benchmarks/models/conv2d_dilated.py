"""3x3 convolution with dilation 2 (atrous, as in segmentation networks), 64 -> 64 channels."""

import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(64, 64, kernel_size=3, dilation=2, padding=2)

    def forward(self, x):
        return self.conv(x)


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(1, 64, 56, 56)]
