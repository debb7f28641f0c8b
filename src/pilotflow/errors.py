"""Every error pilotflow raises, in one hierarchy.

::

    PilotflowError
    ├── InvalidInput (also a ValueError)            bad input given to a public function
    │   ├── CampaignFileError                       a campaign/list file is malformed (file, key path)
    │   ├── UnknownAuthority                        an authority code not in the graph
    │   ├── UnknownDepartment                       a department the authority does not have
    │   ├── InvalidUnitCode                         a unified social credit code that fails its check
    │   ├── NaiveDatetime                           a datetime without a time zone
    │   ├── MomentRefused                           an action dated away from the run's clock
    │   ├── MaterialRejected                        a material file that fails its checks
    │   ├── GraphError                              the authority graph is not a forest rooted at the top
    │   └── MachineTableError                       a state machine table that does not hold together
    ├── NominationNotFound (also a LookupError)     no nomination with that id
    │   └── SubmissionNotFound                      no submission (推荐函) with that id
    ├── DuplicateNomination                         the unit already has a nomination (not withdrawn)
    ├── ActionRefused                               a guard said no; ``.reasons`` says why, in full
    │   └── QuotaExceeded                           ...and one of the reasons is a full quota
    ├── ConflictError                               the nomination changed since it was read
    ├── StoreError                                  the storage backend failed (driver error wrapped)
    ├── ReceiptExists                               a store already holds that idempotency key
    ├── SeatUnavailable                             a store could not take a quota seat
    ├── CalendarDataMissing                         no holiday data for that year is installed
    └── MissingDependency (also an ImportError)     a parser needed to check a file is not installed
        └── ExtraMissing                            an optional extra's package (pandas...) is not installed

Every message is given in English and in Chinese, because the people reading a refusal are
civil servants. A refused action changes nothing: no state, no quota seat, no audit record.
A guard's refusal carries :class:`Reason` records: a stable code and a message in both
languages. A :class:`CampaignFileError` carries :class:`FileProblem` records: every problem
of the file, each with its key path.

``ReceiptExists`` and ``SeatUnavailable`` are what a store raises from ``commit`` (a store
written by a host raises them too); the service answers a repeated command from its receipt
and turns a seat it could not take into :class:`QuotaExceeded`. The classes are also offered
where they are used: ``pilotflow.store``, ``pilotflow.materials``, ``pilotflow.workdays``.
This module imports nothing from the rest of pilotflow.
"""

from __future__ import annotations

import errno
import functools
import reprlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from attrs import field, frozen

__all__ = [
    "ActionRefused",
    "CalendarDataMissing",
    "CampaignFileError",
    "ConflictError",
    "DuplicateNomination",
    "ExtraMissing",
    "FileProblem",
    "GraphError",
    "InvalidInput",
    "InvalidUnitCode",
    "MachineTableError",
    "MaterialRejected",
    "MissingDependency",
    "MomentRefused",
    "NaiveDatetime",
    "NominationNotFound",
    "PilotflowError",
    "QuotaExceeded",
    "Reason",
    "ReceiptExists",
    "SeatUnavailable",
    "StoreError",
    "SubmissionNotFound",
    "UnknownAuthority",
    "UnknownDepartment",
]


class _Repr(reprlib.Repr):
    def repr_int(self, x: int, level: int) -> str:
        # (``repr`` of an int of more than 4,300 digits raises ValueError: say its size instead)
        if x.bit_length() > 3 * self.maxlong:
            return f"<int of about {int(x.bit_length() * 0.30103) + 1} digits>"
        return super().repr_int(x, level)


@functools.cache
def _repr(limit: int) -> reprlib.Repr:
    r = _Repr()
    r.maxlevel, r.maxdict, r.maxlist, r.maxtuple, r.maxset, r.maxfrozenset = 2, 3, 3, 3, 3, 3
    r.maxstring = r.maxother = r.maxlong = limit
    return r


