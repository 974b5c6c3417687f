"""Usage errors of ``stadtregion``: one line on stderr, exit code 2, never a traceback."""

from __future__ import annotations

import pytest

from api.cli import main


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.argv", ["stadtregion", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return exc.value.code, out.out, out.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("reachable", "--from", "Jena", "--windw", "07:00-08:00"),
            "error: No such option: --windw (did you mean --window?)",
        ),
        (("transit", "reachable", "--date", "2019-05-15"), "error: Missing option '--from'."),
        (
            ("reachable", "--from", "Jena", "--max-minutes", "abc"),
            "error: Invalid value for '--max-minutes'",
        ),
        (("reachabel",), "error: No such command 'reachabel'. Did you mean 'reachable'?"),
        (("transit", "reachable", "--from", "Jena", "--window", "0700"), "error: window '0700'"),
    ],
    ids=["unknown option", "missing option", "bad number", "unknown command", "bad window"],
)
def test_usage_error_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    message: str,
) -> None:
    code, _, err = run(capsys, monkeypatch, *args)
    assert code == 2
    assert err.startswith(message), err
    assert err.count("\n") == 1  # one line


def test_bare_command_shows_help_without_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, monkeypatch)
    assert code == 2
    assert "Usage: stadtregion" in out + err and "reachable" in out + err


def test_unknown_option_without_a_close_one_is_named(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, monkeypatch, "reachable", "--from", "Jena", "--zzz")
    assert code == 2 and err == "error: No such option: --zzz\n"
