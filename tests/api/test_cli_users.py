"""``stadtregion users …``: accounts from the command line, as an admin runs it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from api.cli import main
from geo.access.accounts import Accounts
from geo.settings import Settings, get_settings

PASSWORD = "correct horse battery staple"
Run = Callable[..., tuple[int, str, str]]


class Terminal(io.StringIO):
    """Standard input that is a terminal (the password is then asked for)."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def app_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"landpool_gpkg": tmp_path / "lp.gpkg"})


@pytest.fixture
def cli(
    app_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Run]:
    """Run ``stadtregion ARGS`` in this process with ``stdin`` text: (code, stdout, stderr)."""
    monkeypatch.setenv("STADTREGION_LANDPOOL_GPKG", str(app_settings.landpool_gpkg))
    monkeypatch.setenv("STADTREGION_PROCESSED_DIR", str(app_settings.processed_dir))
    monkeypatch.delenv("STADTREGION_DATABASE_URL", raising=False)

    def run(*args: str, stdin: str = "", tty: bool = False) -> tuple[int, str, str]:
        get_settings.cache_clear()
        monkeypatch.setattr(sys, "argv", ["stadtregion", "users", *args])
        monkeypatch.setattr(sys, "stdin", Terminal(stdin) if tty else io.StringIO(stdin))
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    yield run
    get_settings.cache_clear()


def _login(settings: Settings, name: str, password: str) -> bool:
    with Accounts.open(settings) as accounts:
        try:
            accounts.login(name, password, "127.0.0.1")
        except Exception:
            return False
        return True


