"""Test model: conv + bias + ReLU, a second model to show that one model's edit leaves others."""

import torch


class Model(torch.nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, channels, 3, padding=1)

    def forward(self, x):
        return torch.relu(self.conv(x))


def get_init_inputs():
    return [8]


def get_inputs():
    return [torch.randn(1, 3, 16, 16)]
