"""Sum reduction along dim 1 (keepdim) of a (128, 4096, 6144) input (12.9 GB in, 3 MB out)."""

import torch

batch_size = 128
dim1 = 4096
dim2 = 6144
reduce_dim = 1


class Model(torch.nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return torch.sum(x, dim=self.dim, keepdim=True)


def get_inputs():
    return [torch.randn(batch_size, dim1, dim2)]


def get_init_inputs():
    return [reduce_dim]
