"""``torch.compile(model, backend="integrator")`` (integrator/ingress/torch_compile.py): the
backend is found by name, its results match eager, a graph break leaves part compiled and
part eager, an op IREE cannot lower runs eagerly with a warning, and a second process finds
the compiled module in the cache."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent('''
    import json, sys, warnings
    import torch
    from integrator.ingress.torch_compile import STATISTICS

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
            self.norm = torch.nn.BatchNorm2d(8)
            self.head = torch.nn.Linear(8, 5)

        def forward(self, x):
            y = torch.relu(self.norm(self.conv(x)))
            print("graph break")  # Dynamo splits the graph here
            return self.head(y.mean(dim=(2, 3)))

    torch.manual_seed(0)
    model = Model().eval()
    x = torch.randn(2, 3, 9, 7)
    with torch.no_grad():
        want = model(x)
        got = torch.compile(model, backend="integrator", dynamic=False)(x)
    print(json.dumps({"error": (got - want).abs().max().item(), "compiled": STATISTICS.compiled,
                      "cache_hits": STATISTICS.cache_hits, "eager": STATISTICS.eager}))
''')


def _run(script: str, cache: Path) -> dict:
    env = dict(os.environ, INTEGRATOR_CACHE=str(cache))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_backend_is_registered_by_name():
    import torch._dynamo

    assert "integrator" in torch._dynamo.list_backends()


def test_graph_break_compiles_both_graphs_and_a_second_process_compiles_nothing(tmp_path):
    first = _run(SCRIPT, tmp_path)
    assert first["error"] < 1e-4
    assert (first["compiled"], first["cache_hits"], first["eager"]) == (2, 0, [])
    assert len(list((tmp_path / "torch_compile").glob("*.vmfb"))) == 2
    second = _run(SCRIPT, tmp_path)
    assert second["error"] < 1e-4
    assert (second["compiled"], second["cache_hits"]) == (0, 2)


def test_an_op_iree_cannot_lower_runs_eagerly_with_one_warning(tmp_path, monkeypatch):
    from integrator.ingress import torch_compile

    monkeypatch.setenv("INTEGRATOR_CACHE", str(tmp_path))
    monkeypatch.setattr(torch_compile, "STATISTICS", torch_compile.Statistics())
    torch._dynamo.reset()

    def f(a):
        return torch.linalg.cholesky(a @ a.mT + torch.eye(a.shape[-1]))

    a = torch.randn(4, 6, 6)
    with pytest.warns(UserWarning, match="running a graph eagerly: IREE cannot lower"):
        got = torch.compile(f, backend="integrator", dynamic=False)(a)
    torch.testing.assert_close(got, f(a))
    assert torch_compile.STATISTICS.compiled == 0
    assert len(torch_compile.STATISTICS.eager) == 1 and "cholesky" in torch_compile.STATISTICS.eager[0]
