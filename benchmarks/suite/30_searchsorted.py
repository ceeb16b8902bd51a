"""searchsorted of 64 x 4096 values into 64 x 1024 boundaries sorted in forward (unsupported)."""

import torch

batch_size = 64
num_boundaries = 1024
num_values = 4096


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, boundaries, values):
        sorted_boundaries, _ = torch.sort(boundaries, dim=-1)
        return torch.searchsorted(sorted_boundaries, values)


def get_inputs():
    return [torch.randn(batch_size, num_boundaries), torch.randn(batch_size, num_values)]


def get_init_inputs():
    return []
