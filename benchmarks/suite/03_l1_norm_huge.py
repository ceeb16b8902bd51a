"""L1 normalisation (x / sum |x| along dim 1) over a 32768 x 65535 input (8.6 GB per tensor)."""

import torch

batch_size = 32768
dim = 65535


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return x / torch.sum(torch.abs(x), dim=1, keepdim=True)


def get_inputs():
    return [torch.randn(batch_size, dim)]


def get_init_inputs():
    return []
