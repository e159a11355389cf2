"""The `metricaudit` command of the Python package (console script and `python -m
metricaudit`) against the CMake-built command: the same bytes on stdout and stderr
and the same exit status, on every bundled example, in every output format, and on
usage and input errors. One implementation is bound (bindings/src/audit.cpp), so any
difference is a bug in the binding (streams, terminal detection, argv)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import metricaudit
import metricaudit.cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if (p / "run.json").is_file())
# The CMake-built command. scripts/test builds it first and names it in
# METRICAUDIT_CMAKE_COMMAND, which turns a missing binary into a failure: CI never skips.
CMAKE_COMMAND = Path(
    os.environ.get("METRICAUDIT_CMAKE_COMMAND", ROOT / "build" / "release" / "audit" / "metricaudit")
)
if "METRICAUDIT_CMAKE_COMMAND" in os.environ and not CMAKE_COMMAND.is_file():
    raise RuntimeError(f"METRICAUDIT_CMAKE_COMMAND={CMAKE_COMMAND} does not exist")
needs_cmake_command = pytest.mark.skipif(
    not CMAKE_COMMAND.is_file(),
    reason=f"{CMAKE_COMMAND} not built (cmake --build --preset release --target metricaudit)",
)


def console_script() -> str:
    """The `metricaudit` that pip installed beside this interpreter."""
    script = Path(sys.executable).parent / "metricaudit"
    if script.is_file():
        return str(script)
    found = shutil.which("metricaudit")
    assert found, "pip install . did not put `metricaudit` on PATH"
    return found


# The three ways to run the command; each gets argv without the program name.
RUNNERS = {
    "cmake": lambda: [str(CMAKE_COMMAND)],
    "script": lambda: [console_script()],
    "module": lambda: [sys.executable, "-m", "metricaudit"],
}


def run(runner: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        RUNNERS[runner]() + list(args),
        cwd=ROOT,
        capture_output=True,
        env=dict(os.environ, **(env or {})),
        timeout=300,
    )


def assert_same(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess[bytes]:
    ref = run("cmake", *args, env=env)
    for runner in ("script", "module"):
        got = run(runner, *args, env=env)
        assert got.returncode == ref.returncode, (runner, args, got.stderr.decode())
        assert got.stdout == ref.stdout, (runner, args)
        assert got.stderr == ref.stderr, (runner, args)
    return ref


@needs_cmake_command
@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_audit_matches_cmake_command(example: str, fmt: str) -> None:
    ref = assert_same(["audit", f"examples/{example}", "--format", fmt])
    assert ref.returncode in (0, 1), ref.stderr.decode()
    assert ref.stdout  # a report was written, not an empty agreement


@needs_cmake_command
@pytest.mark.parametrize(
    "args",
    [
        ["audit", "examples/seed-torchmetrics-macro", "--summary"],
        ["audit", "examples/seed-torchmetrics-macro", "--color", "always"],
        ["audit", "examples/seed-torchmetrics-macro/progress.txt", "--num-classes", "12"],
        ["audit", "examples/clean", "--metric", "val_acc=accuracy", "--metric", "v_num=ignore"],
        ["explain", "examples/seed-torchmetrics-macro/predictions/val_epoch5.npz"],
        ["explain", "examples/softmax-twice/predictions/val_epoch0.npz", "--format", "json"],
        ["--version"],
        ["--help"],
        ["audit", "--help"],
        # usage and input errors: exit 2, the message on stderr
        [],
        ["audit"],
        ["audit", "examples/no-such-run"],
        ["audit", "examples/clean", "--format", "html5"],
        ["audit", "examples/clean", "--metric", "val_acc"],
        ["audit", "examples/clean", "--num-classes", "0"],
        ["explain", "examples/README.md"],
    ],
    ids=lambda a: " ".join(a) or "no-args",
)
def test_command_matches_cmake_command(args: list[str]) -> None:
    assert_same(args)


@needs_cmake_command
def test_no_color_is_read_like_the_cmake_command() -> None:
    # Off a terminal --color auto is plain either way; NO_COLOR must not break `always`.
    assert_same(["audit", "examples/seed-torchmetrics-macro", "--color", "always"], env={"NO_COLOR": "1"})


def test_exit_status_and_streams_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    # In-process (a notebook, pytest): the report reaches sys.stdout, errors sys.stderr.
    from metricaudit import cli

    status = cli.run(["audit", str(ROOT / "examples" / "seed-torchmetrics-macro"), "--summary"])
    out, err = capsys.readouterr()
    assert status == 1
    assert "MA001" in out and "accuracy-macro-absent-zero" in out
    assert err == ""
    status = cli.run(["audit", str(ROOT / "examples" / "no-such-run")])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.startswith("metricaudit: error: ") and "no-such-run: no such file or directory" in err


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    status = metricaudit.cli.run(["audit", str(ROOT / "examples" / "clean"), "--format", "json", "-o", str(out)])
    assert status == 0
    assert json.loads(out.read_text())["exit_status"] == 0


def test_colour_follows_isatty() -> None:
    # A stream that says it is a terminal gets ANSI colour (as main.cpp's isatty);
    # NO_COLOR turns it off.
    import io

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    args = ["audit", str(ROOT / "examples" / "seed-torchmetrics-macro"), "--summary"]
    plain, tty = io.StringIO(), Tty()
    metricaudit.cli.run(args, stdout=plain, stderr=io.StringIO())
    metricaudit.cli.run(args, stdout=tty, stderr=Tty())
    assert "\x1b[" not in plain.getvalue()
    assert "\x1b[" in tty.getvalue()
    no_colour = Tty()
    os.environ["NO_COLOR"] = "1"
    try:
        metricaudit.cli.run(args, stdout=no_colour, stderr=io.StringIO())
    finally:
        del os.environ["NO_COLOR"]
    assert no_colour.getvalue() == plain.getvalue()


def test_version_is_the_cmake_project_version() -> None:
    import re
    from importlib.metadata import version

    cmake = (ROOT / "CMakeLists.txt").read_text()
    declared = re.search(r"project\(metricaudit\s+VERSION\s+([0-9.]+)", cmake).group(1)
    assert metricaudit.__version__ == declared
    assert version("metricaudit") == declared  # the wheel's metadata
    assert metricaudit.audit(ROOT / "examples" / "clean").tool_version == declared
    out = subprocess.run([console_script(), "--version"], capture_output=True, text=True).stdout
    assert out.strip() == f"metricaudit {declared}"


@needs_cmake_command
def test_a_closed_reader_ends_every_runner_with_sigpipe() -> None:
    # `metricaudit audit RUN | head`: the C++ command dies of SIGPIPE; so does the Python one.
    import signal

    for runner in RUNNERS:
        p = subprocess.Popen(
            RUNNERS[runner]() + ["audit", "examples/seed-torchmetrics-macro"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        p.stdout.close()  # before the report is written (the audit takes a while)
        _, err = p.communicate(timeout=300)
        assert p.returncode == -signal.SIGPIPE, (runner, p.returncode, err.decode())


def test_html_without_matplotlib_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh `pip install .` has no matplotlib: `--format html` exits 2 with the sentence
    that says what to install, not a Python traceback."""
    import io

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` raises ImportError
    out, err = io.StringIO(), io.StringIO()
    pair = ROOT / "examples" / "keras-to-lightning"
    status = metricaudit.cli.run(
        ["compare", str(pair / "keras"), str(pair / "lightning"), "--format", "html"],
        stdout=out, stderr=err,
    )
    assert status == 2
    assert "pip install matplotlib" in err.getvalue()
    assert "At:" not in err.getvalue() and "Traceback" not in err.getvalue(), err.getvalue()
