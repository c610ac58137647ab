"""The local AWS used by the tests and ``auditor demo``: moto server + our Model Monitor extension,
fault and latency injection, and a seeded sample estate.

Needs the optional ``demo`` extra (moto). The scanner, engine and reporters never import this package.
"""

try:
    import moto  # noqa: F401
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installed extras
    raise ModuleNotFoundError(
        "the local AWS needs moto: pip install 'mm-auditor[demo]'", name="moto"
    ) from exc

from auditor.emulator.estate import Estate, EstateCase, EstateSpec, build_estate
from auditor.emulator.faults import FaultInjector
from auditor.emulator.server import LocalAws

__all__ = ["Estate", "EstateCase", "EstateSpec", "FaultInjector", "LocalAws", "build_estate"]
