output "role_arn" {
  description = "ARN of the auditor role in this account."
  value       = aws_iam_role.auditor.arn
}
