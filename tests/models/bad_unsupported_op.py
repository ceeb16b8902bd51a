"""Test model with an op IREE cannot lower and nothing decomposes: torch.histc (aten.histc;
IREE 3.13 has no lowering for it, and torch has no decomposition of it)."""

import torch


class Model(torch.nn.Module):
    def forward(self, x):
        return torch.histc(x, bins=10, min=-2, max=2)


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(4, 9)]
