"""The reader's words written into the templates when they are compiled.

A template environment is made for one language, its catalogue fixed from then on
(render.make_environment), so ``_("Direction")`` has one answer on every page it draws.  Jinja's
i18n extension still looks it up on every call: a context call, the catalogue, ``Markup``, and
``%`` with the call's values.  An evidence page makes about 120 such calls.

fold_translations rewrites each ``{{ _("…") }}``, ``{{ gettext("…") }}`` and
``{{ pgettext("context", "…") }}`` that a template writes out directly, with literal text, into
what the extension's newstyle gettext computes: the translated text, as markup where the template
escapes, ``%`` the call's values (and pgettext's ``context``).  Jinja's own optimiser then turns a
call without values into the template's text.  Only a call that is a whole ``{{ … }}`` is
rewritten: inside an expression (``_("a") ~ "b"``) the optimiser would join the texts as plain
strings and lose the markup.

A template is left as it is when it binds one of the three names anywhere (``{% set %}``, a loop
variable, a macro or its argument, an import), since its calls then need not be the catalogue's;
so is a call whose message is not literal text, that passes ``*args`` or ``**kwargs``, or whose
values name one twice or begin with ``__`` (the extension refuses those).  A name bound in
another template (an including template's loop variable) is not seen: themes must not rebind
``_``, ``gettext`` or ``pgettext`` (docs/translating.md).  Plural forms (``ngettext``) depend on a
number known only on the page and are not folded.
"""

from __future__ import annotations

import gettext
from typing import Any

from jinja2 import nodes
from jinja2.visitor import NodeTransformer

FOLDED = frozenset({"_", "gettext", "pgettext"})


def fold_translations(tree: nodes.Template, translations: gettext.NullTranslations) -> nodes.Template:
    """*tree* with its literal translation calls written out as their result in *translations*."""
    if _bound_names(tree) & FOLDED:
        return tree
    result: nodes.Template = _Folder(translations).visit(tree)
    return result


def _bound_names(tree: nodes.Template) -> set[str]:
    """Every name the template assigns, takes as an argument, defines as a macro or imports."""
    names = {name.name for name in tree.find_all(nodes.Name) if name.ctx != "load"}
    names |= {macro.name for macro in tree.find_all(nodes.Macro)}
    names |= {imported.target for imported in tree.find_all(nodes.Import)}
    for imported in tree.find_all(nodes.FromImport):
        names |= {item if isinstance(item, str) else item[1] for item in imported.names}
    return names


class _Folder(NodeTransformer):
    def __init__(self, translations: gettext.NullTranslations) -> None:
        self.translations = translations

    def visit_Output(self, output: nodes.Output) -> nodes.Node:
        output.nodes = [self._folded(child) if isinstance(child, nodes.Call) else child for child in output.nodes]
        return output

    def _folded(self, call: nodes.Call) -> nodes.Expr:
        callee = call.node
        if not isinstance(callee, nodes.Name) or callee.name not in FOLDED:
            return call
        if call.dyn_args is not None or call.dyn_kwargs is not None:
            return call
        keys = [keyword.key for keyword in call.kwargs]
        if len(set(keys)) != len(keys) or any(key.startswith("__") for key in keys):
            return call
        texts = [arg.value for arg in call.args if isinstance(arg, nodes.Const) and isinstance(arg.value, str)]
        if len(texts) != len(call.args) or len(texts) != (2 if callee.name == "pgettext" else 1):
            return call
        if callee.name == "pgettext":
            return _formatted(call, self.translations.pgettext(texts[0], texts[1]), {"context": texts[0]})
        return _formatted(call, self.translations.gettext(texts[0]), {})


def _formatted(call: nodes.Call, translated: str, implied: dict[str, Any]) -> nodes.Expr:
    """``(Markup if autoescape)(translated) % values``, as the extension's newstyle gettext computes it
    (a value the call gives wins over an implied one); constant where every value is."""
    lineno = call.lineno
    given = {keyword.key for keyword in call.kwargs}
    pairs = [
        nodes.Pair(nodes.Const(key, lineno=lineno), nodes.Const(value, lineno=lineno), lineno=lineno)
        for key, value in implied.items()
        if key not in given
    ]
    pairs += [nodes.Pair(nodes.Const(k.key, lineno=lineno), k.value, lineno=lineno) for k in call.kwargs]
    markup = nodes.MarkSafeIfAutoescape(nodes.Const(translated, lineno=lineno), lineno=lineno)
    return nodes.Mod(markup, nodes.Dict(pairs, lineno=lineno), lineno=lineno)
