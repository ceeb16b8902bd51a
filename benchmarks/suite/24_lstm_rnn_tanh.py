"""LSTM (2 layers, seq-first, 128 -> 256) then tanh RNN (256 -> 128) on (64, 32, 128) (1 MB in)."""

import torch

seq_len = 64
batch_size = 32
input_size = 128
hidden_size = 256
rnn_hidden_size = 128
num_layers = 2


class Model(torch.nn.Module):
    def __init__(self, input_size, hidden_size, rnn_hidden_size, num_layers):
        super().__init__()
        self.lstm = torch.nn.LSTM(input_size, hidden_size, num_layers=num_layers)
        self.rnn = torch.nn.RNN(hidden_size, rnn_hidden_size, nonlinearity="tanh")

    def forward(self, x):
        y, (h_n, c_n) = self.lstm(x)  # (seq, batch, hidden)
        z, h_rnn = self.rnn(y)
        return z, h_n, c_n, h_rnn


def get_inputs():
    return [torch.randn(seq_len, batch_size, input_size)]


def get_init_inputs():
    return [input_size, hidden_size, rnn_hidden_size, num_layers]
