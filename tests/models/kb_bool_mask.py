"""Boolean tensors in and out: masked_fill with a bool input, combined with `&`, a bool output."""

import torch


class Model(torch.nn.Module):
    def forward(self, x, mask):
        keep = mask & (x > -1.0)
        return x.masked_fill(~keep, 0.0), keep


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(8, 12), torch.rand(8, 12) > 0.3]
