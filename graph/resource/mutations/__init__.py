"""One module per resource mutation."""
