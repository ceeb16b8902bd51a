"""2-D convolution with a large kernel and stride on a large batch (AlexNet's first layer)."""

import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2)

    def forward(self, x):
        return self.conv(x)


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(64, 3, 224, 224)]
