"""Functional only, no parameters: weights arrive as inputs (F.linear, F.conv1d, F.silu)."""

import torch
import torch.nn.functional as F


class Model(torch.nn.Module):
    def forward(self, x, weight, bias, kernel):
        h = F.silu(F.linear(x, weight, bias))  # [2, 16, 24]
        return F.conv1d(h.transpose(1, 2), kernel, padding=1)  # [2, 8, 16]


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(2, 16, 32), torch.randn(24, 32), torch.randn(24), torch.randn(8, 24, 3)]
