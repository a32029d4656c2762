"""
Packaging of microdegree-xblock.

The repository keeps ``static/`` and ``templates/`` at its top level; they are installed inside the package as
``microdegree_xblock/static`` and ``microdegree_xblock/templates`` (see ``package_dir`` below), where
``microdegree_xblock.resources`` finds them.
"""
import os
import re
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent


def version() -> str:
    """The version from the package's ``__init__``."""
    text = (HERE / "microdegree_xblock" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def requirements(name: str) -> list[str]:
    """The requirements of a ``requirements/*.in`` file (``-c``/``-r`` lines skipped)."""
    lines = (HERE / "requirements" / name).read_text(encoding="utf-8").splitlines()
    return [line.split("#")[0].strip() for line in lines
            if line.split("#")[0].strip() and not line.startswith(("-c", "-r"))]


def data_packages(top: str) -> tuple[list[str], dict[str, str], dict[str, list[str]]]:
    """Map a top-level data directory and its subdirectories into the package."""
    packages, package_dir, package_data = [], {}, {}
    for root, _dirs, files in os.walk(HERE / top):
        relative = Path(root).relative_to(HERE)
        name = "microdegree_xblock." + ".".join(relative.parts)
        packages.append(name)
        package_dir[name] = relative.as_posix()
        package_data[name] = [f for f in files if not f.startswith(".")]
    return packages, package_dir, package_data


PACKAGES = [
    "microdegree_xblock",
    "microdegree_xblock.settings",
    "microdegree_xblock.migrations",
    "microdegree_xblock.management",
    "microdegree_xblock.management.commands",
    "microdegree_xblock.credentials",
]
PACKAGE_DIR = {"microdegree_xblock": "microdegree_xblock"}
PACKAGE_DATA = {
    "microdegree_xblock": ["py.typed", "locale/*/LC_MESSAGES/*.po", "locale/*/LC_MESSAGES/*.mo"],
    # The bundled JSON-LD contexts (nothing is fetched at run time) and where each came from.
    "microdegree_xblock.credentials": ["contexts/*.json", "contexts/*.jsonld", "contexts/NOTICE"],
}
for data_dir in ("static", "templates"):
    more_packages, more_dirs, more_data = data_packages(data_dir)
    PACKAGES += more_packages
    PACKAGE_DIR.update(more_dirs)
    PACKAGE_DATA.update(more_data)

setup(
    name="microdegree-xblock",
    version=version(),
    description="Micro-credentials and micro-degrees for Open edX: an XBlock and an LMS/Studio plugin.",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="AGPL-3.0",
    packages=PACKAGES,
    package_dir=PACKAGE_DIR,
    package_data=PACKAGE_DATA,
    include_package_data=False,
    python_requires=">=3.11",
    install_requires=requirements("base.in"),
    extras_require={
        "completion": ["edx-completion>=4.7"],
        "jwt": ["edx-drf-extensions>=10"],
    },
    entry_points={
        "xblock.v1": ["microdegree = microdegree_xblock.block:MicrodegreeXBlock"],
        "lms.djangoapp": ["microdegree = microdegree_xblock.apps:MicrodegreeConfig"],
        "cms.djangoapp": ["microdegree = microdegree_xblock.apps:MicrodegreeConfig"],
    },
    classifiers=[
        "Development Status :: 4 - Beta",
        "Framework :: Django",
        "Framework :: Django :: 4.2",
        "Framework :: Django :: 5.2",
        "Intended Audience :: Education",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
    ],
    zip_safe=False,
)
