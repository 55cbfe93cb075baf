"""The reader's words written into the templates when they are compiled.

A template environment is made for one language, its catalogue fixed from then on
(render.make_environment), so ``_("Direction")`` has one answer on every page it draws.  Jinja's
i18n extension still looks it up on every call: a context call, the catalogue, ``Markup``, and
``%`` with the call's values.  An evidence page makes about 120 such calls, which took about a
twelfth of drawing a page.

fold_translations rewrites, in a compiled template's tree, each call of ``_``, ``gettext`` or
``pgettext`` whose message (and context) are literal text into what that call computes:

* with no values, the translated text itself, as markup where the template escapes (it then
  becomes part of the template's own text);
* with values (``_("Agent: %(name)s", name=agent)``), the translated text as markup ``%`` the
  values, exactly as the extension's newstyle gettext does it, so that each value is escaped the
  same way.

A call is left as it is when its message is not literal text, when it passes ``*args`` or
``**kwargs``, when formatting it fails (``%(name)s`` without a *name*: the page then fails as it
would have), or when the template assigns the name anywhere (``{% set _ = ... %}``, a macro
argument, a loop variable), since the call then need not be the catalogue's.  Plural forms
(``ngettext``) depend on a number known only on the page and are not folded.
"""

from __future__ import annotations

import gettext
from typing import Any

from jinja2 import nodes
from jinja2.visitor import NodeTransformer

FOLDED = ("_", "gettext", "pgettext")


def fold_translations(tree: nodes.Template, translations: gettext.NullTranslations) -> nodes.Template:
    """*tree* with its literal translation calls replaced by their result in *translations*."""
    assigned = {name.name for name in tree.find_all(nodes.Name) if name.ctx != "load"}
    folded = tuple(name for name in FOLDED if name not in assigned)
    if not folded:
        return tree
    result: nodes.Template = _Folder(translations, folded).visit(tree)
    return result


class _Folder(NodeTransformer):
    def __init__(self, translations: gettext.NullTranslations, names: tuple[str, ...]) -> None:
        self.translations = translations
        self.names = names

    def visit_Call(self, call: nodes.Call) -> nodes.Node:
        node = self.generic_visit(call)
        assert isinstance(node, nodes.Call)  # generic_visit gives the node itself, its children visited
        callee = node.node
        if not isinstance(callee, nodes.Name) or callee.name not in self.names:
            return node
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            return node
        texts = [arg.value for arg in node.args if isinstance(arg, nodes.Const) and isinstance(arg.value, str)]
        if len(texts) != len(node.args):
            return node
        if callee.name == "pgettext":
            if len(texts) != 2:
                return node
            translated = self.translations.pgettext(texts[0], texts[1])
            values: dict[str, Any] = {"context": texts[0]}
        else:
            if len(texts) != 1:
                return node
            translated = self.translations.gettext(texts[0])
            values = {}
        return _formatted(node, translated, values)


def _formatted(node: nodes.Call, translated: str, implied: dict[str, Any]) -> nodes.Node:
    """``Markup(translated) % values`` where the template escapes, as gettext does; folded to the
    text itself when the call gives no values and the text uses none of those implied (pgettext's
    *context*, which the markup would escape)."""
    given = {keyword.key for keyword in node.kwargs}
    lineno = node.lineno
    if not node.kwargs and not (implied and "%(" in translated):  # an implied value would be escaped
        try:
            text = translated % implied
        except (KeyError, ValueError, TypeError):  # the page fails on it as it would have
            return node
        return nodes.MarkSafeIfAutoescape(nodes.Const(text, lineno=lineno), lineno=lineno)
    pairs = [
        nodes.Pair(nodes.Const(key, lineno=lineno), nodes.Const(value, lineno=lineno), lineno=lineno)
        for key, value in implied.items()
        if key not in given
    ]
    pairs += [nodes.Pair(nodes.Const(k.key, lineno=lineno), k.value, lineno=lineno) for k in node.kwargs]
    markup = nodes.MarkSafeIfAutoescape(nodes.Const(translated, lineno=lineno), lineno=lineno)
    return nodes.Mod(markup, nodes.Dict(pairs, lineno=lineno), lineno=lineno)
