"""The import-time convolution rewrites (integrator/ingress/conv_rewrites.py) compute what
torch computes: in eager on odd shapes, and compiled by IREE end to end."""

import json

import pytest
import torch

from integrator.ingress.conv_rewrites import convolution, dilated_as_phases, transposed_as_one_conv

CASES = {
    # name: (input shape, weight shape, stride, padding, dilation, transposed, output_padding, groups)
    "conv1d": ((2, 5, 37), (7, 5, 5), [2], [3], [2], False, [0], 1),
    "conv1d_grouped": ((1, 6, 23), (9, 2, 3), [1], [1], [1], False, [0], 3),
    "conv3d": ((2, 3, 7, 9, 11), (4, 3, 3, 2, 5), [2, 1, 2], [1, 0, 2], [1, 2, 1], False, [0, 0, 0], 1),
    "conv3d_grouped": ((1, 4, 6, 5, 7), (6, 2, 2, 3, 3), [1, 2, 1], [0, 1, 1], [2, 1, 1], False, [0, 0, 0], 2),
    "transposed1d": ((2, 4, 9), (4, 3, 5), [3], [1], [1], True, [2], 1),
    "transposed2d": ((1, 6, 7, 5), (6, 2, 3, 4), [2, 3], [1, 0], [1, 1], True, [1, 2], 3),
    "transposed2d_stride1": ((1, 3, 6, 6), (3, 5, 3, 3), [1, 1], [1, 0], [1, 1], True, [0, 0], 1),
    "transposed3d": ((2, 8, 3, 5, 4), (8, 2, 3, 3, 3), [2, 2, 2], [1, 1, 1], [1, 1, 1], True, [1, 1, 1], 4),
    "transposed_kernel_below_stride": ((1, 2, 5, 5), (2, 3, 2, 2), [3, 3], [0, 0], [1, 1], True, [0, 0], 1),
    "conv2d_grouped": ((2, 6, 11, 9), (9, 2, 3, 2), [2, 1], [1, 0], [1, 2], False, [0, 0], 3),
}


def _reference(x, w, b, stride, padding, dilation, transposed, output_padding, groups):
    return torch.ops.aten.convolution.default(x, w, b, stride, padding, dilation, transposed,
                                              output_padding, groups)


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("name", sorted(CASES))
def test_rewrite_matches_torch_in_eager(name, bias):
    shape, wshape, *args = CASES[name]
    torch.manual_seed(0)
    x, w = torch.randn(shape), torch.randn(wshape)
    out_channels = wshape[1] * args[-1] if args[3] else wshape[0]
    b = torch.randn(out_channels) if bias else None
    got = convolution(x, w, b, *args)
    assert got is not NotImplemented, name
    want = _reference(x, w, b, *args)
    assert got.shape == want.shape
    torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", sorted(n for n in CASES if CASES[n][5]))
def test_merged_phases_match_torch_for_every_transposed_case(name):
    """The merged form (all phases as one convolution's output channels) on every transposed
    case, ungrouped ones too: ``convolution`` takes it only for grouped ones."""
    shape, wshape, stride, padding, dilation, _, output_padding, groups = CASES[name]
    torch.manual_seed(0)
    x, w, b = torch.randn(shape), torch.randn(wshape), torch.randn(wshape[1] * groups)
    got = transposed_as_one_conv(x, w, b, stride, padding, output_padding, groups)
    want = _reference(x, w, b, stride, padding, dilation, True, output_padding, groups)
    assert got.shape == want.shape
    torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-4)


def test_2d_depthwise_and_dilated_transposed_convolutions_are_left_alone():
    x, w = torch.randn(1, 4, 8, 8), torch.randn(5, 4, 3, 3)
    assert convolution(x, w, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1) is NotImplemented
    depthwise = torch.randn(4, 1, 3, 3)
    assert convolution(x, depthwise, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 4) is NotImplemented
    assert convolution(x, w.transpose(0, 1), None, [2, 2], [1, 1], [2, 2], True, [0, 0], 1) is NotImplemented


