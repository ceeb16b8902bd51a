"""Test model with an op IREE cannot lower: torch.median along a dimension (aten.median.dim
imports as an opaque torch.operator; IREE 3.13 has no lowering for it)."""

import torch


class Model(torch.nn.Module):
    def forward(self, x):
        return torch.median(x, dim=1).values


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(4, 9)]
