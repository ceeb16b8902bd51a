"""ELU (alpha 1.0) over a 4096 x 393216 input (6.4 GB per tensor)."""

import torch

batch_size = 4096
dim = 393216


class Model(torch.nn.Module):
    def __init__(self, alpha):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        return torch.nn.functional.elu(x, alpha=self.alpha)


def get_inputs():
    return [torch.randn(batch_size, dim)]


def get_init_inputs():
    return [1.0]
