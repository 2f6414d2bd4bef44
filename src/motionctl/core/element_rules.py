"""The documented rules of element creation's text fields (seed 004), shared by the CLI and the API."""

from __future__ import annotations

from motionctl.core import limits
from motionctl.core.errors import InvalidInput, rule_violation


def check_element_text(name: object, description: object, *, prefix: str = "") -> tuple[str, str]:
    """``element_name`` (required, 1-20 characters) and ``element_description`` (required, at most
    100 characters); ``prefix`` is put before the field names (``model_params.``)."""
    if not isinstance(name, str) or not name.strip():
        raise rule_violation(InvalidInput, f"{prefix}element_name", "is required: a name of 1-"
                             f"{limits.ELEMENT_NAME_MAX_CHARS} characters", repr(name))
    if len(name) > limits.ELEMENT_NAME_MAX_CHARS:
        raise rule_violation(InvalidInput, f"{prefix}element_name",
                             f"must be at most {limits.ELEMENT_NAME_MAX_CHARS} characters", f"{len(name)} characters")
    if not isinstance(description, str):
        raise rule_violation(InvalidInput, f"{prefix}element_description", "is required: a text of at most "
                             f"{limits.ELEMENT_DESCRIPTION_MAX_CHARS} characters", repr(description))
    if len(description) > limits.ELEMENT_DESCRIPTION_MAX_CHARS:
        raise rule_violation(InvalidInput, f"{prefix}element_description",
                             f"must be at most {limits.ELEMENT_DESCRIPTION_MAX_CHARS} characters",
                             f"{len(description)} characters")
    return name, description
