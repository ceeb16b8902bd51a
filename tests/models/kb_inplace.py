"""In-place ops on intermediates (relu_, mul_, add_, clamp_), as KernelBench kernels write them."""

import torch


class Model(torch.nn.Module):
    def __init__(self, features: int):
        super().__init__()
        self.linear = torch.nn.Linear(features, features)

    def forward(self, x):
        y = self.linear(x)
        y.mul_(2.0).add_(0.5)
        torch.relu_(y)
        return y.clamp_(max=3.0)


def get_init_inputs():
    return [32]


def get_inputs():
    return [torch.randn(4, 32)]
