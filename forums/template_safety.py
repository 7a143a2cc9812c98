"""The sandbox for staff-written email templates: what they may contain, and a bounded render.

Email templates are edited in the admin by forum coordinators, and rendered by workers for
thousands of invitations. Django's template language is meant for trusted authors: its filters
can build huge strings (`{{ name|center:"100000000" }}` is 100 MB), its tags can read files
(`{% include %}`, `{% load %}`) and its lookups can reach attributes. So these templates get an
engine of their own that knows only:

- the tags `if` / `elif` / `else` / `endif` (placeholders that are empty are common: a session,
  a personal message) and `comment` / `endcomment`;
- the filters `default`, `upper`, `lower`, `title` and `capfirst`. Each returns a string about
  as long as its input (or, for `default`, a literal written in the template), so output grows
  with the template and the placeholder values, never with an argument. Filters that take a
  size or format argument (`center`, `ljust`, `rjust`, `truncatechars`, `stringformat`,
  `floatformat`, `date` ...) can blow up or raise on bad input, and placeholders are already
  formatted text (dates included), so none of them is needed;
- plain placeholders: `{{ name }}`, never `{{ name.attribute }}`; the names come from the
  caller (`forums.validators.PLACEHOLDERS`), and the values are strings.

Blocks may nest `MAX_NESTING` deep and a condition may have `MAX_CONDITION_WORDS` words, so
parsing cannot exhaust the stack. A template may be at most `EMAIL_TEMPLATE_MAX_SIZE`
characters long, and rendering stops with `UnsafeTemplate` as soon as the output exceeds that
size: a template stored before these rules (or values far longer than expected) cannot make a
worker build a huge email.

A leaf module: it imports no models or services, so models, services and admin can all use it.
"""

from collections.abc import Iterable, Iterator
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template import (
    Context,
    Engine,
    Library,
    TemplateSyntaxError,
    Variable,
    VariableDoesNotExist,
    defaultfilters,
    defaulttags,
)
from django.template.base import FilterExpression, Lexer, NodeList, TextNode, TokenType, filter_re
from django.template.defaulttags import CommentNode, IfNode
from django.template.smartif import TokenBase
from django.utils.translation import gettext as _

ALLOWED_TAGS = frozenset({"if", "elif", "else", "endif", "comment", "endcomment"})
ALLOWED_FILTERS = ("default", "upper", "lower", "title", "capfirst")
MAX_NESTING = 10
MAX_CONDITION_WORDS = 20

_OPENING_TAGS = {"if": "endif", "comment": "endcomment"}


class UnsafeTemplate(ValueError):
    """The template may not be rendered (or its output grew too large): `messages` say why."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


_LIBRARY = Library()
for _tag in ("if", "comment"):
    _LIBRARY.tags[_tag] = defaulttags.register.tags[_tag]
for _filter in ALLOWED_FILTERS:
    _LIBRARY.filters[_filter] = defaultfilters.register.filters[_filter]


class _SandboxEngine(Engine):
    """An engine whose only built-ins are the tags and filters above (no loaders, no libraries):
    Django's default built-ins would otherwise always be added."""

    default_builtins = []

    def get_template_builtins(self, builtins):
        return [_LIBRARY]


ENGINE = _SandboxEngine(loaders=[], libraries={}, autoescape=False, string_if_invalid="")


def max_size() -> int:
    """The longest template, and the longest rendered text, in characters."""
    return settings.EMAIL_TEMPLATE_MAX_SIZE


def validate_template_text(*, subject: str, body: str, names: Iterable[str]) -> None:
    """Raise ValidationError, per field, for anything the sandbox refuses or an unknown name."""
    errors = {}
    for field, text in (("subject", subject or ""), ("body", body or "")):
        problems = template_problems(text, names=names)
        if problems:
            errors[field] = problems
    if errors:
        raise ValidationError(errors)


def template_problems(text: str, *, names: Iterable[str]) -> list[str]:
    """Why `text` cannot be used as an email template (an empty list when it can)."""
    try:
        template = compile_template(text)
    except UnsafeTemplate as error:
        return error.messages
    used = set(_names(template.nodelist))
    unknown = sorted(used - set(names))
    if unknown:
        return [
            _("Unknown placeholder(s): %(names)s. Available: %(available)s.")
            % {"names": ", ".join(unknown), "available": ", ".join(sorted(names))}
        ]
    return []


def compile_template(text: str):
    """The compiled template, or UnsafeTemplate naming every rule it breaks."""
    return _compile(text, max_size())


@lru_cache(maxsize=128)
def _compile(text: str, limit: int):
    # Cached: a batch of 5,000 invitations renders the same few template texts.
    if len(text) > limit:
        raise UnsafeTemplate(
            [_("The template is too long: at most %(limit)d characters.") % {"limit": limit}]
        )
    problems = _token_problems(text)
    if problems:
        raise UnsafeTemplate(problems)
    try:
        template = ENGINE.from_string(text)
    except TemplateSyntaxError as exc:
        raise UnsafeTemplate(
            [_("The template cannot be read: %(error)s") % {"error": exc}]
        ) from None
    except RecursionError:  # not expected past the nesting checks; never a 500
        raise UnsafeTemplate([_("The template is nested too deeply.")]) from None
    dotted = sorted({name for name in _lookups(template.nodelist) if "." in name})
    if dotted:
        raise UnsafeTemplate(
            [
                _("Placeholders are plain text and have no attributes: %(names)s.")
                % {"names": ", ".join(dotted)}
            ]
        )
    return template


