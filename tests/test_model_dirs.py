"""More than one models directory: the pyproject setting, the environment override, and
unique, readable names when file stems collide."""

import json

from integrator.ingress.models import discover


def test_colliding_stems_get_just_enough_of_their_path(tmp_path):
    for folder, files in {"models": ["mlp.py", "mlp.onnx", "conv.py"],
                          "level1": ["mlp.py", "relu.mlir"]}.items():
        (tmp_path / folder).mkdir()
        for name in files:
            (tmp_path / folder / name).write_text("")
    names = sorted(m.name for m in discover([tmp_path / "models", tmp_path / "level1"]))
    # Three mlp files: the directory alone does not tell models/'s two apart, so the whole
    # group is named by directory and file name.
    assert names == ["conv", "level1.mlp.py", "models.mlp.onnx", "models.mlp.py", "relu"]
    (tmp_path / "models" / "mlp.onnx").unlink()
    names = sorted(m.name for m in discover([tmp_path / "models", tmp_path / "level1"]))
    assert names == ["conv", "level1.mlp", "models.mlp", "relu"]
    formats = {m.name: m.format for m in discover([tmp_path / "models", tmp_path / "level1"])}
    assert formats["relu"] == "mlir" and formats["conv"] == "torch"
    # The same directory twice is one directory.
    assert len(discover([tmp_path / "level1", tmp_path / "level1"])) == 2


def test_pyproject_dirs_and_environment_override(make_project):
    project = make_project("kb_matmul")
    project.add_model("kb_matmul", directory="kernels")
    project.add_model("kb_softmax", directory="kernels")
    project.edit_pyproject('models = ["models"]', 'models = ["models", "kernels"]')

    listing = project.doit("list", "--all").stderr
    names = {line.split()[0] for line in listing.splitlines()}
    assert {"import:models.kb_matmul", "import:kernels.kb_matmul", "import:kb_softmax"} <= names
    run = project.doit("run", "import:kernels.kb_matmul")
    assert run.returncode == 0, run.stderr
    info = json.loads((project.cache / "kernels.kb_matmul" / "import.json").read_text())
    assert info["source"].endswith("kernels/kb_matmul.py")

    # INTEGRATOR_MODELS replaces the list (paths relative to the project root): no collision.
    override = {"INTEGRATOR_MODELS": "kernels"}
    names = {line.split()[0] for line in project.doit("list", "--all", env=override).stderr.splitlines()}
    assert {"import:kb_matmul", "import:kb_softmax"} <= names
    assert not any("models." in n or "kernels." in n for n in names)
    catalogue = project.integrator("models", "--json", env=override)
    assert [r["model"] for r in json.loads(catalogue.stdout)] == ["kb_matmul", "kb_softmax"]
    # The same catalogue as a doit task.
    shown = project.doit("run", "models")
    assert shown.returncode == 0 and "kernels.kb_matmul  torch" in shown.outputs["models"]

    missing = project.doit("list", env={"INTEGRATOR_MODELS": "kernels:nowhere"})
    assert "warning: models directory" in missing.stderr and "nowhere does not exist" in missing.stderr
