"""Winograd F(4,3) / F(2,3) at import (integrator/ingress/winograd.py): the arithmetic matches
torch's convolution on odd shapes in eager, the rule picks the tile a user would expect, and
a model built through the real flow is rewritten, compiled by IREE and checked against torch."""

import json

import pytest
import torch

from integrator.ingress.winograd import filter_transform, tile_size, winograd_conv2d

# (input shape, output channels, padding, bias): sizes the tiles do not divide included
SHAPES = [
    ((1, 8, 7, 7), 5, (1, 1), False),
    ((2, 3, 9, 13), 4, (1, 0), True),
    ((1, 6, 14, 14), 7, (1, 1), True),
    ((1, 5, 5, 6), 3, (2, 2), False),
    ((3, 4, 10, 8), 6, (0, 1), True),
]


@pytest.mark.parametrize("m", [2, 4])
@pytest.mark.parametrize("shape,out_channels,padding,bias", SHAPES)
def test_winograd_matches_torch_in_eager(shape, out_channels, padding, bias, m):
    torch.manual_seed(0)
    x = torch.randn(shape)
    w = torch.randn(out_channels, shape[1], 3, 3)
    b = torch.randn(out_channels) if bias else None
    expected = torch.nn.functional.conv2d(x, w, b, padding=padding)
    got = winograd_conv2d(x, filter_transform(w, m), b, m, padding)
    assert got.shape == expected.shape
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)


def test_tile_size_rule():
    # ResNet-50's last two stages: 14x14 in 4x4 tiles, 7x7 in 2x2 tiles, 16 tiles each
    assert tile_size(1, 14, 14, 256, 256) == 4
    assert tile_size(1, 7, 7, 512, 512) == 2
    assert tile_size(4, 7, 7, 512, 512) == 4  # a batch of 4 makes 16 tiles of 4x4
    assert tile_size(1, 28, 28, 128, 128) is None  # large maps: the cpu-winograd pipeline's
    assert tile_size(1, 14, 14, 16, 256) is None  # few channels: not measured, left alone
    assert tile_size(1, 3, 3, 512, 512) is None  # too few tiles for either


def test_rewritten_program_runs_and_counts_the_direct_flops():
    """After the rewrite and the decompositions the program still runs (it is what the FLOP
    counter runs on fake tensors): it computes the convolutions, a weight used twice is
    transformed once, and the batch matmuls' FLOPs plus the recorded difference are the
    direct convolutions'."""
    from integrator.ingress import winograd
    from integrator.ingress.from_torch import _decomposition_table, count_flops

    class Twice(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.c = torch.nn.Conv2d(64, 64, 3, padding=1)

        def forward(self, x):
            return self.c(torch.relu(self.c(x)))

    torch.manual_seed(0)
    model, x = Twice().eval(), torch.randn(1, 64, 14, 14)
    exported = torch.export.export(model, (x,))
    rewritten = winograd.rewrite(exported)
    assert [(r.weight, r.tile) for r in rewritten] == [("c.weight", 4)] * 2
    assert [k for k in exported.constants if k.startswith("winograd")] == ["winograd_f4.c.weight"]
    decomposed = exported.run_decompositions(_decomposition_table(True))
    flops = count_flops(decomposed, [x])
    assert flops is not None
    assert flops + sum(r.direct_flops - r.matmul_flops for r in rewritten) == 2 * (2 * 64 * 64 * 9 * 14 * 14)
    with torch.no_grad():
        torch.testing.assert_close(decomposed.module()(x), model(x), rtol=1e-4, atol=1e-4)


MODEL = '''
import torch

class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Conv2d(64, 64, 3, padding=1, bias=False)
        self.b = torch.nn.Conv2d(64, 96, 3, padding=1)
        self.strided = torch.nn.Conv2d(96, 96, 3, stride=2, padding=1)
        self.c = torch.nn.Conv2d(96, 64, 3, padding=1)

    def forward(self, x):
        y = torch.relu(self.b(torch.relu(self.a(x))))  # 13x13: F(4,3) twice
        y = self.strided(y)  # stride 2: left as it is
        return torch.relu(self.c(y))  # 7x7: F(2,3)

def get_init_inputs():
    return []

def get_inputs():
    return [torch.randn(1, 64, 13, 13)]
'''


def test_winograd_through_the_flow(make_project):
    """Compiled by IREE and checked against torch's direct convolutions; the import record
    names each rewritten convolution and its tile, keeps the direct FLOP count, and
    ``WINOGRAD = False`` imports the same model without the rewrite."""
    project = make_project()
    project.write_model("wino", MODEL)
    project.write_model("wino_off", MODEL + "\nWINOGRAD = False\n")
    run = project.doit("run", "check:wino", "check:wino_off")
    assert run.returncode == 0, run.stderr
    for name in ("wino", "wino_off"):
        assert "passed" in run.outputs[f"check:{name}"], run.outputs[f"check:{name}"]
    on = json.loads((project.cache / "wino" / "import.json").read_text())
    off = json.loads((project.cache / "wino_off" / "import.json").read_text())
    assert [(w["weight"], w["tile"]) for w in on["winograd"]] == [
        ("a.weight", 4), ("b.weight", 4), ("c.weight", 2)]
    assert off["winograd"] == []
    assert on["flops"] == off["flops"]
