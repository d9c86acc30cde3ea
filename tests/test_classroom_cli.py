"""The classroom's command line: share learn NAME, follow --name, record, --record."""
import pytest

from tui.cli.main import main


@pytest.mark.parametrize("argv, words", [
    (["share", "learn", "no-such-lesson"], "is not a built-in lesson"),
    (["share", "learn", "/etc/passwd"], "is not a built-in lesson"),
    (["share", "--code", "4831"], "a join code is 6 to 32 letters and digits"),
    (["follow", "127.0.0.1:9", "ABCDEF", "--name", "\x1b[31mred"], "a name is 1 to 32"),
    (["follow", "127.0.0.1:9", "ABCDEF", "--name", "x" * 33], "a name is 1 to 32"),
    (["follow", "127.0.0.1:9", "ABC"], "a join code is 6 to 32"),
    (["record", "missing.json", "x.cast"], "no such file"),
    (["--record"], "expected a file name"),
])
def test_bad_classroom_arguments_give_one_line_and_status_2(argv, words, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "\x1b[31m" not in err
