"""DESIGN §4: the engine imports numpy and the standard library, never Django."""

from __future__ import annotations

import subprocess
import sys


def test_importing_engine_loads_no_django() -> None:
    code = (
        "import sys, duibiao.engine, duibiao.schemes, duibiao.schemes.edits, duibiao.scoring_cli\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not bad, bad\n"
        "eng = [m for m in sys.modules if m.startswith(('pandas', 'yaml', 'jsonschema'))]\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_engine_alone_loads_neither_yaml_nor_pandas() -> None:
    code = (
        "import sys, duibiao.engine\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('django', 'yaml', 'jsonschema', 'pandas'))\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
