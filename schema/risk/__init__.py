"""Risk monitoring and compliance: alerts, account status, audit trail, legal documents."""
