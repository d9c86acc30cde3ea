"""Hostile CSV files: budgets are checked before the work (lines counted while streaming,
each line's length bounded), the text is never held whole, and every refusal is one line
naming the file, exit status 2."""
from __future__ import annotations

import time
import tracemalloc

import pytest

from nn import datasets
from nn.datasets import DataError, load_csv
from tui.cli.main import main


def run(argv, capsys) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err


def test_a_field_over_the_csv_modules_limit_is_one_line_exit_2(tmp_path, capsys):
    f = tmp_path / "wide.csv"
    f.write_text("x1,x2,y\n0,0,0\n1,1," + "1" * 131_073 + "\n")
    code, err = run(["train", "--data", str(f), "--quiet"], capsys)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert f"{f}, line 3: longer than 4,096 characters" in err


def test_too_many_lines_are_refused_before_any_row_is_parsed(tmp_path, monkeypatch):
    f = tmp_path / "long.csv"
    f.write_text("0,0,0\n" * 1001)
    monkeypatch.setattr(datasets, "_parse_rows",
                        lambda *a: pytest.fail("parsed before the budget was checked"))
    with pytest.raises(DataError, match=r"long.csv: more than 1,000 lines"):
        load_csv(f, max_rows=1000)


def test_the_row_budget_is_exact(tmp_path):
    f = tmp_path / "rows.csv"
    f.write_text("0,0,0\n" * 1000)
    assert load_csv(f, max_rows=1000)[0].shape == (1000, 2)
    f.write_text("0,0,0\n" * 1000 + "1,1,1")  # a last line without a newline still counts
    with pytest.raises(DataError, match="more than 1,000 lines"):
        load_csv(f, max_rows=1000)


def test_the_default_row_budget_from_the_command_line(tmp_path, capsys):
    f = tmp_path / "many.csv"
    f.write_bytes(b"0,0,0\n" * (datasets.MAX_CSV_ROWS + 1))
    start = time.perf_counter()
    code, err = run(["train", "--data", str(f), "--quiet"], capsys)
    assert code == 2 and f"more than {datasets.MAX_CSV_ROWS:,} lines" in err
    assert time.perf_counter() - start < 2


def test_a_huge_line_is_never_held_whole(tmp_path):
    f = tmp_path / "one-line.csv"
    f.write_bytes(b"1" * 20_000_000)  # 20 MB, no newline: under the byte budget
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match="line 1: longer than"):
            load_csv(f)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000, peak  # chunks of 1 MiB and one bounded line, never 20 MB


def test_rows_are_held_compactly(tmp_path):
    f = tmp_path / "rows.csv"
    f.write_text("x1,x2,y\n" + "0.25,0.5,1\n" * 100_000)
    tracemalloc.start()
    try:
        X, y = load_csv(f)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert X.shape == (100_000, 2) and y.shape == (100_000, 1) and X[-1, 1] == 0.5
    assert peak < 24 * 100_000 * 3, peak  # 8 bytes a number (+ one copy), not a list of floats


def test_a_28x28_image_row_written_with_six_decimals_is_read(tmp_path):
    """784 pixels like 0.123456 make a 7 000-character line: refused by the x1,x2,y
    reader's 4 096-character budget although --image takes up to 28x28."""
    from nn.images import load_image_csv, max_line_chars

    f = tmp_path / "mnist.csv"
    rows = [",".join(f"{(i * 7 + j) % 1000 / 999:.6f}" for j in range(784)) + f",{i % 2}"
            for i in range(4)]
    f.write_text("\n".join(rows) + "\n")
    assert len(rows[0]) > 7000
    X, y = load_image_csv(f, (28, 28))
    assert X.shape == (4, 784) and list(y) == [0, 1, 0, 1]
    f.write_text("0," * 784 + "1" + "0" * max_line_chars((28, 28)) + "\n")
    with pytest.raises(DataError, match="line 1: longer than 25,120 characters"):
        load_image_csv(f, (28, 28))


def test_image_rows_are_held_compactly(tmp_path):
    from nn.images import load_image_csv

    f = tmp_path / "images.csv"
    f.write_text("".join("0," * 783 + f"1,{i % 2}\n" for i in range(2_000)))
    tracemalloc.start()
    try:
        X, y = load_image_csv(f, (28, 28))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert X.shape == (2_000, 784) and X[0, -1] == 1.0 and X.flags.c_contiguous
    # 8 bytes a number, the rows and one copy (was a list of Python floats: 6x the result)
    assert peak < 2.2 * X.nbytes, peak / X.nbytes


@pytest.mark.parametrize("content, words", [
    ("x1,x2,y\n0,0\n", "line 2: expected 3 columns"),
    ("0,0,0\n0,0,zz\n", "line 2: 'zz' is not a number"),
    ("# only a comment\n\n", "no data rows"),
    ("\ufeffx1,x2,y\n0,0,0\n1,1,1\n", None),     # a BOM and a header
    ("0,0,0\r\n1,1,1\r\n", None),                 # Windows line ends
])
def test_the_streaming_reader_keeps_the_rules(tmp_path, content, words):
    f = tmp_path / "d.csv"
    f.write_text(content, encoding="utf-8", newline="")
    if words is None:
        assert load_csv(f)[1].tolist() == [[0.0], [1.0]]
    else:
        with pytest.raises(DataError, match=words):
            load_csv(f)


def test_a_fifo_swapped_in_cannot_block(tmp_path):
    import os

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    start = time.perf_counter()
    with pytest.raises(DataError, match="not a regular file"):
        load_csv(fifo)
    assert time.perf_counter() - start < 1
