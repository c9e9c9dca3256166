"""One build step on top of pyproject.toml: the files the server reads at run time.

cards/, templates/, static/, migrations/ and alembic.ini live at the top of the source tree
(an editable install and the tests read them there). A wheel carries a copy of them inside the
package, as ``server/_share/``, where ``server.settings.ROOT`` finds them when the package is
installed normally (``pip install .``), so ``python -m server`` works from any directory.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHARED = ("cards", "templates", "static", "migrations", "alembic.ini")


class BuildPyWithSharedFiles(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # the source tree is read in place
            return
        target = Path(self.build_lib) / "server" / "_share"
        shutil.rmtree(target, ignore_errors=True)  # no file deleted from the tree survives a rebuild
        target.mkdir(parents=True)
        for name in SHARED:
            source = HERE / name
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildPyWithSharedFiles})
