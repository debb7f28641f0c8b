"""Selectors: which authorities a rule of a campaign applies to, and who acts at them.

Kept apart from :mod:`.campaign` so that the authority graph can apply a campaign's acting
rules without importing the campaign (which refers to authorities).

>>> s = Selector(codes=frozenset({"371000"}))
>>> s.is_empty
False
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from attrs import frozen

from ..errors import InvalidInput

__all__ = ["ActingRule", "AuthorityLike", "Selector", "acting_rule_for"]


class AuthorityLike(Protocol):
    """What a selector needs to know of an authority (see ``authorities.Authority``)."""

    @property
    def code(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def ancestors(self) -> frozenset[str]: ...


@frozen
class Selector:
    """Which authorities a rule applies to; every criterion given must hold.

    * ``codes``: the authority's own code is one of these;
    * ``levels``: its level (``district``, ``city``, ``province``, ``ministry``);
    * ``kinds``: its kind (``province``, ``municipality``, ``separately_planned_city``,
      ``xpcc``, ``central_enterprise``, ``prefecture``, ``county``, ``development_zone``...);
    * ``within``: it lies (administratively) inside one of these authorities.
    """

    codes: frozenset[str] = frozenset()
    levels: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    within: frozenset[str] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.codes or self.levels or self.kinds or self.within)

    def matches(self, authority: AuthorityLike) -> bool:
        if self.codes and authority.code not in self.codes:
            return False
        if self.levels and authority.level not in self.levels:
            return False
        if self.kinds and authority.kind not in self.kinds:
            return False
        return not (self.within and not (self.within & authority.ancestors))


@frozen
class ActingRule:
    """Who acts at the authorities ``at`` selects: the departments that ``review`` (examine
    and may act on a nomination there) and those of them that must ``stamp`` the joint
    recommendation (联合盖章) before it goes on. The first rule matching an authority applies.

    >>> rule = ActingRule(Selector(), ("industry", "finance", "market_regulation"), ("industry",))
    >>> rule.stamp
    ('industry',)
    """

    at: Selector
    review: tuple[str, ...]
    stamp: tuple[str, ...]
    source: str = ""
    #: The departments (among ``review``) that must each examine every unit, one by one,
    #: and record an opinion before it may enter the sender's submission (逐一审查, 初核);
    #: empty: the campaign asks for no per-unit examination there.
    examine: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.at, Selector) or not all(
            isinstance(group, tuple) and all(isinstance(d, str) and d for d in group)
            for group in (self.review, self.stamp, self.examine)
        ):
            raise InvalidInput(
                "an acting rule takes a Selector and tuples of department codes (review, stamp, examine)",
                "履职规则须为：机关选择器（Selector）及部门代码元组（review、stamp、examine）",
            )
        if not self.review or not self.stamp or not set(self.stamp) <= set(self.review):
            raise InvalidInput(
                "an acting rule needs at least one reviewing department, and stamping departments "
                f"among them (review: {', '.join(self.review)}; stamp: {', '.join(self.stamp)})",
                "履职规则须至少有一个审核部门，且盖章部门须为审核部门之一",
            )
        if not set(self.examine) <= set(self.review):
            raise InvalidInput(
                "the departments that examine each unit must be among those that review "
                f"(review: {', '.join(self.review)}; examine: {', '.join(self.examine)})",
                "逐一审查的部门须为审核部门之一",
            )


def acting_rule_for(rules: Iterable[ActingRule], authority: AuthorityLike) -> ActingRule | None:
    """The first of ``rules`` whose selector matches ``authority`` (who acts there), or None."""
    for rule in rules:
        if rule.at.matches(authority):
            return rule
    return None
