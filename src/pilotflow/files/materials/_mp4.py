"""Checking an MP4 video: its boxes walked and counted, its video tracks' sample tables
checked against the media data, its duration against the bounds asked."""

from __future__ import annotations

import array
import bisect
import functools
import itertools
import operator
import struct
import sys
from collections.abc import Iterator, Sequence
from typing import IO

from ...errors import MaterialRejected
from ._shared import (
    _MAX_BOXES,
    _MAX_MP4_TABLE,
    _MAX_SAMPLES,
    _corrupt,
    _inconsistent,
    _name,
    _too_complex,
)


class _BoxWalk:
    """Walks ISO-BMFF boxes one at a time, counting them all: no list of boxes is built, and
    the walk stops at ``_MAX_BOXES`` boxes in the whole file."""

    def __init__(self, stream: IO[bytes], shown: str) -> None:
        self.stream = stream
        self.shown = shown
        self.count = 0

    def boxes(self, start: int, end: int, top: bool = False) -> Iterator[tuple[bytes, int, int]]:
        """The boxes between ``start`` and ``end``: (type, payload start, box end).

        Every box must lie wholly inside its parent, which is how a truncated file shows.
        """
        stream, shown = self.stream, self.shown
        pos = start
        while pos < end:
            self.count += 1
            if self.count > _MAX_BOXES:
                raise _too_complex(
                    shown, "mp4", f"more than {_MAX_BOXES} boxes", f"box（数据盒）超过 {_MAX_BOXES} 个"
                )
            if end - pos < 8:
                raise _corrupt(shown, "mp4", f"{end - pos} stray bytes at offset {pos}")
            stream.seek(pos)
            size, box_type = struct.unpack(">I4s", stream.read(8))
            header = 8
            if size == 1:
                large = stream.read(8)
                if len(large) < 8:
                    raise _corrupt(shown, "mp4", f"box {_box_name(box_type)} at offset {pos} is cut short")
                (size,) = struct.unpack(">Q", large)
                header = 16
            elif size == 0 and top:
                size = end - pos  # the last top-level box may run to the end of the file
            if size < header:
                raise _corrupt(
                    shown, "mp4", f"box {_box_name(box_type)} at offset {pos} has invalid size {size}"
                )
            if pos + size > end:
                raise _corrupt(
                    shown,
                    "mp4",
                    f"box {_box_name(box_type)} at offset {pos} needs {size} bytes but only "
                    f"{end - pos} remain: the file is truncated",
                )
            yield box_type, pos + header, pos + size
            pos += size

    def find(self, start: int, end: int, wanted: bytes) -> tuple[int, int] | None:
        """The first child box of type ``wanted`` (its payload), walking no further."""
        for box_type, payload, box_end in self.boxes(start, end):
            if box_type == wanted:
                return payload, box_end
        return None

    def payload(self, box: tuple[int, int], what: str) -> bytes:
        start, end = box
        if end - start > _MAX_MP4_TABLE:
            raise _too_complex(
                self.shown,
                "mp4",
                f"a {what} table of {end - start} bytes, more than {_MAX_MP4_TABLE}",
                f"{what} 表 {end - start} 字节，超过 {_MAX_MP4_TABLE} 字节",
            )
        self.stream.seek(start)
        return self.stream.read(end - start)


def _box_name(box_type: bytes) -> str:
    return repr(box_type.decode("latin-1"))


def _uint32s(data: bytes, shown: str, what: str) -> array.array[int]:
    if len(data) % 4:
        raise _corrupt(shown, "mp4", f"the {what} table is cut short")
    values = array.array("I", data)
    if sys.byteorder == "little":
        values.byteswap()
    return values


def _table(walk: _BoxWalk, stbl: tuple[int, int], box: bytes, width: int, head: int = 0) -> tuple[int, bytes]:
    """A sample table's entry count and its entries (``width`` bytes each, after ``head``
    further bytes of fields), or (0, b"") when the table is absent."""
    found = walk.find(*stbl, box)
    if found is None:
        return 0, b""
    data = walk.payload(found, box.decode("latin-1"))
    if len(data) < 8 + head:
        raise _corrupt(walk.shown, "mp4", f"the {box.decode('latin-1')} table is cut short")
    (count,) = struct.unpack_from(">I", data, 4 + head)
    entries = data[8 + head :]
    if count > len(entries) // max(width, 1):
        raise _inconsistent(
            walk.shown,
            "mp4",
            f"the {box.decode('latin-1')} table claims {count} entries but holds {len(entries) // width}",
            f"{box.decode('latin-1')} 表声称有 {count} 项，实际只有 {len(entries) // width} 项",
        )
    return count, entries[: count * width]


