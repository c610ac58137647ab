"""``python -m auditor`` runs the CLI (through the same entry point as the ``auditor`` script)."""

from auditor.entry import main

main()
