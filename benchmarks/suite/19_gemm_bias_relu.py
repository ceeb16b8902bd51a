"""GEMM + bias + ReLU, 128 x 4096 @ 4096 x 4096 (2 MB in, 2 MB out, 67 MB weights)."""

import torch

batch_size = 128
in_features = 4096
out_features = 4096


class Model(torch.nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.gemm = torch.nn.Linear(in_features, out_features, bias=False)
        self.bias = torch.nn.Parameter(torch.randn(out_features))

    def forward(self, x):
        return torch.relu(self.gemm(x) + self.bias)


def get_inputs():
    return [torch.randn(batch_size, in_features)]


def get_init_inputs():
    return [in_features, out_features]
