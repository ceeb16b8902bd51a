"""Mean reduction along dim 1 of an 8192 x 32768 input (1.1 GB in, 32 KB out)."""

import torch

batch_size = 8192
dim = 32768
reduce_dim = 1


class Model(torch.nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return torch.mean(x, dim=self.dim)


def get_inputs():
    return [torch.randn(batch_size, dim)]


def get_init_inputs():
    return [reduce_dim]
