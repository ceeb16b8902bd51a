"""median and kthvalue along a dimension (values and indices): decomposed at import through
sort (IREE 3.13 has no lowering for either)."""

import torch


class Model(torch.nn.Module):
    def forward(self, x):
        median = torch.median(x, dim=1)
        kth = torch.kthvalue(x, 3, dim=0, keepdim=True)
        return median.values, median.indices, kth.values, kth.indices


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(7, 9)]
