"""Policy-as-code compliance auditor for Amazon SageMaker Model Monitor."""

from __future__ import annotations

_version: str | None = None


def __getattr__(name: str) -> str:
    # ``__version__`` is read lazily: importlib.metadata costs tens of milliseconds, and the console
    # script imports this package before it can install its signal handlers (auditor.entry).
    global _version
    if name != "__version__":
        raise AttributeError(f"module 'auditor' has no attribute {name!r}")
    if _version is None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            _version = version("mm-auditor")
        except PackageNotFoundError:  # running from a source tree that was never installed
            _version = "0.0.0+unknown"
    return _version
