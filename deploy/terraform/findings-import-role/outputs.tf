output "role_arn" {
  description = "ARN of the findings import role in this account."
  value       = aws_iam_role.findings_import.arn
}
