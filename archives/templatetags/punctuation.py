"""Punctuation that follows the language: full-width in Chinese, Western in English.

Templates glue punctuation between translated words and stored values, as in
``{% translate "截止日期" %}{% punct "：" %}{{ campaign.deadline }}``. Written as a bare
full-width character it would stay full-width beside English words ("Deadline：2 Mar 2027");
``{% punct "：" %}`` gives "：" in Chinese and ": " in English.
"""

from django import template
from django.utils.translation import get_language

register = template.Library()

# Full-width mark → its English form (with the space English puts after it, or before "(").
WESTERN = {
    "：": ": ",
    "，": ", ",
    "、": ", ",
    "；": "; ",
    "。": ". ",
    "！": "! ",
    "？": "? ",
    "（": " (",
    "）": ")",
    "《": '"',
    "》": '"',
    "“": '"',
    "”": '"',
}


def western(mark: str) -> str:
    try:
        return WESTERN[mark]
    except KeyError:
        raise ValueError(f"punct knows no English form of {mark!r}; known marks: {''.join(WESTERN)}") from None


@register.simple_tag
def punct(mark: str) -> str:
    """``mark`` itself in Chinese, its English form in any other language."""
    if (get_language() or "").startswith("zh"):
        western(mark)  # an unknown mark fails in Chinese too, not only once someone reads English
        return mark
    return western(mark)
