"""Thin resolvers: who may call, input -> service call, result or domain error -> payload data."""
