"""The scanner: a read-only inventory of Model Monitor resources across accounts and regions.

Entry point: ``auditor.scan.orchestrator.scan(ScanOptions) -> Inventory``. One module per concern:
``sessions`` (credentials, AssumeRole), ``accounts`` (explicit or Organizations), ``regions``,
``search`` (the fast path), ``endpoints``, ``monitoring_schedules``, ``job_definitions``,
``cloudwatch_alarms``; ``region`` collects one (account, region); ``clients`` shares guarded,
counted clients; ``guard`` refuses any undeclared operation; ``permissions`` derives the allow-list
and the IAM policy from the modules' OPERATIONS declarations; ``pagination`` bounds every loop.
"""
