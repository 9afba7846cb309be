# SPDX-License-Identifier: EUPL-1.2
"""Our page scripts put data into the page as text: no assignment to innerHTML or
outerHTML, no insertAdjacentHTML or document.write, and no Leaflet tooltip, popup or
divIcon made from a string that is built (a template literal or a `+`), since Leaflet
writes string content as markup. Vendored libraries are not ours and not read.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(
    path
    for app in ("frontend", "plans", "api", "walks", "analysis", "geo", "demo")
    for path in (ROOT / app).glob("**/*.js")
    if "vendor" not in path.parts
)
MARKUP_SINKS = re.compile(r"\.(innerHTML|outerHTML)\s*\+?=|insertAdjacentHTML|document\.write")
# bindTooltip(`…${x}…`), bindPopup("…" + x), setContent(…), html: `…` in a divIcon.
BUILT_STRING_CONTENT = re.compile(
    r"(bindTooltip|bindPopup|setContent|setTooltipContent|setPopupContent)\(\s*(`|[\"'][^\"']*[\"']\s*\+)"
    r"|\bhtml:\s*(`|[\"'][^\"']*[\"']\s*\+)"
)


def offending_lines(pattern, source: str) -> list[str]:
    return [
        f"{n}: {line.strip()}"
        for n, line in enumerate(source.splitlines(), start=1)
        if pattern.search(line) and not line.lstrip().startswith("//")
    ]


def test_it_reads_the_page_scripts():
    names = {path.name for path in SCRIPTS}
    assert {"logger.js", "workspace.js", "state.js", "layers.js"} <= names, names


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_script_writes_data_as_markup(path):
    source = path.read_text()
    assert offending_lines(MARKUP_SINKS, source) == []
    assert offending_lines(BUILT_STRING_CONTENT, source) == []


@pytest.mark.parametrize(
    "line",
    [
        'item.innerHTML = `<span style="background:${colour}"></span>`;',
        "box.innerHTML += name;",
        "marker.bindTooltip(`#${props.id} ${category}`);",
        'layer.bindPopup("<b>" + feature.properties.name + "</b>");',
        "icon: L.divIcon({ html: `<span>${n}</span>` }),",
        "list.insertAdjacentHTML('beforeend', row);",
    ],
)
def test_it_catches_markup_from_data(line):
    assert offending_lines(MARKUP_SINKS, line) + offending_lines(BUILT_STRING_CONTENT, line)
