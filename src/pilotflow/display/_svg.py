"""SVG drawings of diagrams without Graphviz: a layered layout and a grouped-tree layout.

The layered layout is a small Sugiyama-style drawing: ranks by longest path once the edges
that close cycles are set aside (a depth-first search from the first node), an order within
each rank by a few barycentre sweeps, straight or gently curved edges with their labels on a
white ground, loops (an action that keeps the state) beside their node. The grouped-tree
layout draws an authority and its subtree as the root, then one box per child holding that
child's own children in a grid: a province's 150-odd authorities stay readable, by city.

Every text is escaped (``html.escape``); sizes are estimated from the text (a Chinese
character one em, a Latin one about half), so no font metrics are needed.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from attrs import evolve as replace

from .shapes import Drawing as Diagram
from .shapes import Node

FONT = (
    "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',"
    "Arial,sans-serif"
)
SIZE = 13  # font size, px
LINE = 17  # line height, px
EDGE_SIZE = 11
EDGE_LINE = 14

#: Fill and border per node kind.
COLOURS = {
    "": ("#ffffff", "#555555"),
    "initial": ("#e8f0fe", "#3367d6"),
    "final": ("#f1f3f4", "#777777"),
    "current": ("#fff3cd", "#d39e00"),
    "done": ("#e6f4ea", "#34a853"),
    "waiting": ("#fdecea", "#d93025"),
    "note": ("#fffbe6", "#b59f3b"),
    "group": ("#f8f9fa", "#9aa0a6"),
}


def text_width(text: str, size: int = SIZE) -> float:
    """Estimated width of one line of ``text`` at ``size`` px."""
    return sum(size if ord(c) > 0x2E7F else size * 0.6 for c in text)


def _lines(label: str) -> list[str]:
    return label.split("\n") if label else []


def _box(label: str, size: int = SIZE, line: int = LINE) -> tuple[float, float]:
    lines = _lines(label) or [""]
    return max(text_width(x, size) for x in lines) + 20, len(lines) * line + 10


def _text(x: float, y: float, label: str, *, size: int = SIZE, line: int = LINE, weight: str = "") -> str:
    """Lines of ``label`` centred on (x, y)."""
    lines = _lines(label)
    top = y - (len(lines) - 1) * line / 2
    bold = ' font-weight="bold"' if weight else ""
    return "".join(
        f'<text x="{x:.1f}" y="{top + i * line:.1f}" font-size="{size}"{bold} text-anchor="middle" '
        f'dominant-baseline="central">{html.escape(s)}</text>'
        for i, s in enumerate(lines)
    )


def _svg(width: float, height: float, body: Sequence[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{html.escape(FONT)}">'
        f"<title>{html.escape(title)}</title>"
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/>'
        "</marker></defs>"
        f'<rect width="100%" height="100%" fill="#ffffff"/>{"".join(body)}</svg>'
    )


def _node(x: float, y: float, w: float, h: float, n: Node) -> str:
    fill, stroke = COLOURS.get(n.kind, COLOURS[""])
    rx = 14 if n.kind in ("initial", "final") else 4
    width = 2.5 if n.kind == "current" else 1.2
    dash = ' stroke-dasharray="4 3"' if n.kind == "note" else ""
    return (
        f'<g class="node" id="{html.escape("node-" + n.id)}"><rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" '
        f'width="{w:.1f}" height="{h:.1f}" rx="{rx}" fill="{fill}" stroke="{stroke}" '
        f'stroke-width="{width}"{dash}/>{_text(x, y, n.label)}</g>'
    )


def _clip(cx: float, cy: float, w: float, h: float, tx: float, ty: float) -> tuple[float, float]:
    """Where the segment from a box's centre towards (tx, ty) leaves the box."""
    dx, dy = tx - cx, ty - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(w / 2 / abs(dx) if dx else math.inf, h / 2 / abs(dy) if dy else math.inf)
    return cx + dx * scale, cy + dy * scale