def shown(value: object, limit: int = 60) -> str:
    """``value`` as a message shows it: a bounded ``repr`` (strings quoted, every control
    character escaped, containers cut after a few items), at most ``limit`` characters. A
    message never repeats a huge argument whole (an int of more digits than ``limit`` is shown
    by its size)."""
    text = _repr(limit).repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: How many items of a list a message names (then "and N more")
LISTED = 10


def listed(items: Sequence[str]) -> tuple[str, str]:
    """``items`` named in a message, in English and in Chinese: the first :data:`LISTED`, each
    shortened (:func:`shown`'s way, unquoted), and how many more there are."""
    names = [shown(i)[1:-1] if isinstance(i, str) else shown(i) for i in items[:LISTED]]
    rest = len(items) - len(names)
    en, zh = ", ".join(names), "、".join(names)
    if rest > 0:
        en, zh = f"{en} and {rest} more", f"{zh} 等 {len(items)} 项"
    return en, zh


#: What the operating system said, in Chinese, by its error number (the English is its own
#: ``strerror``); a number not listed is described in general terms, never by its code.
_OS_REASONS_ZH = {
    errno.ENOENT: "文件或目录不存在",
    errno.EACCES: "没有权限",
    errno.EPERM: "操作不被允许（没有权限）",
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EROFS: "文件系统为只读",
    errno.EISDIR: "这是一个目录，不是文件",
    errno.ENOTDIR: "路径中有一项不是目录",
    errno.ELOOP: "符号链接层数过多（可能形成了循环）",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EEXIST: "文件已存在",
    errno.EFBIG: "文件过大",
    errno.EMFILE: "打开的文件过多",
    errno.ENFILE: "系统打开的文件过多",
    errno.EIO: "读写设备出错",
    errno.EBUSY: "设备或资源正忙",
    errno.ETXTBSY: "文件正被占用",
    errno.ENXIO: "设备不存在或不可用",
    errno.ENODEV: "设备不存在或不可用",
    errno.EAGAIN: "资源暂时不可用，请稍后再试",
    errno.EINVAL: "路径或参数无效",
    errno.EXDEV: "不能跨文件系统移动",
    errno.ENOTEMPTY: "目录不为空",
    errno.EPIPE: "输出管道已关闭",
    errno.ENOMEM: "内存不足",
}


def os_reason(exc: OSError) -> tuple[str, str]:
    """What the operating system said when it refused ``exc``'s operation, for a message: its
    own English (``strerror``), and the same in Chinese, so that a Chinese message never
    carries the system's English nor an error code.

    >>> os_reason(FileNotFoundError(2, "No such file or directory"))
    ('No such file or directory', '文件或目录不存在')
    >>> os_reason(OSError("no number"))
    ('no number', '操作系统拒绝了该操作')
    """
    en = exc.strerror or str(exc) or type(exc).__name__
    return en, _OS_REASONS_ZH.get(exc.errno or 0, "操作系统拒绝了该操作")


