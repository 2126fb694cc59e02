"""One module per organization mutation."""
