"""A pre-norm transformer block: multi-head self-attention and an MLP, sequence 128, width 256.

Attention is written out (projections, scaled scores, softmax, weighted sum) in plain torch,
as users write it; batch 1, 4 heads of 64, MLP 4x wide with GELU.
"""

import torch
from torch import nn


class Model(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: int):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_ratio * dim), nn.GELU(), nn.Linear(mlp_ratio * dim, dim))

    def forward(self, x):
        b, s, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).reshape(b, s, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        scores = (q @ k.transpose(-2, -1)) * (d // self.heads) ** -0.5
        attention = (scores.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, s, d)
        x = x + self.proj(attention)
        return x + self.mlp(self.norm2(x))


def get_init_inputs():
    return [256, 4, 4]


def get_inputs():
    return [torch.randn(1, 128, 256)]