def _track_seconds(
    walk: _BoxWalk, mdia: tuple[int, int], mdats: list[tuple[int, int]], seen: int
) -> tuple[float, int]:
    """How long a video track lasts by its samples (the sum of its ``stts`` sample deltas over
    its ``mdhd`` timescale), and how many samples it has. Every sample must have a size and
    lie inside a media data box, sharing no byte with another; ``seen`` samples of other
    video tracks were checked before, and all of them together may number at most
    ``_MAX_SAMPLES``."""
    shown = walk.shown
    mdhd = walk.find(*mdia, b"mdhd")
    if mdhd is None:
        raise _corrupt(shown, "mp4", "a video track without a media header (mdhd)")
    header = walk.payload(mdhd, "mdhd")
    if header[:1] == b"\x01" and len(header) >= 32:
        timescale, declared = struct.unpack_from(">IQ", header, 20)
    elif len(header) >= 20:
        timescale, declared = struct.unpack_from(">II", header, 12)
    else:
        raise _corrupt(shown, "mp4", "the media header (mdhd) is cut short")
    if timescale == 0:
        raise _corrupt(shown, "mp4", "the video track's timescale is 0")
    minf = walk.find(*mdia, b"minf")
    stbl = walk.find(*minf, b"stbl") if minf is not None else None
    if stbl is None:
        raise _corrupt(shown, "mp4", "a video track without a sample table (stbl)")
    _, stts = _table(walk, stbl, b"stts", 8)
    pairs = _uint32s(stts, shown, "stts")
    counts, deltas = pairs[0::2], pairs[1::2]
    samples = sum(counts)
    units = sum(map(operator.mul, counts, deltas))
    if samples == 0:
        raise _inconsistent(
            shown,
            "mp4",
            f"the video track's header claims {declared / timescale:.1f} s but it lists no samples",
            f"视频轨道头声称时长 {declared / timescale:.1f} 秒，但没有任何帧（sample）",
        )
    if seen + samples > _MAX_SAMPLES:
        raise _too_complex(
            shown,
            "mp4",
            f"{seen + samples} video samples in all its video tracks, more than {_MAX_SAMPLES}",
            f"各视频轨道的帧合计超过 {_MAX_SAMPLES} 个",
        )
    sizes = _sample_sizes(walk, stbl, samples)
    _check_chunks(walk, stbl, sizes, mdats)
    seconds: float = units / timescale
    if declared and abs(declared / timescale - seconds) > max(1.0, seconds * 0.02):
        raise _inconsistent(
            shown,
            "mp4",
            f"the video track's header claims {declared / timescale:.1f} s "
            f"but its samples last {seconds:.1f} s",
            f"视频轨道头声称时长 {declared / timescale:.1f} 秒，但各帧合计只有 {seconds:.1f} 秒",
        )
    return seconds, samples


def _sample_sizes(walk: _BoxWalk, stbl: tuple[int, int], samples: int) -> Sequence[int]:
    shown = walk.shown
    found = walk.find(*stbl, b"stsz")
    if found is None:
        raise _corrupt(shown, "mp4", "a video track without a sample size table (stsz)")
    data = walk.payload(found, "stsz")
    if len(data) < 12:
        raise _corrupt(shown, "mp4", "the stsz table is cut short")
    uniform, count = struct.unpack_from(">II", data, 4)
    if count != samples:
        raise _inconsistent(
            shown,
            "mp4",
            f"the video track times {samples} samples but sizes {count}",
            f"视频轨道的时间表有 {samples} 帧，大小表却有 {count} 帧",
        )
    if uniform:
        return array.array("Q", [uniform]) * samples
    if len(data) - 12 < 4 * samples:
        raise _corrupt(shown, "mp4", "the stsz table is cut short")
    sizes = _uint32s(data[12 : 12 + 4 * samples], shown, "stsz")
    if min(sizes) == 0:
        raise _inconsistent(shown, "mp4", "a video sample of 0 bytes", "视频中有 0 字节的帧")
    return sizes


