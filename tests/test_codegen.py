"""Client code generators accept the README's operations as written (tools/codegen-check).

Runs GraphQL Code Generator (TypeScript, client preset) and ariadne-codegen (Python) against
schema.graphql; a minute or two, mostly npm ci and pip install. Deselect with
`-m "not codegen"` when offline.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "codegen-check"


@pytest.mark.codegen
@pytest.mark.skipif(shutil.which("npm") is None, reason="graphql-codegen needs npm")
def test_graphql_codegen_and_ariadne_codegen_accept_the_readme_operations() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=600, check=False
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "accept the README's" in done.stdout
