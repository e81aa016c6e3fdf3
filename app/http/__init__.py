"""The ASGI assembly (the only part of ``app`` that knows Starlette and Strawberry)."""