def _check_chunks(
    walk: _BoxWalk, stbl: tuple[int, int], sizes: Sequence[int], mdats: list[tuple[int, int]]
) -> None:
    """Every chunk of samples (``stsc`` runs over ``stco``/``co64`` offsets) must lie inside a
    media data box, no two chunks may share a byte, and the chunks must hold exactly the
    samples the track lists.

    The work is done a table at a time (``array``, ``map``, ``itertools``), never a Python
    step per chunk: the sample-to-chunk runs are checked and their sample total compared
    with the track's before any per-chunk table is built.
    """
    shown = walk.shown
    chunks, offsets_data = _table(walk, stbl, b"stco", 4)
    offsets: array.array[int]
    if chunks:
        offsets = _uint32s(offsets_data, shown, "stco")
    else:
        chunks, offsets_data = _table(walk, stbl, b"co64", 8)
        offsets = array.array("Q", offsets_data)
        if sys.byteorder == "little":
            offsets.byteswap()
    del offsets_data
    if not chunks:
        raise _inconsistent(shown, "mp4", "the video track has no chunk offsets", "视频轨道没有数据块偏移表")
    if chunks > len(sizes):
        raise _inconsistent(
            shown,
            "mp4",
            f"{chunks} chunks for {len(sizes)} samples",
            f"{chunks} 个数据块却只有 {len(sizes)} 帧",
        )
    runs, stsc = _table(walk, stbl, b"stsc", 12)
    if runs == 0:
        raise _inconsistent(
            shown, "mp4", "the video track has no sample-to-chunk table", "视频轨道没有帧到数据块的映射表"
        )
    table = _uint32s(stsc, shown, "stsc")
    firsts, per_chunk = table[0::3], table[1::3]
    del table
    if (
        firsts[0] != 1
        or firsts[-1] > chunks
        or min(per_chunk) < 1
        or not all(map(operator.lt, firsts, itertools.islice(firsts, 1, None)))
    ):
        raise _inconsistent(
            shown, "mp4", "the sample-to-chunk table is out of order", "帧到数据块的映射表顺序错误"
        )
    # How many chunks each run covers, and so how many samples the chunks hold in all.
    lengths = array.array("Q", map(operator.sub, itertools.islice(firsts, 1, None), firsts))
    lengths.append(chunks + 1 - firsts[-1])
    taken = sum(map(operator.mul, lengths, per_chunk))
    if taken != len(sizes):
        raise _inconsistent(
            shown,
            "mp4",
            f"the chunks hold {taken} samples, the track lists {len(sizes)}",
            f"数据块中共 {taken} 帧，轨道却列出 {len(sizes)} 帧",
        )
    # The samples each chunk holds, then the bytes before each chunk's first sample.
    held = itertools.chain.from_iterable(map(itertools.repeat, per_chunk, lengths))
    before = array.array("Q", itertools.accumulate(sizes, initial=0))
    at, after = itertools.tee(map(before.__getitem__, itertools.accumulate(held, initial=0)))
    next(after)
    ends = array.array("Q", map(operator.add, offsets, map(operator.sub, after, at)))
    del before, at, after
    # Inside a media data box: the box starting at or before the chunk must hold its end.
    # (A sentinel box before the file's first byte catches a chunk before every box.)
    starts = [-1, *(start for start, _ in mdats)]
    limits = [-1, -1, *(end for _, end in mdats)]
    box = functools.partial(bisect.bisect_right, starts)
    if not all(map(operator.le, ends, map(limits.__getitem__, map(box, offsets)))):
        box_end = map(limits.__getitem__, map(box, offsets))
        bad = next(itertools.compress(range(chunks), map(operator.gt, ends, box_end)))
        offset, length = offsets[bad], ends[bad] - offsets[bad]
        raise _inconsistent(
            shown,
            "mp4",
            f"video samples at offset {offset} ({length} bytes) lie outside the media data",
            f"偏移 {offset} 处的视频帧（{length} 字节）不在媒体数据（mdat）之内",
        )
    # No byte shared: in the order of their offsets, each chunk ends before the next starts.
    if not all(map(operator.le, offsets, itertools.islice(offsets, 1, None))):
        order = sorted(range(chunks), key=offsets.__getitem__)
        offsets = array.array(offsets.typecode, map(offsets.__getitem__, order))
        ends = array.array("Q", map(ends.__getitem__, order))
        del order
    if not all(map(operator.le, ends, itertools.islice(offsets, 1, None))):
        bad = next(
            itertools.compress(range(chunks), map(operator.gt, ends, itertools.islice(offsets, 1, None)))
        )
        raise _inconsistent(
            shown,
            "mp4",
            f"video samples at offset {offsets[bad]} ({ends[bad] - offsets[bad]} bytes) "
            f"overlap those at offset {offsets[bad + 1]}",
            f"偏移 {offsets[bad]} 处的视频帧（{ends[bad] - offsets[bad]} 字节）与偏移 {offsets[bad + 1]} "
            "处的视频帧共用数据",
        )


