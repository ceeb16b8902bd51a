"""logsumexp with keepdim (common in fused-op problems): decomposed at import (its direct
lowering leaves a constant IREE 3.13 cannot legalize)."""

import torch


class Model(torch.nn.Module):
    def forward(self, x):
        return torch.logsumexp(x, dim=1, keepdim=True) - x.amax(dim=1, keepdim=True)


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(16, 64)]
