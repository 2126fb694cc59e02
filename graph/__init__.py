"""The GraphQL layer: schema, types, loaders and the `khub` command line."""
