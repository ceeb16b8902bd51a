"""cumsum and argmax along dim 1 of a 128 x 32768 input (17 MB in, 17 MB out)."""

import torch

batch_size = 128
dim = 32768

# KernelBench's tolerance: running sums over 32768 elements taken in another order differ by ~1e-3 where the
# result is near zero, beyond the project's default atol of 1e-4.
ATOL = 1e-2
RTOL = 1e-2


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.cumsum(x, dim=1), torch.argmax(x, dim=1)


def get_inputs():
    return [torch.randn(batch_size, dim)]


def get_init_inputs():
    return []
