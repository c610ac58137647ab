"""Templates and plans as one more source of the same inventory (``auditor iac``).

CloudFormation templates (JSON, YAML with short-form tags, CDK's ``cdk.out``, SAM) and Terraform plans
(``terraform show -json``) are read into ``Declaration``s with CloudFormation-shaped properties
(``cloudformation``, ``intrinsics``, ``terraform``), turned into the inventory's records by the
scanner's own normalizers (``convert``), merged over a saved scan when one is given and linked by the
scanner's linker (``merge``). The engine then judges them with the same policies: run-time policies
are NOT_APPLICABLE ("judged after deploy") and values unknown until deploy are ERROR when a check
reads them. ``reader.read`` is the entry point. Nothing here calls AWS.
"""
