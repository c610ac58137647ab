variable "hub_account_id" {
  description = "Account that runs `auditor securityhub import` (the hub)."
  type        = string
  validation {
    condition     = can(regex("^[0-9]{12}$", var.hub_account_id))
    error_message = "hub_account_id must be a 12-digit account id."
  }
}

variable "hub_role_name" {
  description = "Name of the hub role (or CI OIDC role) allowed to assume this role."
  type        = string
  default     = "ModelMonitorAuditorHub"
}

variable "external_id" {
  description = "Shared secret the hub passes as --external-id."
  type        = string
  sensitive   = true
}

variable "role_name" {
  description = "Name of the import role; the import's --role-name."
  type        = string
  default     = "ModelMonitorAuditorFindingsImport"
}

variable "tags" {
  description = "Tags for the role."
  type        = map(string)
  default     = {}
}
