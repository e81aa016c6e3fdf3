"""Identity and account security."""
