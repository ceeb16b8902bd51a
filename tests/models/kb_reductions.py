"""KernelBench-style: reductions over different dimensions, returned as a list (one is int64)."""

import torch


class Model(torch.nn.Module):
    def forward(self, x):
        return [x.sum(dim=1), x.mean(dim=(0, 2)), x.amax(dim=-1), x.argmax(dim=2), x.sum()]


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(8, 16, 32)]
