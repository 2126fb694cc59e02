"""Operation limits as validation rules, made once per schema.

Strawberry's `QueryDepthLimiter` and `MaxAliasesLimiter` make a new rule class per request,
so `ValidationCache` (keyed by the rules) never hit and every request validated again.
Here the rule classes are made once, when the schema is built.
"""

from __future__ import annotations

from typing import Any

from graphql import ASTValidationRule, DirectiveNode, GraphQLError, ValidationContext
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from graph.settings import ServerSettings


def directive_limit(max_directives: int) -> type[ASTValidationRule]:
    """Refuses a document that uses more than `max_directives` directives in all: a field
    repeating `@include` a hundred times costs validation work and a hundred errors."""

    class DirectiveLimit(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            self.count += 1
            if self.count == max_directives + 1:
                self.report_error(
                    GraphQLError(
                        f"The document uses more than {max_directives} directives.",
                        node,
                        extensions={"code": "GRAPHQL_VALIDATION_FAILED"},
                    )
                )

    return DirectiveLimit


def limit_rules(settings: ServerSettings) -> tuple[type[ASTValidationRule], ...]:
    """Depth, alias and directive limits; production also refuses introspection."""
    rules: list[type[ASTValidationRule]] = [
        depth_rule(settings.max_depth, None),
        aliases_rule(settings.max_aliases),
        directive_limit(settings.max_directives),
    ]
    if settings.production:
        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)
