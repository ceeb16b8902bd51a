"""Linear 1024 -> 2048, times 0.5, plus its unscaled result, on 128 x 1024 (8 MB weights)."""

import torch

batch_size = 128
in_features = 1024
out_features = 2048


class Model(torch.nn.Module):
    def __init__(self, in_features, out_features, scaling_factor):
        super().__init__()
        self.matmul = torch.nn.Linear(in_features, out_features)
        self.scaling_factor = scaling_factor

    def forward(self, x):
        x = self.matmul(x)
        original = x.clone().detach()
        return x * self.scaling_factor + original


def get_inputs():
    return [torch.randn(batch_size, in_features)]


def get_init_inputs():
    return [in_features, out_features, 0.5]
