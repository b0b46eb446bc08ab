"""The skdense command: compare runs, prints its table, writes its files."""

import json
import subprocess
import sys

import numpy as np
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


def _messy_table(n=800, seed=0):
    """A table as people have it: text and yes/no columns, NaN, a label."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(seed)
    income = rng.lognormal(10, 1, n)
    city = rng.choice(["Oslo", "Lima", "Pune"], n)
    owner = rng.choice(["yes", "no"], n)
    score = np.log(income) + (city == "Lima") + rng.normal(0, 0.3, n)
    table = pd.DataFrame({"income": income, "city": city, "owner": owner})
    table.loc[::9, "income"] = np.nan
    table.loc[::11, "city"] = None
    table["approved"] = np.where(score > np.median(score), "approved", "refused")
    table["amount"] = score * 1000.0
    return table


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_compare_your_own_table(tmp_path, capsys, suffix):
    """A CSV or Parquet file with text columns and NaN: every model runs on
    the same folds and the table has a row for each."""
    table = _messy_table().drop(columns="amount")
    path = tmp_path / f"loans{suffix}"
    if suffix == ".csv":
        table.to_csv(path, index=False)
    else:
        pytest.importorskip("pyarrow")
        table.to_parquet(path)
    out = tmp_path / "out"
    args = ["compare", "--data", str(path), "--target", "approved", "--cv", "2"]
    assert cli.main([*args, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith("| model | cv accuracy | fit time (s) | test accuracy |")
    assert [row.split("|")[1].strip() for row in lines[2:]] == [
        "tabular",
        "boosting",
        "mlp",
        "linear",
    ]
    assert "classification of 'approved'" in captured.err
    rows = json.loads((out / "results.json").read_text())["results"]
    assert all(row["test_accuracy"] > 0.7 for row in rows)  # the label is learnable
    assert "study_notes_figure" not in rows[0]


def test_compare_your_own_table_regression(tmp_path, capsys):
    path = tmp_path / "amounts.csv"
    _messy_table().drop(columns="approved").to_csv(path, index=False)
    args = ["compare", "--data", str(path), "--target", "amount"]
    assert cli.main([*args, "--models", "boosting,linear", "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "regression of 'amount'" in captured.err
    assert captured.out.splitlines()[0].startswith("| model | cv R² | cv RMSE |")
    forced = [*args, "--task", "classification", "--models", "linear"]
    assert cli.main([*forced, "--out", str(tmp_path)]) == 1  # classes of one row
    assert "error" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--data", "t.csv"], "--data needs --target"),
        (["--target", "y"], "--target goes with --data"),
        (["--data", "t.csv", "--target", "y", "--epochs", "3"], "--epochs"),
        (["--data", "t.csv", "--target", "y", "--models", "sgd"], "are for --dataset"),
        (["--dataset", "digits", "--models", "boosting"], "are for --data"),
        (["--dataset", "digits", "--data", "t.csv"], "not allowed with"),
    ],
)
def test_options_of_the_other_mode_are_usage_errors(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["compare", *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_a_target_that_is_not_a_column_is_named(tmp_path, capsys):
    path = tmp_path / "t.csv"
    _messy_table().to_csv(path, index=False)
    assert cli.main(["compare", "--data", str(path), "--target", "Approved"]) == 1
    assert "target='Approved' is not a column" in capsys.readouterr().err


def test_bare_command_prints_the_help(capsys):
    assert cli.main([]) == 0
    assert "compare" in capsys.readouterr().out


def test_every_option_has_help():
    parser = cli.build_parser()
    compare_parser = parser._subparsers._group_actions[0].choices["compare"]
    for action in compare_parser._actions:
        assert action.help, action.dest


def test_n_samples_is_honoured_on_diabetes(tmp_path, capsys):
    args = ["compare", "--dataset", "diabetes", "--models", "ridge", "--cv", "2"]
    assert cli.main([*args, "--n-samples", "100", "--out", str(tmp_path)]) == 0
    assert "100 training and" in capsys.readouterr().err


@pytest.mark.parametrize("seed, same", [(7, True), (8, False)])
def test_random_state_seeds_the_run(tmp_path, capsys, seed, same):
    args = ["compare", "--dataset", "digits", "--models", "sgd", "--cv", "2"]

    def figures(random_state, out):
        assert cli.main([*args, "--random-state", str(random_state), "--out", out]) == 0
        rows = json.loads((tmp_path / out / "results.json").read_text())["results"]
        return rows[0]["cv_accuracy_mean"], rows[0]["test_accuracy"]

    first = figures(7, str(tmp_path / "a"))
    # Same seed, same folds and model: the same figures, bit for bit.
    assert (figures(seed, str(tmp_path / "b")) == first) is same
