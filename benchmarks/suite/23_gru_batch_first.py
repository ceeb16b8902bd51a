"""GRU, 2 layers, batch_first, 128 -> 256 hidden, on a (32, 64, 128) sequence (1 MB in)."""

import torch

batch_size = 32
seq_len = 64
input_size = 128
hidden_size = 256
num_layers = 2


class Model(torch.nn.Module):
    def __init__(self, input_size, hidden_size, num_layers):
        super().__init__()
        self.gru = torch.nn.GRU(input_size, hidden_size, num_layers=num_layers, batch_first=True)

    def forward(self, x):
        output, h_n = self.gru(x)
        return output, h_n


def get_inputs():
    return [torch.randn(batch_size, seq_len, input_size)]


def get_init_inputs():
    return [input_size, hidden_size, num_layers]