def _label(x: float, y: float, label: str) -> str:
    if not label:
        return ""
    w, h = _box(label, EDGE_SIZE, EDGE_LINE)
    return (
        f'<rect x="{x - w / 2 + 6:.1f}" y="{y - h / 2 + 3:.1f}" width="{w - 12:.1f}" height="{h - 6:.1f}" '
        f'fill="#ffffff" fill-opacity="0.9"/>{_text(x, y, label, size=EDGE_SIZE, line=EDGE_LINE)}'
    )


def _ranks(d: Diagram) -> dict[str, int]:
    """Rank of each node: longest path from the first node once back edges are set aside."""
    ids = [n.id for n in d.nodes]
    out: dict[str, list[str]] = {i: [] for i in ids}
    for e in d.edges:
        if e.source != e.target and e.target not in out[e.source]:
            out[e.source].append(e.target)
    # Depth-first from each unvisited node in order: an edge to a node on the stack closes a cycle.
    state: dict[str, int] = {}
    forward: dict[str, list[str]] = {i: [] for i in ids}
    for start in ids:
        if start in state:
            continue
        stack = [(start, iter(out[start]))]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                continue  # a back edge
            else:
                forward[node].append(child)
                if child not in state:
                    state[child] = 1
                    stack.append((child, iter(out[child])))
    indegree = dict.fromkeys(ids, 0)
    for targets in forward.values():
        for t in targets:
            indegree[t] += 1
    rank = dict.fromkeys(ids, 0)
    todo = [i for i in ids if indegree[i] == 0]
    while todo:
        node = todo.pop(0)
        for t in forward[node]:
            rank[t] = max(rank[t], rank[node] + 1)
            indegree[t] -= 1
            if indegree[t] == 0:
                todo.append(t)
    return rank


def _order(d: Diagram, layers: dict[int, list[str]], rank: dict[str, int]) -> None:
    """Order each rank's nodes (in place) by barycentre sweeps, down then up, so that edges
    cross less."""
    neighbours: dict[str, list[str]] = {n.id: [] for n in d.nodes}
    for e in d.edges:
        if e.source != e.target:
            neighbours[e.source].append(e.target)
            neighbours[e.target].append(e.source)
    order = {node: i for layer in layers.values() for i, node in enumerate(layer)}
    for sweep in range(6):
        keys = sorted(layers) if sweep % 2 == 0 else sorted(layers, reverse=True)
        for k in keys:
            layer = layers[k]

            def centre(node: str) -> float:
                near = [order[m] for m in neighbours[node] if rank[m] != rank[node]]
                return sum(near) / len(near) if near else order[node]

            layer.sort(key=lambda node: (centre(node), order[node]))
            for i, node in enumerate(layer):
                order[node] = i


def _groups(
    d: Diagram, pos: dict[str, tuple[float, float]], size: dict[str, tuple[float, float]]
) -> list[str]:
    """The boxes around each group's nodes, headed by the group's label."""
    body: list[str] = []
    for gr in d.groups:
        members = [n.id for n in d.nodes if n.group == gr.id]
        if not members:
            continue
        x0 = min(pos[i][0] - size[i][0] / 2 for i in members) - 12
        x1 = max(pos[i][0] + size[i][0] / 2 for i in members) + 12
        y0 = min(pos[i][1] - size[i][1] / 2 for i in members) - 26
        y1 = max(pos[i][1] + size[i][1] / 2 for i in members) + 12
        fill, stroke = COLOURS["group"]
        body.append(
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" rx="6" '
            f'fill="{fill}" stroke="{stroke}"/><text x="{x0 + 8:.1f}" y="{y0 + 15:.1f}" font-size="{SIZE}" '
            f'font-weight="bold">{html.escape(gr.label)}</text>'
        )
    return body


