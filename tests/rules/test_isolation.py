"""zhuqi.rules must not import Django: it is evaluated in batch jobs and benchmarks on its own."""

import subprocess
import sys


def test_rules_package_imports_no_django():
    code = (
        "import sys, pkgutil, importlib, zhuqi.rules as r\n"
        "for m in pkgutil.walk_packages(r.__path__, 'zhuqi.rules.'): importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n == 'django' or n.startswith('django.'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PATH": ""})
    assert result.returncode == 0, result.stdout + result.stderr
