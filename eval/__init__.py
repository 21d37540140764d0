"""The measuring stick: a gold Q&A set, metrics, reports and the quality gate.

Only this package and the tests import ``eval``; the product reaches it
through the ``hoidap.commands`` entry point, never by import.
"""
