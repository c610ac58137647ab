# Security Hub import role for the SageMaker Model Monitor auditor (mm-auditor): lets
# `auditor securityhub import`, run by the hub role, import this account's findings into this account's
# Security Hub (with the default product ARN, only the account a finding belongs to may import it).
# Deploy beside the read-only auditor role, never merged into it. The permissions come from
# policy.json, which is exactly what `auditor iam-policy --securityhub` prints
# (tests/deploy/test_role_templates.py keeps them equal).

terraform {
  required_version = ">= 1.3"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${var.hub_account_id}:role/${var.hub_role_name}"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [var.external_id]
    }
  }
}

resource "aws_iam_role" "findings_import" {
  name                 = var.role_name
  description          = "Imports mm-auditor findings into this account's Security Hub (BatchImportFindings only)"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "findings_import" {
  name   = "ModelMonitorAuditorFindingsImport"
  role   = aws_iam_role.findings_import.id
  policy = file("${path.module}/policy.json")
}