def _freeze(details: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return dict(details or {})


@frozen
class Reason:
    """One reason an action is blocked: a stable ``code`` and a message in two languages.

    ``details`` carries the facts behind it (the missing departments, the quota figures...).
    """

    code: str
    en: str
    zh: str
    details: Mapping[str, Any] = field(factory=dict, converter=_freeze, eq=False, hash=False)

    def __str__(self) -> str:
        return f"[{self.code}] {self.en} / {self.zh}"


class PilotflowError(Exception):
    """Base class of every error pilotflow raises. Every one survives pickling whole (a worker
    process handing it to its parent, a task queue storing it): its class, message and
    attributes, not its constructor's arguments, are what is kept."""

    def __init__(self, en: str, zh: str | None = None) -> None:
        self.en = en
        self.zh = zh if zh is not None else en
        super().__init__(en if zh is None else f"{en} / {zh}")

    def __reduce__(self) -> tuple[Any, ...]:
        # (Exception's own reduce calls the class with the message: wrong for every subclass
        # whose constructor takes other arguments.)
        return _rebuilt, (type(self), self.args, self.__dict__.copy())


def _rebuilt(kind: type[PilotflowError], args: tuple[Any, ...], state: dict[str, Any]) -> PilotflowError:
    """A pickled :class:`PilotflowError` made again from its class, message and attributes."""
    error = kind.__new__(kind)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class InvalidInput(PilotflowError, ValueError):
    """A public function was given something it cannot use; nothing was changed."""


@frozen
class FileProblem:
    """One problem of a campaign (or list) file: the key path inside it (``""`` for the whole
    file), what is wrong in English and Chinese, and the line and column (from 1) when known."""

    path: str
    problem: str
    problem_zh: str
    line: int | None = None
    column: int | None = None

    def where(self, source: str) -> str:
        """``source: path`` (``source`` alone for the whole file), with ``:line:column`` when
        known."""
        at = f":{self.line}:{self.column}" if self.line is not None and self.column is not None else ""
        return f"{source}{at}: {self.path}" if self.path else f"{source}{at}"


SHOWN_PROBLEMS = 50
"""The most problems the message of a :class:`CampaignFileError` lists (``problems`` has all
that were found)."""


class CampaignFileError(InvalidInput):
    """A campaign (or list) definition is malformed.

    ``source`` names the file (or ``<string>``); ``problems`` holds every problem found (a
    file is checked in full, not up to its first problem); ``path`` (the key path inside the
    file, e.g. ``quotas[2].limits.enterprise``) and ``problem`` are those of the first. The
    message lists the problems, at most ``SHOWN_PROBLEMS`` of them; ``truncated`` says the
    check stopped early (too many problems) and more may exist.
    """

    def __init__(
        self,
        source: str,
        path: str,
        problem_en: str,
        problem_zh: str,
        *,
        more: Sequence[FileProblem] = (),
        truncated: bool = False,
        at: tuple[int, int] | None = None,
    ) -> None:
        self.source = source
        self.path = path
        self.problem = problem_en
        self.problems: tuple[FileProblem, ...] = (
            FileProblem(path, problem_en, problem_zh, *(at or (None, None))),
            *more,
        )
        self.truncated = truncated
        if len(self.problems) == 1 and not truncated:
            where = self.problems[0].where(source)
            super().__init__(f"{where}: {problem_en}", f"{where}：{problem_zh}")
            return
        shown = self.problems[:SHOWN_PROBLEMS]
        rest = len(self.problems) - len(shown)
        count = f"{len(self.problems)}{'+' if truncated else ''}"
        en = [f"{source}: {count} problems:"] + [f"  {p.where(source)}: {p.problem}" for p in shown]
        zh = [f"{source}：{count} 处问题："] + [f"  {p.where(source)}：{p.problem_zh}" for p in shown]
        if rest:
            en.append(f"  ... and {rest} more")
            zh.append(f"  ……另有 {rest} 处")
        if truncated:
            en.append("  (checking stopped there: there may be more)")
            zh.append("  （检查至此停止，可能还有更多问题）")
        super().__init__("\n".join(en), "\n".join(zh))

    @classmethod
    def of(
        cls, source: str, problems: Sequence[FileProblem], *, truncated: bool = False
    ) -> CampaignFileError:
        """The error of ``source`` with ``problems`` (at least one), in the order found."""
        first, *more = problems
        at = (first.line, first.column) if first.line is not None and first.column is not None else None
        return cls(source, first.path, first.problem, first.problem_zh, more=more, truncated=truncated, at=at)


class UnknownAuthority(InvalidInput):
    """An authority code that the graph does not know."""

    def __init__(self, code: str, where: str = "", where_zh: str = "") -> None:
        self.code = code
        at = f" ({where})" if where else ""
        at_zh = f"（{where_zh}）" if where_zh else at
        super().__init__(
            f"unknown authority {shown(code)}{at}", f"未知的单位（机关）代码 {shown(code)}{at_zh}"
        )


class UnknownDepartment(InvalidInput):
    """A department that the authority does not have (in this campaign)."""

    def __init__(
        self,
        authority: str,
        department: str,
        known: Sequence[str],
        authority_name: str = "",
        names: Mapping[str, str] | None = None,
    ) -> None:
        self.authority = authority
        self.department = department
        zh = names if isinstance(names, Mapping) else {}
        where = shown(authority_name or authority)[1:-1]  # (escaped: a name may hold a line break)
        given = (
            f"{zh[department]}部门"
            if isinstance(department, str) and department in zh
            else (f"所填部门（{shown(department)}）")
        )
        # (the departments it has, by their Chinese names; without every name, not listed:
        # Chinese text shows no codes)
        listed = f"（参与部门：{'、'.join(zh[k] for k in known)}）" if all(k in zh for k in known) else ""
        super().__init__(
            f"authority {authority!r} has no department {shown(department)} (it has: {', '.join(known)})",
            f"{given}不是{where}参与本次遴选的部门{listed}",
        )


class InvalidUnitCode(InvalidInput):
    """A unified social credit code (统一社会信用代码) that is malformed or fails its check."""


class NaiveDatetime(InvalidInput):
    """A datetime without a time zone was given where a moment is needed."""

    def __init__(self, what: str, value: object) -> None:
        super().__init__(
            f"{what} must be a timezone-aware datetime, got naive {value!r}",
            f"{what} 必须带时区（如 Asia/Shanghai），收到的是无时区时间 {value!r}",
        )


class MomentRefused(InvalidInput):
    """An action states a moment (``at=``) the run does not accept: further from the run's
    clock than the campaign's tolerance, or (recording past facts) later than the clock.

    ``at`` is the moment given, ``clock`` the clock's reading, ``tolerance`` the allowance;
    ``what`` names the argument (``at``; the sweep's ``now``); ``remedy`` what to do to record
    a fact of the past, in English and Chinese (a command line names its own option).
    """

    def __init__(
        self,
        at: datetime,
        clock: datetime,
        tolerance: timedelta,
        backfill: bool,
        what: str = "at",
        *,
        remedy: tuple[str, str] = ("use a run opened with backfill=True", "须使用补录模式"),
    ) -> None:
        self.at = at
        self.clock = clock
        self.tolerance = tolerance
        self.backfill = backfill
        self.what = what
        seconds = int(tolerance.total_seconds())
        if backfill:
            en = (
                f"{what} ({at.isoformat()}) is later than the clock ({clock.isoformat()}) by more than "
                f"{seconds} s: past facts may be recorded, future ones may not"
            )
            zh = (
                f"操作时间 {at.isoformat()} 晚于当前时间 {clock.isoformat()} 超过 {seconds} 秒："
                "补录只能登记已发生的事项"
            )
        else:
            en = (
                f"{what} ({at.isoformat()}) differs from the clock ({clock.isoformat()}) by more than "
                f"the campaign's tolerance of {seconds} s; an action is dated when it is taken "
                f"(to record facts of the past, {remedy[0]})"
            )
            zh = (
                f"操作时间 {at.isoformat()} 与当前时间 {clock.isoformat()} 相差超过本次遴选允许的 "
                f"{seconds} 秒；操作时间以实际办理时间为准（补录历史记录{remedy[1]}）"
            )
        super().__init__(en, zh)


class MaterialRejected(InvalidInput):
    """A file (or paper count) was refused as a material; nothing was recorded.

    ``reason`` is a stable code (see ``docs/materials.md`` for the list), ``path`` the path
    as given (None for a paper count), ``details`` the facts behind the refusal.
    """

    def __init__(
        self,
        reason: str,
        path: str | None,
        en: str,
        zh: str,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        self.reason = reason
        self.path = path
        self.details: Mapping[str, Any] = dict(details or {})
        self.problem_en = en
        self.problem_zh = zh
        if path is None:
            super().__init__(en, zh)
        else:
            named = path or "''"  # (an empty path shown as one, not as nothing)
            super().__init__(f"{named}: {en}", f"{named}：{zh}")

    def as_reason(self) -> Reason:
        """The refusal as a guard :class:`~pilotflow.errors.Reason` (code ``material_<reason>``)."""
        details = {"path": self.path, **self.details}
        return Reason(f"material_{self.reason}", self.en, self.zh, details)


class GraphError(InvalidInput):
    """The authority graph is inconsistent (a cycle, an orphan, no departments...)."""


class MachineTableError(InvalidInput):
    """The state machine's table is inconsistent: a part is not what it must be, it declares
    a state twice or names one it does not declare, a state cannot be reached from the initial
    one, a live state has no way out, or a final state has a transition. ``problem`` says
    which (``malformed``, ``duplicate_state``, ``unknown_state``, ``final_with_transitions``,
    ``unreachable``, ``dead_end``, ``no_way_to_final``: see
    ``pilotflow.domain.machine.check_table``), ``states`` the states concerned."""

    def __init__(self, problem: str, states: Sequence[str], en: str, zh: str) -> None:
        self.problem = problem
        self.states: tuple[str, ...] = tuple(states)
        super().__init__(f"state machine table: {en}", f"状态机转换表有误：{zh}")


class NominationNotFound(PilotflowError, LookupError):
    """No nomination with that id exists in the store."""

    def __init__(self, nomination_id: str) -> None:
        self.nomination_id = nomination_id
        super().__init__(
            f"no nomination with id {shown(nomination_id)}", f"找不到编号为 {shown(nomination_id)} 的申报"
        )


class SubmissionNotFound(NominationNotFound):
    """No submission (推荐函) with that id exists in the store."""

    def __init__(self, submission_id: str) -> None:
        self.nomination_id = self.submission_id = submission_id
        PilotflowError.__init__(
            self,
            f"no submission with id {shown(submission_id)}",
            f"找不到编号为 {shown(submission_id)} 的推荐函",
        )


class DuplicateNomination(PilotflowError):
    """The unit already has a nomination in this campaign that was not withdrawn."""

    def __init__(self, unit_code: str, existing_id: str) -> None:
        self.unit_code = unit_code
        self.existing_id = existing_id
        super().__init__(
            f"unit {unit_code} already has a nomination ({existing_id}) in this campaign; "
            "only a withdrawn nomination may be filed again",
            f"单位 {unit_code} 在本次遴选中已有申报（{existing_id}），不得重复申报（撤回后方可重新申报）",
        )


class ActionRefused(PilotflowError):
    """An action was refused by its guards. ``reasons`` lists every blocking reason.

    ``action_zh`` is the action as a civil servant names it (「推荐」 for ``recommend``; the
    action itself when not given), ``record_zh`` what ``nomination_id`` is the id of (申报,
    or 推荐函 for a submission's own action): the Chinese message names both.
    """

    def __init__(
        self,
        action: str,
        nomination_id: str | None,
        reasons: Sequence[Reason],
        *,
        action_zh: str | None = None,
        record_zh: str = "申报",
    ) -> None:
        self.action = action
        self.action_zh = action if action_zh is None else action_zh
        self.record_zh = record_zh
        self.nomination_id = nomination_id
        self.reasons: tuple[Reason, ...] = tuple(reasons)
        target = f" on {nomination_id}" if nomination_id else ""
        target_zh = f"（{record_zh} {nomination_id}）" if nomination_id else ""
        super().__init__(
            f"{action}{target} refused: " + "; ".join(r.en for r in self.reasons),
            f"操作“{self.action_zh}”被拒绝{target_zh}：" + "；".join(r.zh for r in self.reasons),
        )

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order."""
        return tuple(r.code for r in self.reasons)


class QuotaExceeded(ActionRefused):
    """An action was refused and one of its reasons is a full quota."""


class ConflictError(PilotflowError):
    """Optimistic concurrency: the nomination was changed by someone else since it was read."""

    def __init__(self, nomination_id: str, expected: int, actual: int | None) -> None:
        self.nomination_id = nomination_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"nomination {nomination_id} changed concurrently: expected version {expected}, "
            f"store has {actual}",
            f"申报 {nomination_id} 已被他人修改：预期版本 {expected}，当前版本 {actual}，请刷新后重试",
        )


class StoreError(PilotflowError):
    """The storage backend failed; the driver's exception is chained as ``__cause__``."""


class ReceiptExists(PilotflowError):
    """Raised by a store when a receipt's idempotency key is already stored."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"idempotency key {key!r} was already used", f"幂等键 {key!r} 已被使用")


class _Seat(Protocol):
    """What :class:`SeatUnavailable` reads of a seat (a :class:`pilotflow.store.Seat`)."""

    @property
    def authority(self) -> str: ...


class SeatUnavailable(PilotflowError):
    """Raised by a store when a seat cannot be taken; the service turns it into a refusal.

    ``seat`` is the :class:`pilotflow.store.Seat` that could not be taken, ``key`` the
    counter that is full (a unit type, ``"*"`` or ``"re_review"``), ``used`` and ``limit``
    its figures.
    """

    def __init__(self, seat: _Seat, used: int, limit: int, key: str) -> None:
        self.seat = seat
        self.used = used
        self.limit = limit
        self.key = key
        super().__init__(
            f"no seat left at {seat.authority} for {key}: {used} of {limit} used",
            f"{seat.authority} 的 {key} 名额已满：已用 {used}，限额 {limit}",
        )


_CALENDAR_PACKAGE = "chinesecalendar"  # the distribution on PyPI (see pilotflow.workdays)


class CalendarDataMissing(PilotflowError):
    """The holiday data for ``year`` is not in the installed ``chinesecalendar``.

    ``year`` is the year asked for; ``covered`` the years the data knows (a ``range``).
    The remedy is to upgrade the package once the State Council has published that year's
    arrangement; pilotflow never falls back on weekdays alone.
    """

    def __init__(self, year: int, covered: range, version: str) -> None:
        self.year = year
        self.covered = covered
        self.version = version
        first, last = covered.start, covered.stop - 1
        package = _CALENDAR_PACKAGE
        super().__init__(
            f"no Chinese holiday data for {year}: {package} {version} covers {first}–{last}; "
            f"upgrade it (pip install -U {package}) once the State Council has published the "
            f"holiday arrangement for {year}. Working days are not guessed from weekdays.",
            f"缺少 {year} 年的法定节假日安排数据：{package} {version} 仅覆盖 {first}–{last} 年；"
            f"请在国务院公布 {year} 年节假日安排后升级（pip install -U {package}）。"
            "工作日不会仅按星期推算。",
        )


class MissingDependency(PilotflowError, ImportError):
    """A parser pilotflow needs to check a file is not installed."""

    def __init__(self, module: str, package: str) -> None:
        self.module = module
        self.package = package
        super().__init__(
            f"checking this file needs the {package!r} package; "
            f"reinstall pilotflow, which depends on it: pip install --force-reinstall {package}",
            f"检查该文件需要安装 {package!r} 软件包：pip install --force-reinstall {package}",
        )


class ExtraMissing(MissingDependency):
    """An optional feature needs a package of one of pilotflow's extras (``to_frame`` needs
    pandas: ``pip install 'pilotflow[notebook]'``)."""

    def __init__(self, module: str, extra: str) -> None:
        self.module = module
        self.package = module
        self.extra = extra
        PilotflowError.__init__(
            self,
            f"this needs the optional package {module!r}: pip install 'pilotflow[{extra}]'",
            f"此功能需要安装可选软件包 {module!r}：pip install 'pilotflow[{extra}]'",
        )
