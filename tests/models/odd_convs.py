"""Test model: convolutions whose sizes divide no tile: 3x3 stride-1 convs (one without bias:
Winograd's case) on 5 -> 7 channels and a 17x19 image, a strided 3x3, a 1x1, a residual add."""

import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Conv2d(5, 7, 3, padding=1)
        self.b = torch.nn.Conv2d(7, 7, 3, padding=1, bias=False)  # Winograd applies to it
        self.c = torch.nn.Conv2d(7, 11, 3, stride=2)
        self.d = torch.nn.Conv2d(11, 3, 1)

    def forward(self, x):
        y = torch.relu(self.a(x))
        y = torch.relu(self.b(y) + y)
        return self.d(torch.relu(self.c(y)))


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(2, 5, 17, 19)]
