"""3-D convolution, 3 -> 64 channels, an anisotropic 3x5x7 kernel (video-style input)."""

import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv3d(3, 64, kernel_size=(3, 5, 7))

    def forward(self, x):
        return self.conv(x)


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(2, 3, 16, 64, 64)]
