"""The installed command line answers --help and --version, as nntui and python -m nntui."""

import subprocess
import sys

import pytest

from nntui import __version__


@pytest.mark.parametrize("command", [["nntui"], [sys.executable, "-m", "nntui"]])
def test_version_and_help(command):
    if command == ["nntui"]:
        import shutil

        exe = shutil.which("nntui")
        assert exe, "the nntui console script is not installed"
        command = [exe]
    version = subprocess.run([*command, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == f"nntui {__version__}"
    assert __version__ != "0.0.0+unknown"
    helptext = subprocess.run([*command, "--help"], capture_output=True, text=True, check=True)
    assert "usage: nntui" in helptext.stdout
