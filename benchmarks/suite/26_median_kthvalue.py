"""median and kthvalue (k = 100) along dim 1 of a 256 x 4096 input (4 MB in, 6 KB out)."""

import torch

batch_size = 256
dim = 4096
k = 100


class Model(torch.nn.Module):
    def __init__(self, k):
        super().__init__()
        self.k = k

    def forward(self, x):
        median = torch.median(x, dim=1)
        kth = torch.kthvalue(x, self.k, dim=1)
        # Which of several equal elements an index names is the implementation's choice (IREE's
        # sort and torch's differ on ties, seen on 1 row of 256): return the indexed values.
        return (median.values, x.gather(1, median.indices.unsqueeze(1)),
                kth.values, x.gather(1, kth.indices.unsqueeze(1)))


def get_inputs():
    return [torch.randn(batch_size, dim)]


def get_init_inputs():
    return [k]
