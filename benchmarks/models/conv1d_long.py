"""1-D convolution with a long kernel over a long sequence (audio-style), 32 -> 64 channels."""

import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv1d(32, 64, kernel_size=31, padding=15)

    def forward(self, x):
        return self.conv(x)


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(8, 32, 4096)]