def _check_mp4(stream: IO[bytes], shown: str, size: int) -> float:
    """The video's duration, from its video tracks' sample tables (the longest track).

    The top-level boxes are walked and counted (never all listed); the movie box must hold
    at least one video track (``hdlr`` = ``vide``) whose samples are timed (``stts``), sized
    (``stsz``) and stored inside the media data (``stsc`` and ``stco``/``co64``). A header
    claiming a duration its samples do not back is refused; the movie header (``mvhd``)
    and any sound track do not count.
    """
    walk = _BoxWalk(stream, shown)
    moov: tuple[int, int] | None = None
    mdats: list[tuple[int, int]] = []
    for box_type, start, end in walk.boxes(0, size, top=True):
        if box_type == b"moov":
            if moov is not None:
                raise _inconsistent(shown, "mp4", "two movie boxes (moov)", "有两个 moov 数据盒")
            moov = (start, end)
        elif box_type == b"mdat" and end > start:
            mdats.append((start, end))
        elif box_type == b"moof":
            raise _fragmented(shown)
    if moov is None:
        raise _corrupt(shown, "mp4", "no movie header (moov)")
    if not mdats:
        raise _corrupt(shown, "mp4", "no media data (mdat)")
    durations: list[float] = []
    seen = 0  # samples of the video tracks checked so far
    for box_type, start, end in walk.boxes(*moov):
        if box_type == b"mvex":
            raise _fragmented(shown)
        if box_type != b"trak":
            continue
        mdia = walk.find(start, end, b"mdia")
        if mdia is None:
            continue
        hdlr = walk.find(*mdia, b"hdlr")
        if hdlr is None or hdlr[1] - hdlr[0] < 12:
            continue
        stream.seek(hdlr[0] + 8)  # version/flags, pre_defined, handler_type
        if stream.read(4) == b"vide":
            seconds, samples = _track_seconds(walk, mdia, mdats, seen)
            durations.append(seconds)
            seen += samples
    if not durations:
        raise MaterialRejected(
            "not_video",
            shown,
            "the MP4 file has no video track (sound only?)",
            "该 MP4 文件没有视频轨道（可能只有音频）",
        )
    length = max(durations)
    if not length > 0:
        raise _corrupt(shown, "mp4", "the video lasts 0 s")
    return length


def _fragmented(shown: str) -> MaterialRejected:
    what_en, what_zh = _name("fmp4")
    return MaterialRejected(
        "format_not_allowed",
        shown,
        f"the content is {what_en}; save it as a regular (not fragmented) MP4",
        f"文件内容是{what_zh}，请另存为普通（非分片）MP4",
        {"detected": "fmp4", "allowed": ("mp4",)},
    )


def _check_duration(shown: str, duration: float, seconds: int | None, tolerance: int) -> None:
    if seconds is None:
        return
    low, high = seconds - tolerance, seconds + tolerance
    if low <= duration <= high:
        return
    around_en = f"{seconds} s ± {tolerance} s ({low}-{high} s)" if tolerance else f"{seconds} s"
    around_zh = f"{seconds}±{tolerance} 秒（{low}～{high} 秒）" if tolerance else f"{seconds} 秒"
    raise MaterialRejected(
        "video_duration",
        shown,
        f"the video lasts {duration:.1f} s; it must last {around_en}",
        f"视频时长 {duration:.1f} 秒，要求 {around_zh}",
        {"duration": duration, "video_seconds": seconds, "video_tolerance": tolerance},
    )
