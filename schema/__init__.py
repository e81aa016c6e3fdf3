"""GraphQL: Strawberry types, inputs, enums, scalars, permissions and the one schema."""
