"""Risk control: the check every outgoing money movement passes, and alerts for staff."""
