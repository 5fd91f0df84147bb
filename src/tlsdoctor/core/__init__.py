"""The core library: importable without the CLI, never prints."""
