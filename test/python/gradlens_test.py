"""Shared helpers of the Python tests: the built CLI (dist/cli.js), temporary folders, and
the package under python/. Importing torch here makes a machine without it fail every
test loudly instead of skipping any."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import torch  # noqa: F401  (a missing torch is an error, never a skip)

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "dist" / "cli.js"
PYTHON = "/usr/bin/python3"
sys.path.insert(0, str(ROOT / "python"))

if not CLI.exists():
    raise RuntimeError("dist/cli.js is missing: run `npm run build` first")


def gradlens(*args, cwd=None):
    """Run the built CLI; returns the CompletedProcess (text)."""
    return subprocess.run(["node", str(CLI), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)


def gradlens_json(*args):
    result = gradlens(*args)
    if result.returncode not in (0, 1):
        raise AssertionError(f"gradlens {' '.join(map(str, args))} exited {result.returncode}: {result.stderr}")
    return json.loads(result.stdout)


def python(*args, cwd=None, env=None):
    """Run a Python script with Debian's python3 (torch 1.13)."""
    return subprocess.run([PYTHON, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600,
                          env={**os.environ, **(env or {})})


class TempDir:
    """A temporary folder removed at exit, for `with TempDir() as d:`."""

    def __enter__(self):
        self.path = Path(tempfile.mkdtemp(prefix="gradlens-test-"))
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)
