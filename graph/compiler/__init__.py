"""The compiled read path: a query operation becomes one SQL statement answering as JSON.

`document` parses and validates once per document; `compile` walks a validated operation
against the Strawberry declarations and builds SQLAlchemy Core; `plan` compiles it to text
once and binds each request's values; `pipeline` answers HTTP requests with it, or leaves
them to the Strawberry executor (the reference) whenever the compiler could not give
exactly the reference's result.
"""
