# Read-only role for the SageMaker Model Monitor auditor (mm-auditor), trusted by the hub role that
# runs the scan. The permissions come from policy.json, which is exactly what `auditor iam-policy`
# prints (tests/deploy/test_role_templates.py keeps them equal).

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

resource "aws_iam_role" "auditor" {
  name                 = var.role_name
  description          = "Read-only access for the SageMaker Model Monitor auditor"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "read_only" {
  name   = "ModelMonitorAuditorReadOnly"
  role   = aws_iam_role.auditor.id
  policy = file("${path.module}/policy.json")
}
