"""Builds linksim._linksim with CMake (the project's own build) for pip.

LINKSIM_BUILD_DIR: an existing build tree to build the module in (the tests
use the release build, so nothing is compiled twice); otherwise
build/python under the source tree (LINKSIM_SOURCE_DIR, or this folder's
parent), configured for the interpreter pip runs.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        source = Path(os.environ.get("LINKSIM_SOURCE_DIR") or Path(__file__).resolve().parent.parent)
        build = Path(os.environ.get("LINKSIM_BUILD_DIR") or source / "build" / "python")
        if not (build / "CMakeCache.txt").exists():
            subprocess.check_call(["cmake", "-S", str(source), "-B", str(build), "-G", "Ninja",
                                   "-DCMAKE_BUILD_TYPE=Release", "-DLINKSIM_PYTHON=ON",
                                   "-DLINKSIM_BUILD_TESTS=OFF",
                                   f"-DPython3_EXECUTABLE={sys.executable}"])
        subprocess.check_call(["cmake", "--build", str(build), "--target", "_linksim"])
        built = sorted((build / "python" / "linksim").glob("_linksim*.so"))
        if not built:
            raise RuntimeError(f"no _linksim module in {build}/python/linksim")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built[0], target)


setup(ext_modules=[Extension("linksim._linksim", sources=[])], cmdclass={"build_ext": CMakeBuild})
