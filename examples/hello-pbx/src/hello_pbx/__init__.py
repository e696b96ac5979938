"""A tiny package released by the pbx demo pipeline."""

import sys
from importlib.metadata import version

__version__ = version("hello-pbx")


def main() -> int:
    if "--version" in sys.argv[1:]:
        print(__version__)
        return 0
    print(f"hello from hello-pbx {__version__}")
    return 0
