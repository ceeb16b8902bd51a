"""A transformer block as a user writes it (LayerNorm, nn.MultiheadAttention with 4 heads,
GELU MLP 256 -> 1024 -> 256, input 1x64x256): IREE 3.13 failed to compile it about one time
in two with its default stack limit (a layer norm feeding a matmul needs 32832 bytes)."""

import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1 = torch.nn.LayerNorm(256)
        self.attention = torch.nn.MultiheadAttention(256, 4, batch_first=True)
        self.norm2 = torch.nn.LayerNorm(256)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(256, 1024), torch.nn.GELU(),
                                       torch.nn.Linear(1024, 256))

    def forward(self, x):
        h = self.norm1(x)
        x = x + self.attention(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.norm2(x))


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(1, 64, 256)]
