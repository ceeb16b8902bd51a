"""Test model that needs a package that is not installed: its tasks are skipped, not failed."""

import integrator_no_such_package  # noqa: F401
import torch

REQUIRES = ["integrator_no_such_package"]


class Model(torch.nn.Module):
    def forward(self, x):
        return x


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(2)]
