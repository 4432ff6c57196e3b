"""nntui: build, train and look inside a fully-connected neural network in your terminal."""


def __getattr__(name: str) -> str:
    """``nntui.__version__``, read from the installed metadata when first asked for: reading
    it (importlib.metadata) costs the app's start ~25 ms it does not need."""
    if name != "__version__":
        raise AttributeError(f"module 'nntui' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nntui")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"
