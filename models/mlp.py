"""A small multi-layer perceptron: 3 linear layers with GELU, batch 8."""

import torch
from torch import nn


class Model(nn.Module):
    def __init__(self, in_features: int, hidden: int, out_features: int):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_features, hidden),
            nn.GELU(),
            nn.Linear(hidden, hidden),
            nn.GELU(),
            nn.Linear(hidden, out_features),
        )

    def forward(self, x):
        return self.net(x)


def get_init_inputs():
    return [256, 512, 64]


def get_inputs():
    return [torch.randn(8, 256)]
