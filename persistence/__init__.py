"""Knowledge Hub's data layer: PostgreSQL models, async repositories, the embedded server."""
