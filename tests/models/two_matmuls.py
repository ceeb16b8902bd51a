"""Two matmuls of different shapes: the tuning tests' payload (two dispatches a spec can match).

Built with IREE's plain flags so that each matmul stays a ``linalg.matmul`` dispatch configured
by DoubleTilingExpert, which a tuning spec can configure (with data tiling, matmuls become
mmt4d after specs apply).
"""

import torch
from torch import nn

IREE_PIPELINE = "cpu-plain"


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        generator = torch.Generator().manual_seed(0)
        self.w1 = nn.Parameter(torch.randn(96, 160, generator=generator) / 10)
        self.w2 = nn.Parameter(torch.randn(160, 48, generator=generator) / 10)

    def forward(self, x):
        return torch.relu(x @ self.w1) @ self.w2


def get_inputs():
    return [torch.randn(32, 96, generator=torch.Generator().manual_seed(1))]


def get_init_inputs():
    return []
