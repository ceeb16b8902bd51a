"""Square matmul, (4096 x 4096) @ (4096 x 4096) (67 MB per tensor, 137 GFLOP)."""

import torch

M = 4096
K = 4096
N = 4096

# KernelBench's tolerance: K = 4096 products summed in another order differ by ~1e-3 where the
# result is near zero, beyond the project's default atol of 1e-4.
ATOL = 1e-2
RTOL = 1e-2


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, a, b):
        return torch.matmul(a, b)


def get_inputs():
    return [torch.randn(M, K), torch.randn(K, N)]


def get_init_inputs():
    return []
