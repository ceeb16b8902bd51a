"""logsumexp along dim 1 with keepdim=True of a 1024 x 8192 input (34 MB in, 4 KB out)."""

import torch

batch_size = 1024
dim = 8192


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.logsumexp(x, dim=1, keepdim=True)


def get_inputs():
    return [torch.randn(batch_size, dim)]


def get_init_inputs():
    return []
