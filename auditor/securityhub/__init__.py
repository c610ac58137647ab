"""Publishing findings to AWS Security Hub: the only part of the auditor that writes to AWS.

Used only by ``auditor securityhub import``; the scanner never imports this package.
"""
