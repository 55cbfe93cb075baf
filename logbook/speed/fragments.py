"""The template environment of every build, and the ``{% fragment %}`` tag whose output serve reuses.

The environment applies the translation folding and notes the reads a page key must know of; the
tag keeps a fragment's output in reuse.py's memo.  Kept apart from reuse.py so that what reads only
the build cache (a build with nothing changed) never imports jinja2: only the drawing stage makes
a template environment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension

from logbook.speed.reuse import Memo, token


class FragmentEnvironment(jinja2.Environment):
    """The template environment, with the fragment memo of the build (None: render every fragment).

    *watched* says which attribute reads a page key must know of (an object and the attribute's
    name → whether it counts); ``noted`` is set when the page being drawn made one."""

    fragments: Memo | None = None
    folding: Callable[[nodes.Template], nodes.Template] | None = None  # applied to a template before it is compiled
    watched_names: frozenset[str] = frozenset()  # attribute names worth asking *watched* about
    watched: Callable[[Any, str], bool] | None = None
    noted = False

    def _generate(
        self, source: nodes.Template, name: str | None, filename: str | None, defer_init: bool = False
    ) -> str:
        """The template's code, from its tree as *folding* leaves it (parse() still gives the tree as written)."""
        if self.folding is not None:
            source = self.folding(source)
        code: str = super()._generate(source, name, filename, defer_init)
        return code

    def getattr(self, obj: Any, attribute: str) -> Any:
        """jinja2.Environment.getattr (the same steps, in one call: it runs for every ``a.b`` of a
        page), noting a watched read first."""
        if attribute in self.watched_names and self.watched is not None and self.watched(obj, attribute):
            self.noted = True
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        watched = type(argument) is str and argument in self.watched_names  # a slice is not hashable
        if watched and self.watched is not None and self.watched(obj, argument):
            self.noted = True
        return super().getitem(obj, argument)


class FragmentExtension(Extension):
    """``{% fragment a, b %}…{% endfragment %}``: rendered once per (a, b, root) and reused."""

    tags = {"fragment"}

    def parse(self, parser: Any) -> nodes.Node:
        lineno = next(parser.stream).lineno
        args = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            args.append(parser.parse_expression())
        body = parser.parse_statements(("name:endfragment",), drop_needle=True)
        place = nodes.Const(f"{parser.name}:{lineno}")
        call = self.call_method("_render", [place, nodes.Name("root", "load"), nodes.Tuple(args, "load")])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _render(self, place: str, root: str, args: tuple[Any, ...], caller: Callable[[], str]) -> str:
        env = self.environment
        memo = getattr(env, "fragments", None)
        if memo is None:
            return caller()
        return memo.get((place, root, token(args)), caller)  # type: ignore[no-any-return]  # a memo table holds values of any type; the key says which
