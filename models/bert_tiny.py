"""A small BERT encoder (Hugging Face transformers) from a config, random weights.

2 layers, hidden 128, 2 heads, intermediate 512, vocabulary 1000; batch 1, 64 tokens with a
padding mask. Returns the last hidden state and the pooled output. Nothing is downloaded:
the model is built from BertConfig. Needs the optional extra: pip install -e '.[hf]'.
"""

import torch

REQUIRES = ["transformers"]

SEQUENCE = 64


class Model(torch.nn.Module):
    def __init__(self, vocab: int, hidden: int, layers: int, heads: int):
        super().__init__()
        from transformers import BertConfig, BertModel

        config = BertConfig(
            vocab_size=vocab, hidden_size=hidden, num_hidden_layers=layers,
            num_attention_heads=heads, intermediate_size=4 * hidden,
            max_position_embeddings=SEQUENCE, attn_implementation="eager",
        )
        self.bert = BertModel(config, add_pooling_layer=True)

    def forward(self, input_ids, attention_mask):
        out = self.bert(input_ids=input_ids, attention_mask=attention_mask, return_dict=True)
        return out.last_hidden_state, out.pooler_output


def get_init_inputs():
    return [1000, 128, 2, 2]


def get_inputs():
    input_ids = torch.randint(0, 1000, (1, SEQUENCE))
    attention_mask = torch.ones(1, SEQUENCE, dtype=torch.int64)
    attention_mask[:, SEQUENCE - 8:] = 0  # the last 8 tokens are padding
    return [input_ids, attention_mask]
