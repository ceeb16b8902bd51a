"""Outputs as a dict (as Hugging Face-style models return them), flattened in key order."""

import torch


class Model(torch.nn.Module):
    def forward(self, x):
        return {"logits": x @ x.T, "norm": x.norm(dim=1)}


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(10, 20)]
