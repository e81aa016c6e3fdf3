"""Personal information rights (PIPL articles 45 and 47): data export and account closure."""
