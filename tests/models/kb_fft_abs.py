"""Magnitude spectrum: torch.fft.rfft followed by abs (complex abs decomposed at import)."""

import torch


class Model(torch.nn.Module):
    def forward(self, x):
        return torch.fft.rfft(x, dim=-1).abs()


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(8, 128)]
