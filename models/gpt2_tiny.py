"""A small GPT-2 decoder (Hugging Face transformers) from a config, random weights.

2 layers, hidden 128, 2 heads, vocabulary 1000, context 64; one forward pass over 32 tokens
(no KV cache, an all-ones attention mask) returning the logits. Nothing is downloaded: the
model is built from GPT2Config. Needs the optional extra: pip install -e '.[hf]'.
"""

import torch

REQUIRES = ["transformers"]

SEQUENCE = 32


class Model(torch.nn.Module):
    def __init__(self, vocab: int, hidden: int, layers: int, heads: int):
        super().__init__()
        from transformers import GPT2Config, GPT2LMHeadModel

        config = GPT2Config(
            vocab_size=vocab, n_embd=hidden, n_layer=layers, n_head=heads, n_positions=64,
            use_cache=False, attn_implementation="eager",
        )
        self.gpt2 = GPT2LMHeadModel(config)

    def forward(self, input_ids, attention_mask):
        # With no mask, transformers looks for packed sequences with torch.diff, which IREE
        # cannot lower (torch.aten.diff); a mask is what a real forward pass has anyway.
        out = self.gpt2(input_ids=input_ids, attention_mask=attention_mask, use_cache=False,
                        return_dict=True)
        return out.logits


def get_init_inputs():
    return [1000, 128, 2, 2]


def get_inputs():
    return [torch.randint(0, 1000, (1, SEQUENCE)), torch.ones(1, SEQUENCE, dtype=torch.int64)]
