"""Template tags of sortable, paged lists (archives.listing): sort headers, page links, the
page-jump form's hidden filter."""

from django import template
from django.utils.html import format_html, format_html_join

from archives.registers import person_name, staff_text

register = template.Library()


def _query(context):
    request = context.get("request")
    return request.GET.copy() if request is not None else None


@register.simple_tag(takes_context=True)
def sort_th(context, key: str, label, css: str = ""):
    """A column header that sorts the list by `key` (again: the other way). Outside a sortable
    list (no ``list_sort`` in the context: a home page's table) a plain header."""
    current = context.get("list_sort")
    query = _query(context)
    th = format_html('<th class="{}"', css) if css else format_html("<th{}", "")
    if current is None or query is None:
        return format_html("{}>{}</th>", th, label)
    active = current.lstrip("-") == key
    descending = current.startswith("-")
    query["sort"] = f"-{key}" if active and not descending else key
    query.pop("page", None)
    if active:
        icon = "bi-sort-down" if descending else "bi-sort-up"
        aria = "descending" if descending else "ascending"
        return format_html(
            '{} aria-sort="{}"><a class="sort-link active" href="?{}">{} <i class="bi {}" aria-hidden="true"></i></a></th>',
            th,
            aria,
            query.urlencode(),
            label,
            icon,
        )
    return format_html('{}><a class="sort-link" href="?{}">{} <i class="bi bi-arrow-down-up" aria-hidden="true"></i></a></th>', th, query.urlencode(), label)


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    """The current list's URL (filter, sort and size kept) at page `number`."""
    query = _query(context)
    if query is None:
        return f"?page={number}"
    query["page"] = number
    return "?" + query.urlencode()


@register.simple_tag
def page_links(page):
    """Page numbers around the current one, with the first and the last (… between)."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


@register.simple_tag(takes_context=True)
def hidden_query(context, *exclude):
    """The list's filter and sort as hidden inputs, for a GET form that changes the rest."""
    query = _query(context)
    if query is None:
        return ""
    return format_html_join("", '<input type="hidden" name="{}" value="{}">', ((k, v) for k, values in query.lists() if k not in exclude for v in values))


@register.simple_tag
def staff_name(stored, user) -> str:
    """A name a register entry stored as text, shown as the staff member's real name where it
    was their login (archives.registers.staff_text)."""
    return staff_text(stored or "", user)


@register.filter
def person(user) -> str:
    """A member of staff by their real name (the login only when no name is set)."""
    return person_name(user)
