"""Built-in features, each registered as a plugin through the same hooks as third-party ones.

Modules here import only the public ``healthlint`` API, never the engine or the CLI.
"""
