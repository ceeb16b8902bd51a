"""ReLU over a 16384 x 16384 input (1.1 GB per tensor)."""

import torch

batch_size = 16384
dim = 16384


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.relu(x)


def get_inputs():
    return [torch.randn(batch_size, dim)]


def get_init_inputs():
    return []
