"""Root fields that must make up their operation alone: `login`, `loginTwoFactor`, `logout`,
`passwordChange`, `twoFactorConfirm`, `twoFactorDisable`.

Each checks or changes who the caller is, and keeps bookkeeping (failed attempts) that must
commit whatever happens to the rest of the operation. Alone, a `login` fixes the
operation's organization before its transaction begins instead of changing it halfway, a
failed guess cannot be rolled back by a later field, and one request cannot carry many
password checks (each costs a bcrypt hash).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationRule,
    get_operation_ast,
)

LONE_FIELDS = (
    "login",
    "loginTwoFactor",
    "logout",
    "passwordChange",
    "twoFactorConfirm",
    "twoFactorDisable",
)
SIGN_IN = ("login", "loginTwoFactor")


def root_fields(selection_set: SelectionSetNode, fragments: dict[str, Any]) -> list[FieldNode]:
    """The root fields an operation selects, through fragments (whatever their directives:
    a field that may run counts)."""
    found: list[FieldNode] = []
    pending, seen = [selection_set], set()
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                if not selection.name.value.startswith("__"):
                    found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in seen:
                    seen.add(name)
                    pending.append(fragment.selection_set)
    return found


class LoneFieldsRule(ValidationRule):
    """Refuses an operation that combines a lone field with any other root field."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        fragments = {f.name.value: f for f in self.context.document.definitions if _is_fragment(f)}
        fields = root_fields(node.selection_set, fragments)
        lone = [f for f in fields if f.name.value in LONE_FIELDS]
        if lone and len(fields) > 1:
            names = ", ".join(sorted({f"`{f.name.value}`" for f in lone}))
            self.report_error(
                GraphQLError(
                    f"{names} must be the only field of its operation: send it in an "
                    "operation of its own.",
                    nodes=lone,
                )
            )


def _is_fragment(definition: Any) -> bool:
    return definition.kind == "fragment_definition"


def signs_in(document: Any, operation_name: str | None) -> bool:
    """Whether the operation is a `login` or `loginTwoFactor` (alone, once validated): it
    then runs as whoever logs in, not as the bearer of any token it was sent with."""
    if document is None:
        return False
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation != OperationType.MUTATION:
        return False
    fragments = {f.name.value: f for f in document.definitions if _is_fragment(f)}
    return any(f.name.value in SIGN_IN for f in root_fields(operation.selection_set, fragments))
