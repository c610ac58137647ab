"""Policy-as-code compliance auditor for Amazon SageMaker Model Monitor."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mm-auditor")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