def layered(d: Diagram, *, legend: bool | None = None) -> str:
    """The diagram drawn in ranks (top to bottom, or left to right for ``direction="LR"``).

    With ``legend`` (the default for a state machine, whose labels are long and many) each
    edge carries a number and its label is listed beside the drawing."""
    if legend is None:
        legend = d.kind == "state"
    notes: list[str] = []
    names = {n.id: n.label.split("\n")[0] for n in d.nodes}
    if legend:
        labelled = []
        for e in d.edges:
            if e.label:
                notes.append(f"{names[e.source]} → {names[e.target]}：{e.label}")
                labelled.append(replace(e, label=str(len(notes))))
            else:
                labelled.append(e)
        d = replace(d, edges=tuple(labelled))
    rank = _ranks(d)
    layers: dict[int, list[str]] = {}
    for n in d.nodes:
        layers.setdefault(rank[n.id], []).append(n.id)
    _order(d, layers, rank)
    by_id = {n.id: n for n in d.nodes}
    size = {n.id: _box(n.label) for n in d.nodes}
    loops: dict[str, list[str]] = {}
    for e in d.edges:
        if e.source == e.target:
            loops.setdefault(e.source, []).append(e.label)
    loop_w = {
        i: max(_box(x, EDGE_SIZE, EDGE_LINE)[0] for x in ls) + 30 if any(ls) else 40
        for i, ls in loops.items()
    }
    lr = d.direction == "LR"
    gap_between = 40.0  # between nodes of a rank
    gap_ranks = 110.0 if not lr else 150.0
    along: dict[int, float] = {}  # extent of each rank across the flow
    thick: dict[int, float] = {}  # extent of each rank along the flow
    for k, layer in layers.items():
        across = [size[i][1] if lr else size[i][0] + loop_w.get(i, 0) for i in layer]
        along[k] = sum(across) + gap_between * (len(layer) - 1)
        thick[k] = max((size[i][0] if lr else size[i][1]) for i in layer)
    widest = max(along.values())
    pos: dict[str, tuple[float, float]] = {}
    cursor = 30.0
    for k in sorted(layers):
        x = 30 + (widest - along[k]) / 2
        for node in layers[k]:
            w, h = size[node]
            extent = h if lr else w + loop_w.get(node, 0)
            centre_across = x + (h / 2 if lr else w / 2)
            centre_along = cursor + thick[k] / 2
            pos[node] = (centre_along, centre_across) if lr else (centre_across, centre_along)
            x += extent + gap_between
        cursor += thick[k] + gap_ranks
    width = (cursor - gap_ranks + 30) if lr else widest + 60
    height = (widest + 60) if lr else (cursor - gap_ranks + 30)
    width = max(width, max(pos[i][0] + size[i][0] / 2 + loop_w.get(i, 0) for i in pos) + 20)
    body = _groups(d, pos, size)  # drawn first: behind
    # Edges between two nodes: parallel ones bent apart.
    pairs: dict[frozenset[str], int] = {}
    for e in d.edges:
        if e.source == e.target:
            continue
        key = frozenset((e.source, e.target))
        nth = pairs.get(key, 0)
        pairs[key] = nth + 1
        (sx, sy), (tx, ty) = pos[e.source], pos[e.target]
        bend = (0 if nth == 0 else (1 if nth % 2 else -1) * 40 * ((nth + 1) // 2)) + (
            30 if rank[e.target] <= rank[e.source] else 0
        )
        mx, my = (sx + tx) / 2, (sy + ty) / 2
        length = math.hypot(tx - sx, ty - sy) or 1
        cx, cy = mx - (ty - sy) / length * bend, my + (tx - sx) / length * bend
        ax, ay = _clip(sx, sy, *size[e.source], cx, cy)
        bx, by = _clip(tx, ty, *size[e.target], cx, cy)
        dash = ' stroke-dasharray="5 4"' if e.kind == "dashed" else ""
        body.append(
            f'<path class="edge" d="M{ax:.1f},{ay:.1f} Q{cx:.1f},{cy:.1f} {bx:.1f},{by:.1f}" fill="none" '
            f'stroke="#555" stroke-width="1.2"{dash} marker-end="url(#arrow)"/>'
        )
        lx, ly = (ax + 2 * cx + bx) / 4, (ay + 2 * cy + by) / 4
        body.append(_label(lx, ly, e.label))
    for node, labels in loops.items():
        x, y = pos[node]
        w, h = size[node]
        right = x + w / 2
        body.append(
            f'<path class="edge" d="M{right:.1f},{y - h / 4:.1f} C{right + 28:.1f},{y - h:.1f} '
            f'{right + 28:.1f},{y + h:.1f} {right:.1f},{y + h / 4:.1f}" fill="none" stroke="#555" '
            f'stroke-width="1.2" marker-end="url(#arrow)"/>'
        )
        text = ("," if legend else "\n").join(x for x in labels if x)
        if text:
            lw = _box(text, EDGE_SIZE, EDGE_LINE)[0]
            body.append(_label(right + 26 + lw / 2, y, text))
    for n in d.nodes:
        x, y = pos[n.id]
        body.append(_node(x, y, *size[n.id], by_id[n.id]))
    if notes:
        left = width + 10
        for i, note in enumerate(notes, 1):
            first, *rest = note.split("\n")
            text = f"{i}. {first}" + ("：" + " · ".join(rest) if rest else "")
            body.append(
                f'<text x="{left:.1f}" y="{30 + (i - 1) * EDGE_LINE * 1.4:.1f}" font-size="{EDGE_SIZE}">'
                f"{html.escape(text)}</text>"
            )
            width = max(width, left + text_width(text, EDGE_SIZE) + 20)
        height = max(height, 40 + len(notes) * EDGE_LINE * 1.4)
    return _svg(width, height, body, d.title)


def grouped_tree(d: Diagram, columns: int = 4) -> str:
    """The diagram's first node as the root at the left; each group as a box headed by its
    label, its member nodes in a grid of ``columns``; nodes in no group (other than the root)
    in a last box. Edges are drawn from the root to each box."""
    root = d.nodes[0]
    rw, rh = _box(root.label)
    grouped: dict[str, list[Node]] = {}  # (one pass over the nodes, not one per group)
    for n in d.nodes:
        if n.group is not None:
            grouped.setdefault(n.group, []).append(n)
    boxes: list[tuple[str, list[Node]]] = [(gr.label, grouped.get(gr.id, [])) for gr in d.groups]
    loose = [n for n in d.nodes[1:] if n.group is None]
    if loose:
        boxes.append(("", loose))
    cell_w = max([_box(n.label)[0] for n in d.nodes[1:]] or [60.0])
    cell_h = max([_box(n.label)[1] for n in d.nodes[1:]] or [28.0])
    left = 40 + rw + 80
    y = 20.0
    body: list[str] = []
    placed: list[tuple[float, float, float, float]] = []
    for label, members in boxes:
        cols = max(1, min(columns, len(members)))
        rows = math.ceil(len(members) / cols) if members else 0
        head = 26.0 if label else 8.0
        bw = cols * (cell_w + 10) + 10
        bh = head + rows * (cell_h + 8) + 6
        fill, stroke = COLOURS["group"]
        body.append(
            f'<g class="group"><rect x="{left:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{bh:.1f}" rx="6" '
            f'fill="{fill}" stroke="{stroke}"/>'
            + (
                f'<text x="{left + 8:.1f}" y="{y + 17:.1f}" font-size="{SIZE}" font-weight="bold">'
                f"{html.escape(label)}</text>"
                if label
                else ""
            )
        )
        for k, n in enumerate(members):
            cx = left + 10 + (k % cols) * (cell_w + 10) + cell_w / 2
            cy = y + head + (k // cols) * (cell_h + 8) + cell_h / 2
            body.append(_node(cx, cy, cell_w, cell_h, n))
        body.append("</g>")
        placed.append((left, y, bw, bh))
        y += bh + 14
    height = max(y + 6, rh + 40)
    width = max([x + w for x, _, w, _ in placed] or [left]) + 20
    ry = height / 2
    edges = []
    for x, by, _, bh in placed:
        edges.append(
            f'<path class="edge" d="M{40 + rw:.1f},{ry:.1f} C{x - 40:.1f},{ry:.1f} '
            f'{x - 40:.1f},{by + bh / 2:.1f} {x:.1f},{by + bh / 2:.1f}" fill="none" stroke="#888" '
            'stroke-width="1" marker-end="url(#arrow)"/>'
        )
    return _svg(width, height, [*edges, *body, _node(40 + rw / 2, ry, rw, rh, root)], d.title)
