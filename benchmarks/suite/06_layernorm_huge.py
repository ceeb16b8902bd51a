"""LayerNorm over the last three dims of a (512, 64, 256, 256) input (8.6 GB per tensor)."""

import torch

batch_size = 512
features = 64
dim1 = 256
dim2 = 256


class Model(torch.nn.Module):
    def __init__(self, normalized_shape):
        super().__init__()
        self.ln = torch.nn.LayerNorm(normalized_shape)

    def forward(self, x):
        return self.ln(x)


def get_inputs():
    return [torch.randn(batch_size, features, dim1, dim2)]


def get_init_inputs():
    return [(features, dim1, dim2)]
