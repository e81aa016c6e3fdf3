"""Customer-service GraphQL: FAQ, contact channels, tickets, live ticket chat."""
