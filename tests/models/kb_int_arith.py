"""Integer tensors: int32 arithmetic with floor division and remainder (negative values too)."""

import torch


class Model(torch.nn.Module):
    def forward(self, a, b):
        return (a * b + 3) // 4, torch.remainder(a, 5), (a - b).abs().to(torch.int64).sum(dim=0)


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randint(-50, 50, (6, 9), dtype=torch.int32),
            torch.randint(-50, 50, (6, 9), dtype=torch.int32)]
