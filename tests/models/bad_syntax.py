"""Test model with a syntax error (missing ':')."""

import torch


class Model(torch.nn.Module)
    def forward(self, x):
        return x
