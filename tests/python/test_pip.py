"""pip installs the module into a virtual environment from the source tree,
offline (--no-build-isolation --no-index, Debian's setuptools; Debian's
numpy and pandas through --system-site-packages), and the installed module
imports and runs outside the source tree."""

import os
import shutil
import subprocess
from pathlib import Path

SOURCE = Path(os.environ.get("LINKSIM_SOURCE_DIR", Path(__file__).resolve().parents[2]))


def test_pip_installs_into_a_virtual_environment(tmp_path):
    # A copy of python/, so that pip's in-tree build leaves the checkout clean.
    package = tmp_path / "python"
    shutil.copytree(SOURCE / "python", package, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    venv = tmp_path / "venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv)],
                   check=True)
    env = dict(os.environ, LINKSIM_SOURCE_DIR=str(SOURCE))
    env.pop("PYTHONPATH", None)  # the installed module, not the build's
    if "LINKSIM_BUILD_DIR" not in env:
        env["LINKSIM_BUILD_DIR"] = str(SOURCE / "build" / "release")
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-build-isolation", "--no-deps",
                          "--no-index", str(package)], env=env, capture_output=True, text=True)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    code = ("import linksim, sys; "
            "s = linksim.load(sys.argv[1], set={'population.buyers': 2000, 'calendar.days': 20, "
            "'calendar.warmup_days': 5, 'replications': 2, 'population.merchants': 60, "
            "'population.streamers': 15, 'buyers.arrivals.per_day': 4}); "
            "r = linksim.run(s, progress=False); "
            "print(linksim.__file__); print(r.summary.set_index('metric').loc['gmv', 'mean'])")
    out = subprocess.run([str(venv / "bin" / "python"), "-c", code,
                          str(SOURCE / "scenarios" / "open_links.yaml")],
                         env=env, cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    where, gmv = out.stdout.split()
    assert where.startswith(str(venv)), where
    assert float(gmv) > 0
