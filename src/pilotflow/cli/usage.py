"""The Chinese of click's usage errors: for each kind, what is wrong and where — which command,
which option or argument, which value — as the English line click gives says it.

Click raises a class of its own for most kinds (no such option or command, a missing or bad
parameter, an option or argument used wrongly); an extra argument and a missing command are
plain :class:`click.UsageError` s told apart by click's (untranslated) English message. A kind
this module does not know still says which command it is about.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import click

from pilotflow.errors import shown
from pilotflow.names import ACTION_NAMES_ZH, SUBMISSION_STATE_ZH, TRACK_ZH

__all__ = ["usage_zh", "why_zh"]

#: The Chinese of the values a choice offers (states, actions, tracks), beside the value typed.
CHOICE_ZH: Mapping[str, str] = {**TRACK_ZH, **SUBMISSION_STATE_ZH, **ACTION_NAMES_ZH}

_EXTRA = re.compile(r"Got unexpected extra arguments? \((.*)\)\Z", re.S)
_NEEDS_VALUES = re.compile(r"Option '(.*)' requires (?:an argument|(\d+) arguments)\.\Z", re.S)
_TAKES_NO_VALUE = re.compile(r"Option '(.*)' does not take a value\.\Z", re.S)
_ARGUMENT_VALUES = re.compile(r"Argument '(.*)' takes (\d+) values\.\Z", re.S)
_MISSING_COMMAND = "Missing command."

#: How much of what a user typed (an option's name, extra arguments) a Chinese line repeats.
_TYPED = 80


def _typed(text: str) -> str:
    """What a user typed, bounded (:func:`~pilotflow.errors.shown`), without its quotes."""
    return shown(text, _TYPED)[1:-1] if len(text) + 2 > _TYPED else text


def _maybe(possibilities: Sequence[str] | None) -> str:
    return f"（是否要用 {'、'.join(_typed(p) for p in possibilities[:5])}？）" if possibilities else ""


def usage_zh(exc: click.ClickException) -> str:
    """The Chinese of one of click's usage errors, naming the command and the option,
    argument or value concerned."""
    ctx: click.Context | None = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx is not None else "pilotflow"
    command = f"命令 {path} "
    param = getattr(exc, "param", None)
    hint = param.get_error_hint(ctx) if param is not None and ctx is not None else ""
    if isinstance(exc, click.NoSuchOption):
        return f"{command}没有选项 {_typed(exc.option_name)}{_maybe(exc.possibilities)}"
    if isinstance(exc, click.exceptions.NoSuchCommand):
        maybe = _maybe(exc.possibilities)
        return f"{command}没有子命令 {_typed(exc.command_name)}{maybe}；{path} -h 列出全部子命令"
    if isinstance(exc, click.MissingParameter):
        kind = exc.param_type or (param.param_type_name if param is not None else "")
        what = {"option": "选项", "argument": "参数"}.get(kind, "参数")
        return f"{command}缺少必需的{what} {hint}" if hint else f"{command}缺少必需的{what}"
    if isinstance(exc, click.BadParameter):
        why = why_zh(param)
        return f"{command}" + (f"{hint} 的取值无效" if hint else "参数取值无效") + (f"：{why}" if why else "")
    message = exc.message
    if isinstance(exc, click.BadOptionUsage):
        needs = _NEEDS_VALUES.match(message)
        if needs:
            count = f" {needs.group(2)} 个" if needs.group(2) else "一个"
            return f"{command}的选项 {_typed(exc.option_name)} 后须跟{count}取值"
        if _TAKES_NO_VALUE.match(message):
            return f"{command}的选项 {_typed(exc.option_name)} 是开关，不接受取值（去掉“=”及其后的值）"
        return f"{command}的选项 {_typed(exc.option_name)} 用法有误"
    if isinstance(exc, click.BadArgumentUsage):
        takes = _ARGUMENT_VALUES.match(message)
        if takes:
            return f"{command}的参数 {_typed(takes.group(1))} 须给出 {takes.group(2)} 个值"
        return f"{command}的参数用法有误"
    extra = _EXTRA.match(message)
    if extra:
        return f"{command}不接受多余的参数：{_typed(extra.group(1))}（取值含空格时请加引号）"
    if message == _MISSING_COMMAND:
        return f"{command}后缺少子命令；{path} -h 列出全部子命令"
    return f"{command}的用法有误"


def why_zh(param: object) -> str:
    """What a value of ``param`` must be, in Chinese, from its click type (click's English line
    names the value given); "" for a type with nothing more to say."""
    kind = getattr(param, "type", None)
    if isinstance(kind, click.Choice):
        choices = [f"{c}（{CHOICE_ZH[c]}）" if c in CHOICE_ZH else str(c) for c in kind.choices]
        return f"必须是以下之一：{'、'.join(choices)}"
    if isinstance(kind, (click.IntRange, click.FloatRange)):
        number = "整数" if isinstance(kind, click.IntRange) else "数"
        if kind.min is not None and kind.max is not None and not (kind.min_open or kind.max_open):
            return f"必须是 {kind.min} 到 {kind.max} 之间的{number}"
        low = None if kind.min is None else f"{'大于' if kind.min_open else '不小于'} {kind.min} "
        high = None if kind.max is None else f"{'小于' if kind.max_open else '不大于'} {kind.max} "
        return f"必须是{'且'.join(b for b in (low, high) if b)}的{number}"
    if isinstance(kind, click.types.IntParamType):
        return "必须是整数"
    if isinstance(kind, click.types.FloatParamType):
        return "必须是数字"
    if isinstance(kind, click.Path):
        return "路径无法使用（不存在，或不是所需的文件或文件夹）"
    return ""
