"""Thin command-line layer: one module per command, each with add_arguments() and run()."""
