"""Problem sizes known before anything is allocated (meta device), resized without editing
the model file (globals), and a problem too large for the machine failing fast."""

import json
import time

from integrator.ingress.models import discover
from integrator.ingress.sizing import NEEDS, measure

SHAPES = '''
import torch

rows = 6
cols = 10

class Model(torch.nn.Module):
    def __init__(self, hidden, scale):
        super().__init__()
        self.linear = torch.nn.Linear(cols, hidden)
        self.register_buffer("offset", torch.arange(hidden))
        self.scale = scale

    def forward(self, x, pair, n, flag):
        y = self.linear(x) * self.scale + pair[0].sum() + pair[1].float().mean() + n
        return y, y + self.offset.float()

def get_init_inputs():
    return [7, 0.5]

def get_inputs():
    return [torch.randn(rows, cols), [torch.ones(3, 4), torch.arange(5)], 2, True]
'''

HUGE = '''
import torch

batch_size = 4096
dim = 393216 * 16  # 100 GB per tensor: sized for no machine this runs on

class Model(torch.nn.Module):
    def forward(self, x):
        return torch.softmax(x, dim=1)

def get_init_inputs():
    return []

def get_inputs():
    return [torch.randn(batch_size, dim)]
'''


def _model(project, name):
    return next(m for m in discover([project.root / "models"]) if m.name == name)


def test_sizes_on_the_meta_device_match_the_real_tensors(make_project):
    project = make_project()
    project.write_model("shapes", SHAPES)
    sizes = measure(_model(project, "shapes"), "import")
    assert sizes.parameters == (7 * 10 + 7) * 4 + 7 * 8  # linear weight and bias, int64 buffer
    assert sizes.inputs == 6 * 10 * 4 + 3 * 4 * 4 + 5 * 8  # the scalars take no memory
    assert sizes.outputs == 2 * 6 * 7 * 4
    assert sizes.need("check") == sizes.parameters + sizes.inputs + 2 * sizes.outputs
    assert set(NEEDS) == {"import", "check", "bench"}


def test_a_problem_too_large_fails_fast_with_an_override_that_fits(make_project):
    project = make_project()
    project.write_model("huge", HUGE)
    started = time.perf_counter()
    run = project.doit("run", "import:huge")
    seconds = time.perf_counter() - started
    assert run.returncode != 0
    assert seconds < 60, seconds  # nothing was allocated: no 100 GB tensor was made
    message = run.stderr
    assert "import:huge" in message and "needs ~" in message and "GiB of memory is available" in message
    assert "inputs 96.0 GiB" in message  # 4096 x 6291456 float32
    assert "[tool.integrator.overrides.huge] globals = {" in message
    assert not (project.cache / "huge" / "import.mlirbc").exists()


def test_a_globals_override_resizes_the_problem_and_rebuilds_its_import(make_project):
    project = make_project()
    project.write_model("shapes", SHAPES)
    with open(project.root / "pyproject.toml", "a") as f:
        f.write('\n[tool.integrator.overrides.shapes]\nglobals = { rows = 3 }\n')
    assert project.doit("run", "check:shapes").returncode == 0
    info = json.loads((project.cache / "shapes" / "import.json").read_text())
    assert info["inputs"][0]["shape"] == [3, 10]
    assert info["sizes"]["inputs"] == 3 * 10 * 4 + 3 * 4 * 4 + 5 * 8
    project.edit_pyproject("globals = { rows = 3 }", "globals = { rows = 5 }")
    run = project.doit("run", "check:shapes")
    assert run.returncode == 0 and "import:shapes" in run.executed
    info = json.loads((project.cache / "shapes" / "import.json").read_text())
    assert info["inputs"][0]["shape"] == [5, 10]
    # a name the file does not define is an error naming it
    project.edit_pyproject("globals = { rows = 5 }", "globals = { rowz = 5 }")
    run = project.doit("run", "import:shapes")
    assert run.returncode != 0 and "globals: 'rowz' is not a module-level" in run.stderr


def test_globals_on_the_command_line_resize_one_run(make_project):
    project = make_project()
    project.write_model("shapes", SHAPES)
    run = project.doit("run", "import:shapes", "globals=rows=4,cols=8")
    assert run.returncode == 0, run.stderr
    info = json.loads((project.cache / "shapes" / "import.json").read_text())
    assert info["inputs"][0]["shape"] == [4, 8]
    # the sizes are in the key: the file's own sizes build again without the variable
    run = project.doit("run", "import:shapes")
    assert run.returncode == 0 and "import:shapes" in run.executed
    info = json.loads((project.cache / "shapes" / "import.json").read_text())
    assert info["inputs"][0]["shape"] == [6, 10]
    run = project.doit("run", "import:shapes", "globals=rows=")
    assert run.returncode != 0 and "globals='rows=' cannot be read" in run.stderr + str(run.errors)
