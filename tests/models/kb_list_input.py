"""A forward argument that is a list of tensors (flattened into the compiled function's inputs)."""

import torch


class Model(torch.nn.Module):
    def forward(self, parts, scale):
        return torch.cat(parts, dim=1) * scale


def get_init_inputs():
    return []


def get_inputs():
    return [[torch.randn(3, 4), torch.randn(3, 2), torch.randn(3, 5)], torch.randn(3, 11)]
