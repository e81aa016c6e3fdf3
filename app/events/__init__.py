"""Events: a broker (in-process or Redis pub/sub) and the transactional outbox."""