def render_template(text: str, context: dict[str, str], *, limit: int | None = None) -> str:
    """Render `text` with `context`; UnsafeTemplate if it breaks the rules or grows past `limit`
    characters (default: EMAIL_TEMPLATE_MAX_SIZE; a subject has a smaller one).

    Rendered node by node with a running total, so an oversized email is stopped as soon as it
    passes the limit, not after it has been built."""
    template = compile_template(text)
    limit = max_size() if limit is None else min(limit, max_size())
    rendering = Context(context, autoescape=False)
    pieces, size = [], 0
    with rendering.render_context.push_state(template), rendering.bind_template(template):
        for piece in _render_nodes(template.nodelist, rendering):
            size += len(piece)
            if size > limit:
                raise UnsafeTemplate(
                    [_("The email would be longer than %(limit)d characters.") % {"limit": limit}]
                )
            pieces.append(piece)
    return "".join(pieces)


def _render_nodes(nodelist: NodeList, context: Context) -> Iterator[str]:
    # The same logic as IfNode.render, without building a branch's output in one piece.
    for node in nodelist:
        if isinstance(node, IfNode):
            for condition, branch in node.conditions_nodelists:
                if condition is None:
                    match = True
                else:
                    try:
                        match = condition.eval(context)
                    except VariableDoesNotExist:
                        match = None
                if match:
                    yield from _render_nodes(branch, context)
                    break
        elif isinstance(node, CommentNode):
            continue
        else:  # TextNode or VariableNode: the only other nodes this engine can build
            yield str(node.render_annotated(context))


def _token_problems(text: str) -> list[str]:
    """Tags, filters, nesting and condition length, checked on the tokens before parsing."""
    tags, filters, too_long = set(), set(), False
    depth = deepest = 0
    for token in Lexer(text).tokenize():
        if token.token_type == TokenType.VAR:
            filters |= _filter_names(token.contents)
        elif token.token_type == TokenType.BLOCK:
            bits = token.split_contents()
            name = bits[0] if bits else ""
            if name not in ALLOWED_TAGS:
                tags.add(name or "{% %}")
                continue
            if name in _OPENING_TAGS:
                depth += 1
                deepest = max(deepest, depth)
            elif name in _OPENING_TAGS.values():
                depth -= 1
            if name in ("if", "elif"):
                too_long |= len(bits) > MAX_CONDITION_WORDS + 1
                for bit in bits[1:]:
                    filters |= _filter_names(bit)
    problems = []
    if tags:
        problems.append(
            _("Only {%% if %%} … {%% endif %%} blocks may be used, not: %(tags)s.")
            % {"tags": ", ".join(sorted(tags))}
        )
    unknown_filters = sorted(filters - set(ALLOWED_FILTERS))
    if unknown_filters:
        problems.append(
            _("Only these filters may be used: %(allowed)s; not: %(filters)s.")
            % {"allowed": ", ".join(ALLOWED_FILTERS), "filters": ", ".join(unknown_filters)}
        )
    if deepest > MAX_NESTING:
        problems.append(_("Blocks may be nested at most %(max)d deep.") % {"max": MAX_NESTING})
    if too_long:
        problems.append(
            _("A condition may have at most %(max)d words.") % {"max": MAX_CONDITION_WORDS}
        )
    return problems


def _filter_names(expression: str) -> set[str]:
    # Django's own filter expression pattern, so "what is a filter" is decided as it parses.
    return {
        match["filter_name"] for match in filter_re.finditer(expression) if match["filter_name"]
    }


def _expressions(nodelist: NodeList) -> Iterator[FilterExpression]:
    for node in nodelist:
        if isinstance(node, IfNode):
            for condition, branch in node.conditions_nodelists:
                if condition is not None:
                    yield from _condition_expressions(condition)
                yield from _expressions(branch)
        elif isinstance(node, (TextNode, CommentNode)):
            continue
        else:
            yield node.filter_expression


def _condition_expressions(condition: TokenBase) -> Iterator[FilterExpression]:
    if isinstance(condition.value, FilterExpression):
        yield condition.value
    for operand in (condition.first, condition.second):
        if operand is not None:
            yield from _condition_expressions(operand)


def _lookups(nodelist: NodeList) -> Iterator[str]:
    """Every variable the template reads, as written ("name", "name.attribute")."""
    for expression in _expressions(nodelist):
        variables = [expression.var] + [
            arg for _func, args in expression.filters for lookup, arg in args if lookup
        ]
        for variable in variables:
            if isinstance(variable, Variable) and variable.lookups:
                yield ".".join(variable.lookups)


def _names(nodelist: NodeList) -> Iterator[str]:
    for lookup in _lookups(nodelist):
        yield lookup.split(".")[0]
