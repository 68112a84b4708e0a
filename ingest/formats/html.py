"""A saved web page -> the article's text: the body without navigation, banners and footers; structure kept.

Page chrome goes first: `nav`, `header`, `footer`, `aside`, forms, and blocks whose id or class says
cookie, consent, banner, menu, sidebar, share, newsletter, comments... A page that marks its article
(`<article>`, `<main>`, `role="main"`) gives that element; any other page goes to readability-lxml (a port of
Mozilla's Readability heuristics), which scores the blocks and keeps the main content. The kept HTML becomes text here:
`h1`-`h6` as Markdown `#` headings, list items as `- ` / `1. ` lines, tables as Markdown tables, every
other block as one paragraph. Links keep their words (not their addresses); images and scripts are dropped.
"""

from __future__ import annotations

import re
from typing import Any

from ingest.errors import CorruptFileError
from ingest.formats import Extracted

_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = {"p", "div", "section", "article", "blockquote", "pre", "dd", "dt", "figcaption", "main", "body"}
_CHROME = re.compile(
    r"\b(?:cookie|consent|gdpr|banner|navbar|menu|breadcrumbs?|sidebar|sphinxsidebar|related|share|sharing|social"
    r"|newsletter|subscribe|comments?|advert|ads|promo|popup|modal|skip-link|site-header|site-footer|footer)\b"
)
_DROP = {"script", "style", "noscript", "nav", "footer", "form", "button", "svg", "img", "iframe"}


def extract_html(raw: bytes, name: str) -> Extracted:
    """The page's main text, with its <title> as title."""
    from lxml import html as lxml_html
    from readability import Document as Readable

    try:
        tree = lxml_html.document_fromstring(raw)
        title = " ".join((tree.findtext(".//title") or "").split())
        _drop_chrome(tree)
        root = _marked_article(tree)
        if root is None:
            page = Readable(lxml_html.tostring(tree))
            title = title or " ".join((page.short_title() or "").split())
            root = lxml_html.fragment_fromstring(page.summary(html_partial=True), create_parent="div")
    except Exception as exc:  # lxml/readability raise ParserError, ValueError... on what is not HTML
        raise CorruptFileError(f"{name}: not a readable web page (the HTML could not be parsed)") from exc
    blocks = _blocks(root)
    return Extracted(text="\n\n".join(blocks) + "\n" if blocks else "", title=title, format="html")


def _drop_chrome(tree: Any) -> None:
    """Remove navigation, headers, footers, sidebars, forms and cookie/consent banners from the page."""
    chrome = tree.xpath(
        "//nav | //header | //footer | //aside | //form | //script | //style | //noscript"
        " | //*[@role='navigation' or @role='banner' or @role='contentinfo' or @role='search' or @role='dialog']"
    )
    chrome += [el for el in tree.iter() if isinstance(el.tag, str) and _CHROME.search(_id_class(el))]
    for element in chrome:
        if element.getparent() is not None and element.tag not in ("html", "body"):
            element.drop_tree()


def _id_class(element: Any) -> str:
    return f"{element.get('id', '')} {element.get('class', '')}".lower()


def _marked_article(tree: Any) -> Any:
    """The element the page itself marks as its content, if exactly one stands out."""
    for query in ("//article", "//main", "//*[@role='main']"):
        found = tree.xpath(query)
        if len(found) == 1 and len(found[0].text_content().split()) >= 20:
            return found[0]
    return None


def _blocks(root: Any) -> list[str]:
    """Walk the kept HTML in document order; each block element gives one block of text."""
    out: list[str] = []
    _walk(root, out)
    return [b for b in out if b.strip()]


def _walk(element: Any, out: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _DROP or _is_anchor_mark(element):
        return
    if tag in _HEADINGS:
        out.append("#" * _HEADINGS[tag] + " " + _text(element))
    elif tag in ("ul", "ol"):
        out.append(_list(element, numbered=tag == "ol"))
    elif tag == "table":
        out.append(_table(element))
    elif tag in _BLOCKS and not any(isinstance(c.tag, str) and _is_block(c.tag) for c in element):
        out.append(_text(element))
    else:
        _walk_mixed(element, out)


def _walk_mixed(element: Any, out: list[str]) -> None:
    """An element holding blocks and loose text: loose text runs become paragraphs of their own."""
    loose: list[str] = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and _is_block(child.tag):
            out.append(" ".join("".join(loose).split()))
            _walk(child, out)
            loose = [child.tail or ""]
        else:
            loose.append(_inline(child) + (child.tail or ""))
    out.append(" ".join("".join(loose).split()))


def _is_block(tag: str) -> bool:
    return tag in _BLOCKS or tag in _HEADINGS or tag in ("ul", "ol", "table", "dl", "li", "hr") or tag in _DROP


def _is_anchor_mark(element: Any) -> bool:
    """Sphinx and friends put a '¶' link after each heading: not part of the text."""
    return element.tag == "a" and (element.text_content() or "").strip() in ("¶", "#", "§")


def _inline(element: Any) -> str:
    if not isinstance(element.tag, str) or element.tag in _DROP or _is_anchor_mark(element):
        return ""
    return (element.text or "") + "".join(_inline(c) + (c.tail or "") for c in element)


def _text(element: Any) -> str:
    return " ".join(_inline(element).split())


def _list(element: Any, numbered: bool) -> str:
    items = [item for item in element if getattr(item, "tag", "") == "li"]
    lines = [f"{n}. " if numbered else "- " for n in range(1, len(items) + 1)]
    return "\n".join(marker + _text(item) for marker, item in zip(lines, items, strict=True) if _text(item))


def _table(element: Any) -> str:
    rows = [
        [_text(cell).replace("|", "/") for cell in row if getattr(cell, "tag", "") in ("td", "th")]
        for row in element.iter("tr")
    ]
    rows = [r for r in rows if any(r)]
    if not rows:
        return ""
    lines = ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join([lines[0], "|" + "---|" * len(rows[0]), *lines[1:]])