DILATED = {
    # name: (input shape, weight shape, padding, dilation, groups); stride 1
    "square": ((1, 8, 30, 30), (8, 8, 3, 3), [2, 2], [2, 2], 1),
    "odd_sizes": ((2, 6, 17, 23), (4, 3, 3, 5), [1, 3], [3, 2], 2),  # odd sizes, grouped
    "unpadded": ((1, 4, 9, 10), (4, 1, 3, 3), [0, 0], [2, 2], 4),  # depthwise
    "one_dimension": ((1, 3, 1, 40), (5, 3, 1, 7), [0, 3], [1, 3], 1),  # a dilated 1-D one as 2-D
    "kernel_2x3": ((1, 4, 20, 21), (6, 4, 2, 3), [1, 0], [4, 1], 1),
}


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("name", sorted(DILATED))
def test_dilated_convolutions_as_phases_match_torch_in_eager(name, bias):
    shape, wshape, padding, dilation, groups = DILATED[name]
    torch.manual_seed(0)
    x, w = torch.randn(shape), torch.randn(wshape)
    b = torch.randn(wshape[0]) if bias else None
    args = [1, 1], padding, dilation, False, [0, 0], groups
    got = convolution(x, w, b, *args, phases=True)
    assert got is not NotImplemented, name
    want = _reference(x, w, b, *args)
    assert got.shape == want.shape
    torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-4)
    # Only when asked (a pipeline's import settings), and only for stride 1 (a grouped one
    # is split into groups either way).
    if groups in (1, shape[1]):
        assert convolution(x, w, None, *args) is NotImplemented
        assert convolution(x, w, None, [2, 1], *args[1:], phases=True) is NotImplemented


MODEL = '''
import torch

class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = {layer}

    def forward(self, x):
        return self.conv(x)

def get_init_inputs():
    return []

def get_inputs():
    return [torch.randn{shape}]
'''

COMPILED = {
    "c1d": ("torch.nn.Conv1d(5, 7, kernel_size=5, stride=2, padding=3, dilation=2)", (2, 5, 37)),
    "c3d": ("torch.nn.Conv3d(4, 6, kernel_size=(2, 3, 3), stride=(1, 2, 1), padding=1, groups=2)",
            (1, 4, 6, 9, 7)),
    "t3d": ("torch.nn.ConvTranspose3d(8, 8, kernel_size=3, stride=2, padding=1, output_padding=1, "
            "groups=4)", (2, 8, 3, 5, 4)),
    "t2d": ("torch.nn.ConvTranspose2d(6, 4, kernel_size=(3, 4), stride=(2, 3), padding=(1, 0))",
            (1, 6, 7, 5)),
    "g2d": ("torch.nn.Conv2d(6, 9, kernel_size=3, stride=2, padding=1, groups=3)", (2, 6, 11, 9)),
    "b2d": ("torch.nn.Conv2d(5, 7, kernel_size=3, padding=1)", (2, 5, 9, 8)),  # only the bias
}


def test_rewritten_convolutions_compile_and_match_torch(make_project):
    """Each rewrite through the real flow: exported, rewritten, compiled by IREE, checked
    against torch eager; the import holds no 1-D, 3-D, transposed or grouped convolution any
    more, and no convolution with a bias of its own."""
    import re
    import subprocess

    from integrator.engines.tools import tool

    project = make_project()
    for name, (layer, shape) in COMPILED.items():
        project.write_model(name, MODEL.format(layer=layer, shape=shape))
    run = project.doit("run", *(f"check:{name}" for name in COMPILED))
    assert run.returncode == 0, run.stderr
    for name in COMPILED:
        assert "passed" in run.outputs[f"check:{name}"], run.outputs[f"check:{name}"]
        text = subprocess.run([tool("iree-opt"), str(project.cache / name / "import.mlirbc")],
                              capture_output=True, text=True, check=True).stdout
        convolutions = [line for line in text.splitlines() if "torch.aten.conv" in line]
        assert convolutions and all("torch.aten.convolution" in line for line in convolutions), name
        for line in convolutions:  # 2-D: the result is a 4-D tensor; one group (the last operand)
            result = re.findall(r"!torch\.vtensor<\[([0-9,]+)\]", line)[-1]
            assert result.count(",") == 3, (name, line)
            assert re.search(r", %int1(_\d+)? :", line), (name, line)  # groups = 1
            # every layer here has a bias: it is added after, the convolution's own is none
            assert re.match(r"\s*%\S+ = torch\.aten\.convolution %\S+, %\S+, %none(_\d+)?,", line), (name, line)