def test_create_the_first_admin_from_stdin_and_list(cli: Run, app_settings: Settings) -> None:
    code, out, err = cli("list")
    assert code == 0 and "no users" in out and "--role admin" in out
    code, out, err = cli(
        "create",
        "Ada",
        "--role",
        "admin",
        "--display-name",
        "Ada L.",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 0 and out == "" and "user 'ada' (admin) created." in err
    assert PASSWORD not in out + err
    code, out, _ = cli("list")
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["username", "role", "state", "last"]
    assert lines[1].split() == ["ada", "admin", "active", "never", "0", "Ada", "L."]
    assert _login(app_settings, "ada", PASSWORD)
    code, out, _ = cli("list")
    assert "never" not in out.splitlines()[1]


def test_generate_prints_the_password_once_on_stdout(cli: Run, app_settings: Settings) -> None:
    code, out, err = cli("create", "pia", "--role", "planner", "--generate")
    assert code == 0 and len(out.strip()) == 24 and "shown once" in err
    assert _login(app_settings, "pia", out.strip())
    code, again, err = cli("reset-password", "pia", "--generate")
    assert code == 0 and again.strip() != out.strip() and "sessions have ended" in err
    assert not _login(app_settings, "pia", out.strip())
    assert _login(app_settings, "pia", again.strip())


def test_the_prompt_asks_twice_hidden(
    cli: Run, app_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([PASSWORD, PASSWORD + "x"])
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    code, out, err = cli("create", "lars", "--role", "landpool", tty=True)
    assert (
        code == 2
        and "the two passwords differ" in err
        and prompts
        == [
            "Password: ",
            "Repeat the password: ",
        ]
    )
    answers = iter([PASSWORD, PASSWORD])
    code, out, err = cli("create", "lars", "--role", "landpool", tty=True)
    assert code == 0 and PASSWORD not in out + err
    assert _login(app_settings, "lars", PASSWORD)


def test_without_a_terminal_the_password_must_come_by_option(cli: Run) -> None:
    code, _out, err = cli("create", "lars", "--role", "landpool")
    assert code == 2 and err.count("\n") == 1
    assert "--password-stdin" in err and "--generate" in err


def test_bad_input_is_one_line_with_exit_2_and_never_echoes_a_password(cli: Run) -> None:
    cases = [
        (("create", "x", "--role", "planner", "--generate"), "2 to 64 characters"),
        (("create", "pia", "--role", "public", "--generate"), "needs no account"),
        (("create", "pia", "--role", "boss", "--generate"), "role 'boss' is unknown"),
        (("create", "pia", "--role", "planner", "--password-stdin"), "no password on standard"),
        (("create", "pia", "--role", "planner", "--password-stdin", "--generate"), "not both"),
        (("disable", "nobody"), "no user named 'nobody'"),
        (("reset-password", "nobody", "--generate"), "no user named 'nobody'"),
    ]
    for args, message in cases:
        code, out, err = cli(*args)
        assert code == 2 and message in err and err.count("\n") == 1, (args, err)
        assert out == ""
    code, out, err = cli(
        "create", "pia", "--role", "planner", "--password-stdin", stdin="Geheim-Pia\n"
    )
    assert code == 2 and "too short" in err and "Geheim-Pia" not in err + out
    code, _, err = cli("create", "pia", "--role", "planner", "--password-stdin", stdin="pia" * 5)
    assert code == 0
    code, out, err = cli("reset-password", "pia", "--password-stdin", stdin="Pia \n")
    assert code == 2 and "too short" in err


def test_an_existing_user_is_a_conflict_with_exit_1(cli: Run) -> None:
    assert cli("create", "pia", "--role", "planner", "--generate")[0] == 0
    code, out, err = cli("create", "PIA", "--role", "admin", "--generate")
    assert code == 1 and "'pia' exists" in err and out == ""


def test_disable_and_enable(cli: Run, app_settings: Settings) -> None:
    cli("create", "pia", "--role", "planner", "--password-stdin", stdin=PASSWORD)
    with Accounts.open(app_settings) as accounts:
        session = accounts.login("pia", PASSWORD, "127.0.0.1")
    code, out, _ = cli("disable", "pia")
    assert code == 0 and "disabled; its sessions have ended" in out
    assert not _login(app_settings, "pia", PASSWORD)
    with Accounts.open(app_settings) as accounts:
        assert accounts.authenticate(session.token) is None
    code, out, _ = cli("list")
    assert "disabled" in out
    assert cli("enable", "pia")[0] == 0 and _login(app_settings, "pia", PASSWORD)


def test_the_installed_command_as_a_new_user_runs_it(app_settings: Settings) -> None:
    env = {
        **os.environ,
        "STADTREGION_PROCESSED_DIR": str(app_settings.processed_dir),
        "STADTREGION_LANDPOOL_GPKG": str(app_settings.landpool_gpkg),
        "STADTREGION_DATABASE_URL": "",
    }
    exe = Path(sys.executable).parent / "stadtregion"

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(exe), "users", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    r = run("create", "ada", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    r = run("list")
    assert r.returncode == 0 and "ada" in r.stdout and "admin" in r.stdout
    r = run("create", "eve", "--role", "admin")  # no terminal: refused in one line
    assert r.returncode == 2 and r.stderr.startswith("error: ") and "Traceback" not in r.stderr
    r = run("nope")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_a_token_cannot_take_a_user_accounts_name(
    cli: Run,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Writes record a token's name as their author: a token named like an account would
    let the history name that person."""
    assert (
        cli("create", "pia", "--role", "planner", "--display-name", "Pia Sommer", "--generate")[0]
        == 0
    )

    def tokens(*args: str) -> tuple[int, str, str]:
        get_settings.cache_clear()
        monkeypatch.setattr(sys, "argv", ["stadtregion", "tokens", *args])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    for taken in ("pia", " PIA ", "pia sommer"):
        code, out, err = tokens("create", "--role", "planner", "--name", taken)
        assert code == 2 and out == "", (taken, out)
        assert err.startswith(f"error: --name {taken!r} is the name of the user account 'pia'")
        assert len(err.strip().splitlines()) == 1
    code, out, _ = tokens("create", "--role", "planner", "--name", "Fachdienst GIS")
    assert code == 0 and out.startswith("sr_")
    assert "no tokens" not in tokens("list")[1] and "Fachdienst GIS" in tokens("list")[1]
