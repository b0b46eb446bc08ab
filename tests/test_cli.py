"""The skdense command: compare runs, prints its table, writes its files."""

import json
import subprocess
import sys

import pytest

from skdense import cli


def test_compare_offline_on_digits(tmp_path, capsys):
    out = tmp_path / "results"
    code = cli.main(
        [
            "compare",
            "--dataset",
            "digits",
            "--models",
            "sgd,numpy",
            "--cv",
            "3",
            "--epochs",
            "50",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    table = captured.out.splitlines()
    assert table[0].startswith("| model | cv accuracy")
    assert [row.split("|")[1].strip() for row in table[2:]] == ["sgd", "numpy"]
    assert "[2/2] numpy: done" in captured.err  # progress, on stderr
    results = json.loads((out / "results.json").read_text())
    assert [r["model"] for r in results["results"]] == ["sgd", "numpy"]
    assert all(r["test_accuracy"] > 0.85 for r in results["results"])
    assert set(results["histories"]["numpy"]) == {
        "loss",
        "learning_rate",
        "accuracy",
        "val_loss",
        "val_accuracy",
    }
    assert (out / "results.csv").read_text().startswith("model,cv_accuracy_mean")
    pytest.importorskip("matplotlib")
    assert (out / "learning_curves.png").read_bytes()[:4] == b"\x89PNG"


def test_compare_breast_cancer_scales_inside_the_folds(tmp_path, capsys):
    code = cli.main(
        [
            "compare",
            "--dataset",
            "breast-cancer",
            "--models",
            "numpy,mlp",
            "--cv",
            "3",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    rows = json.loads((tmp_path / "results.json").read_text())["results"]
    assert all(r["cv_accuracy_mean"] > 0.93 for r in rows)


def test_compare_fashion_mnist_reports_reference_figures(
    tmp_path, capsys, fashion_mnist_home
):
    code = cli.main(
        [
            "compare",
            "--data-home",
            str(fashion_mnist_home),
            "--models",
            "sgd,numpy",
            "--cv",
            "2",
            "--n-samples",
            "3000",
            "--epochs",
            "5",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "0.8195" in out and "0.8151" in out  # the reference figures, side by side
    rows = json.loads((tmp_path / "results.json").read_text())["results"]
    assert rows[1]["test_accuracy"] > rows[0]["test_accuracy"] - 0.02


def test_bad_arguments_are_usage_errors(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["compare", "--models", "sgd,forest"])
    assert exit_info.value.code == 2
    assert "unknown model(s) ['forest']" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["compare", "--cv", "0"])


def test_missing_data_is_an_error_message_not_a_traceback(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setitem(sys.modules, "pooch", None)  # no download possible
    code = cli.main(
        [
            "compare",
            "--data-home",
            str(tmp_path / "empty"),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 1
    assert "skdense compare: error:" in capsys.readouterr().err


def test_module_runs_as_a_command():
    result = subprocess.run(
        [sys.executable, "-m", "skdense.cli", "compare", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--dataset {fashion-mnist,digits,breast-cancer,diabetes}" in result.stdout


def test_version_flag_prints_the_package_version(capsys):
    import skdense

    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"skdense {skdense.__version__}"


def test_compare_regression_on_diabetes(tmp_path, capsys):
    code = cli.main(
        [
            "compare",
            "--dataset",
            "diabetes",
            "--models",
            "ridge,numpy,mlp",
            "--cv",
            "3",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    table = capsys.readouterr().out.splitlines()
    assert (
        table[0] == "| model | cv R² | cv RMSE | fit time (s) | test R² | test RMSE |"
    )
    rows = {
        r["model"]: r
        for r in json.loads((tmp_path / "results.json").read_text())["results"]
    }
    assert list(rows) == ["ridge", "numpy", "mlp"]
    for row in rows.values():
        assert 0.3 < row["cv_r2_mean"] < 0.7 and 40 < row["cv_rmse_mean"] < 70
    # The bar: within 0.05 of Ridge and 0.03 of MLPRegressor.
    assert rows["numpy"]["cv_r2_mean"] >= rows["ridge"]["cv_r2_mean"] - 0.05
    assert rows["numpy"]["cv_r2_mean"] >= rows["mlp"]["cv_r2_mean"] - 0.03
    history = json.loads((tmp_path / "results.json").read_text())["histories"]["numpy"]
    assert set(history) == {"loss", "learning_rate", "val_loss", "val_r2"}


def test_compare_refuses_a_baseline_of_the_other_task(capsys):
    assert cli.main(["compare", "--dataset", "diabetes", "--models", "sgd"]) == 1
    assert "'sgd' is a classification baseline" in capsys.readouterr().err
