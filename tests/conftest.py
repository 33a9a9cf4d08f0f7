"""Shared fixtures: the real shipped model, the reference release, a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "corpora" / "demo" / "bairaq_nur_otan_almaty.txt"


@pytest.fixture(scope="session")
def nlp():
    import kznlp

    return kznlp.load()


@pytest.fixture(scope="session")
def reference_text() -> str:
    return REFERENCE.read_text("utf-8")


@pytest.fixture(scope="session")
def reference_doc(nlp, reference_text):
    return nlp.process(reference_text, doc_id="bairaq_nur_otan_almaty")


def run_cli(*args: str, stdin: bytes | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run the real ``kznlp`` command in a child process."""
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    return subprocess.run([sys.executable, "-m", "kznlp.cli", *args], input=stdin, capture_output=True,
                          timeout=timeout, env=env, cwd=ROOT)
