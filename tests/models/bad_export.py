"""Test model that torch.export cannot trace: Python control flow on a tensor's value."""

import torch


class Model(torch.nn.Module):
    def forward(self, x):
        if x.sum() > 0:
            return x * 2
        return x


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(4, 4)]
