"""Depthwise 3x3 convolution (groups = channels, as in MobileNet), 128 channels, stride 2."""

import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(128, 128, kernel_size=3, stride=2, padding=1, groups=128)

    def forward(self, x):
        return self.conv(x)


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(4, 128, 56, 56)]
