"""Operations: backups and restores, encryption-key rotation, log redaction."""
