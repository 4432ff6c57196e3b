"""nntui: build, train and look inside a fully-connected neural network in your terminal."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nntui")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
