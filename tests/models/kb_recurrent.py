"""GRU, LSTM and RNN with two layers, batch-first and not: decomposed at import into their
cells (the FX importer refuses their weights as a list)."""

import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(16, 24, num_layers=2, batch_first=True)
        self.lstm = torch.nn.LSTM(24, 20, num_layers=2)
        self.rnn = torch.nn.RNN(20, 12, num_layers=2, batch_first=True, nonlinearity="relu")

    def forward(self, x):
        y, h = self.gru(x)  # (batch, time, 24)
        y, (h2, c2) = self.lstm(y.transpose(0, 1))  # (time, batch, 20)
        y, h3 = self.rnn(y.transpose(0, 1))
        return y, h, c2, h3


def get_init_inputs():
    return []


def get_inputs():
    return [torch.randn(3, 7, 16)]
