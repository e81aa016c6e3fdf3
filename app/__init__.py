"""fenpay: the wallet platform itself (no GraphQL in here, except the ASGI assembly)."""
