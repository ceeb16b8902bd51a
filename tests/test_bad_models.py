"""Broken models fail with one clear message naming model and stage, and break nothing else."""

from conftest import chain


def test_bad_models_fail_clearly_and_others_still_build(make_project):
    project = make_project("mlp", "bad_syntax", "bad_export", "bad_mismatch")
    project.only_baselines("torch_eager")
    run = project.doit("run", "--continue", "bench")
    assert run.returncode != 0

    # The good model builds completely.
    assert all(run.results[t] == "success" for t in chain("mlp")), run.results

    errors = run.errors
    assert errors["import:bad_syntax"].startswith("import:bad_syntax: syntax error at ")
    assert "bad_syntax.py:6" in errors["import:bad_syntax"]
    assert errors["import:bad_export"].startswith("import:bad_export: torch.export failed")
    assert errors["check:bad_mismatch"].startswith(
        "check:bad_mismatch: compiled output does not match torch eager"
    )
    assert "ATOL/RTOL" in errors["check:bad_mismatch"]
    # Each error is a message, not a traceback.
    assert not any("Traceback" in e for e in errors.values())

    # Failed stages leave no target behind; downstream stages never ran.
    cache = project.cache
    assert not (cache / "bad_syntax").exists()
    assert not (cache / "bad_export").exists()
    assert not (cache / "bad_mismatch" / "check.json").exists()
    assert (cache / "bad_mismatch" / "check.failed.json").exists()
    assert "bench:bad_mismatch" not in run.executed

    # A second run retries only the failed models; the good one is up to date.
    again = project.doit("run", "--continue", "bench")
    assert not (again.executed & set(chain("mlp")))
    assert "import:bad_syntax" in again.executed and "check:bad_mismatch" in again.executed
