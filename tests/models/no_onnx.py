"""Test model that IREE compiles but the ONNX exporter cannot translate (cumprod, torch 2.13).

It stands for any baseline that fails to build: the bench must record the failure and still
report the other systems.
"""

import torch


class Model(torch.nn.Module):
    def forward(self, x):
        return torch.cumprod(x, dim=1)


def get_init_inputs():
    return []


def get_inputs():
    return [torch.rand(4, 8) + 0.5]
