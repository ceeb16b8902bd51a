"""A model that modifies its input in place: the compiled function returns the new value of the
input as an extra result, and the check compares it with eager's too."""

import torch


class Model(torch.nn.Module):
    def forward(self, x, y):
        x.mul_(2.0)
        return x + y


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(5, 7), torch.randn(5, 7)]
