"""Connectors: one package per network behind one small interface."""
