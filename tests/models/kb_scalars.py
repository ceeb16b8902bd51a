"""KernelBench-style: elementwise with Python scalars, as constructor and as forward arguments.

forward(x, alpha: float, shift: int, clamp: bool, bias: None): torch.export bakes the
non-tensor arguments in; the compiled function takes only x.
"""

import torch

RTOL = 1e-4


class Model(torch.nn.Module):
    def __init__(self, scale: float, exponent: int):
        super().__init__()
        self.scale = scale
        self.exponent = exponent

    def forward(self, x, alpha, shift, clamp, bias):
        y = (x * self.scale) ** self.exponent * alpha + shift
        if clamp:
            y = y.clamp(-1.5, 2.5)
        if bias is not None:
            y = y + bias
        return y - 0.5 * x


def get_init_inputs():
    return [0.5, 2]


def get_inputs():
    return [torch.randn(32, 64), 3.0, -1, True, None]