DEPTHWISE = {
    # name: (layer, input shape, whether the convolution is computed channels-last)
    "dw2d": ("torch.nn.Conv2d(6, 6, kernel_size=(3, 5), stride=(2, 1), padding=(1, 2), "
             "dilation=(1, 2), groups=6)", (2, 6, 11, 9), True),
    "dw2d_nobias_cl": ("torch.nn.Conv2d(5, 5, kernel_size=3, stride=2, groups=5, bias=False)",
                       (1, 5, 8, 7), True),
    "dw1d": ("torch.nn.Conv1d(4, 4, kernel_size=5, stride=2, padding=1, groups=4)", (2, 4, 19), True),
    # a channel multiplier of 2 is not rewritten (and still computed right)
    "dw2d_multiplier": ("torch.nn.Conv2d(3, 6, kernel_size=3, padding=1, groups=3)", (1, 3, 6, 6), False),
}


def test_depthwise_convolutions_computed_channels_last_match_torch(make_project):
    """Depthwise convolutions become channels-last linalg in the imported module
    (ingress/depthwise_nhwc.py) and check against torch eager under the default pipeline (im2col)
    and the channels-last one; the import record names them."""
    import subprocess

    from integrator.engines.tools import tool

    project = make_project()
    for name, (layer, shape, _) in DEPTHWISE.items():
        source = MODEL.format(layer=layer, shape=shape)
        if name.endswith("_cl"):
            source += '\nIREE_PIPELINE = "cpu-channels-last"\n'
        project.write_model(name, source)
    run = project.doit("run", *(f"check:{name}" for name in DEPTHWISE))
    assert run.returncode == 0, run.stderr
    for name, (_, _, rewritten) in DEPTHWISE.items():
        assert "passed" in run.outputs[f"check:{name}"], run.outputs[f"check:{name}"]
        text = subprocess.run([tool("iree-opt"), str(project.cache / name / "import.mlirbc")],
                              capture_output=True, text=True, check=True).stdout
        record = json.loads((project.cache / name / "import.json").read_text())
        assert ("torch.aten.convolution" not in text) == rewritten, name
        assert len(record["channels_last"]) == (1 if rewritten else 0), name
        if rewritten:
            assert f"func.func private @{record['channels_last'][0]}" in text


def test_a_pipelines_import_settings_choose_the_import(make_project):
    """A pipeline with ``import-settings = { dilated-as-phases = true }`` imports the model's
    dilated convolution as an undilated one over a batch of its phases, which checks against
    torch; selecting another pipeline imports it again, dilated."""
    import re
    import subprocess

    from integrator.engines.tools import tool

    project = make_project()
    layer = "torch.nn.Conv2d(6, 5, kernel_size=3, padding=(2, 1), dilation=(2, 3))"
    project.write_model("dil", MODEL.format(layer=layer, shape=(1, 6, 13, 10)))

    def imported_convolutions():
        text = subprocess.run([tool("iree-opt"), str(project.cache / "dil" / "import.mlirbc")],
                              capture_output=True, text=True, check=True).stdout
        return [line for line in text.splitlines() if "torch.aten.convolution" in line]

    run = project.doit("run", "check:dil", "iree_pipeline=cpu-channels-last-phases")
    assert run.returncode == 0, run.stderr
    assert "passed" in run.outputs["check:dil"]
    (conv,) = imported_convolutions()
    # the input is the 2 x 3 phases of one image: a batch of 6
    assert re.search(r"!torch\.vtensor<\[6,6,\d+,\d+\],f32>", conv), conv

    run = project.doit("run", "check:dil", "iree_pipeline=cpu-channels-last")
    assert run.returncode == 0, run.stderr
    assert "import:dil" in run.executed and "passed" in run.outputs["check:dil"]
    (conv,) = imported_convolutions()
    assert re.search(r"!torch\.vtensor<\[1,6,13,10\],f32>", conv), conv
