"""The codec's packed forms read back what was written, at every width, and refuse what is cut."""

import mmap
import pickle
import random
import zlib
from array import array

import pytest
from whoosh.filedb.filestore import RamStorage

from speechsearch.engine.mapped import MappedStorage
from speechsearch.engine.packing import (
    DamagedBlock,
    pack_boosts,
    pack_counts,
    pack_gaps,
    pack_numbers,
    squeeze,
    unpack_boosts,
    unpack_counts,
    unpack_gaps,
    unpack_numbers,
    unsqueeze,
)
from speechsearch.engine.stored import BLOCK_RECORDS, DICTIONARY_SAMPLE, StoredFieldsColumn


@pytest.mark.parametrize("top, code", [(0, "B"), (255, "B"), (256, "H"), (65535, "H"), (65536, "I"),
                                       (2**32 - 1, "I"), (2**32, "Q"), (2**63, "Q")])
def test_numbers_pack_in_the_narrowest_width_and_read_back(top, code):
    numbers = [0, top, top // 2, 1]
    packed = pack_numbers(numbers)
    assert packed[:1] == code.encode()
    assert len(packed) == 1 + 4 * array(code).itemsize
    read, end = unpack_numbers(b"xx" + packed + b"tail", 2, 4)
    assert list(read) == numbers and end == 2 + len(packed)
    with pytest.raises(DamagedBlock):
        unpack_numbers(packed[:-1], 0, 4)


def test_gaps_and_boosts_read_back():
    ids = sorted(random.Random(5).sample(range(3_000_000), 500))
    read, end = unpack_gaps(pack_gaps(ids), 0, len(ids))
    assert list(read) == ids and end == len(pack_gaps(ids))
    assert pack_boosts({}) is None and unpack_boosts(None) == {}
    headings = dict.fromkeys(ids[::3], 2.0)
    mixed = {ids[3]: 2.0, ids[100]: 0.5, ids[-1]: 3.0, ids[7]: 2.0}
    many = {doc: 1 + i / 512 for i, doc in enumerate(ids[:300])}  # more than a byte can number
    for boosts in (headings, mixed, many):
        packed = pack_boosts(boosts)
        assert unpack_boosts(packed) == boosts
        for cut in (1, 2, 5):
            with pytest.raises(DamagedBlock):
                unpack_boosts(packed[:-cut])
    # One boost for all the documents is stored once, not as a float per document.
    assert len(pack_boosts(headings)) == len(pack_gaps(sorted(headings))) + 2 + 1 + 4


@pytest.mark.parametrize("top", [1, 300, 70_000])
def test_counts_read_back_and_leave_what_follows(top):
    rng = random.Random(top)
    counts = [1 if rng.random() < 0.8 else rng.randint(1, top) for _ in range(1024)]
    packed = pack_counts(counts)
    read, rest = unpack_counts(packed + b"keys", len(counts))
    assert list(read) == counts and bytes(rest) == b"keys"
    if top == 1:
        assert len(packed) < len(counts) / 8  # a run of 1s compresses
    with pytest.raises((DamagedBlock, zlib.error)):
        unpack_counts(packed[:-3], len(counts))
    with pytest.raises(DamagedBlock):
        unpack_counts(packed, len(counts) + 1)


@pytest.mark.parametrize("typecode", ["I", "Q"])
def test_squeezed_arrays_read_back(typecode):
    rng = random.Random(7)
    docs = sorted(rng.sample(range(200_000), 3000))
    numbers = array(typecode, (doc << 32 | rng.randrange(5000) if typecode == "Q" else doc for doc in docs))
    squeezed = squeeze(numbers)
    assert unsqueeze(typecode, squeezed) == numbers
    assert len(squeezed) < numbers.itemsize * len(numbers) / 2  # the planes compress
    assert unsqueeze(typecode, squeeze(array(typecode))) == array(typecode)
    with pytest.raises(zlib.error):
        unsqueeze(typecode, squeezed[: len(squeezed) // 2])


@pytest.mark.parametrize("mapped", [False, True])
@pytest.mark.parametrize("spacing", [1, 2])
@pytest.mark.parametrize("count", [0, 1, BLOCK_RECORDS - 1, BLOCK_RECORDS, BLOCK_RECORDS + 1, DICTIONARY_SAMPLE - 1,
                                   DICTIONARY_SAMPLE, DICTIONARY_SAMPLE + 3 * BLOCK_RECORDS + 5])
def test_stored_fields_read_back_around_blocks(count, spacing, mapped, tmp_path):
    """Every record reads back, in any order, from any place in its block, written before the
    dictionary was chosen or after; where documents have no stored fields (a gap in the
    document numbers), theirs read as None. Read through a memory map, the directory is a view
    of the map, and the file still closes while the reader holds it."""
    storage = MappedStorage(str(tmp_path)) if mapped else RamStorage()
    # Records of one form and of another: a record keeps only what differs from its block's first.
    records = {number * spacing: {"text": "坚持以人民为中心" * (number % 7), "line": number,
                                  **({"path": ["一、总体要求"]} if number % 3 else {"kind": "speech", "target": None})}
               for number in range(count)}
    with storage.create_file("stored") as out:
        writer = StoredFieldsColumn().writer(out)
        for docnum, fields in records.items():
            given = dict(fields)
            writer.add(docnum, given)
            given.clear()  # as Whoosh's per-document writer does, for its next document
        writer.finish(spacing * count)
        length = out.tell()
    stored = storage.open_file("stored")
    reader = StoredFieldsColumn().reader(stored, 0, length, spacing * count)
    assert isinstance(reader._blocks.obj, mmap.mmap) == mapped  # not a copy of the directory
    assert (reader._docs is None) == (spacing == 1 or count < 2)  # documents 0, 1, 2 ... need no table
    order = list(records)
    random.Random(3).shuffle(order)
    for docnum in order:
        assert reader[docnum] == records[docnum]
        reader[docnum]["text"] = "changed by a caller"  # each read is a dict of its own
        assert reader[docnum] == records[docnum]
    for docnum in range(1, spacing * count, 2) if spacing == 2 else ():
        assert reader[docnum] is None
    assert reader[spacing * count + 10] is None and reader[-1] is None
    if count > DICTIONARY_SAMPLE:  # blocks compress against the dictionary, not on their own
        assert length < sum(len(zlib.compress(pickle.dumps(r), 6)) for r in records.values()) / 3
    stored.close()
    assert stored.is_closed


def test_a_damaged_stored_block_is_an_error_not_other_fields(tmp_path):
    storage = RamStorage()
    with storage.create_file("stored") as out:
        writer = StoredFieldsColumn().writer(out)
        for docnum in range(100):
            writer.add(docnum, {"text": f"第{docnum}段", "line": docnum})
        writer.finish(100)
        length = out.tell()
    blob = bytearray(storage.open_file("stored").read(length))
    blob[40] ^= 0xFF
    with storage.create_file("damaged") as out:
        out.write(bytes(blob))
    reader = StoredFieldsColumn().reader(storage.open_file("damaged"), 0, length, 100)
    with pytest.raises(DamagedBlock, match="stored fields, block 0"):
        reader[5]


@pytest.mark.parametrize("damaged_first", [True, False])
def test_a_block_whose_zlib_header_is_damaged_is_an_error_and_the_others_still_read(tmp_path, damaged_first):
    """Blocks are decompressed from a copy of one decompressor primed with the first header
    read; a block whose header differs (here block 0's) is an error whichever is read first."""
    storage = RamStorage()
    with storage.create_file("stored") as out:
        writer = StoredFieldsColumn().writer(out)
        for docnum in range(3 * DICTIONARY_SAMPLE):
            writer.add(docnum, {"text": f"第{docnum}段", "line": docnum})
        writer.finish(3 * DICTIONARY_SAMPLE)
        length = out.tell()
    blob = bytearray(storage.open_file("stored").read(length))
    blob[5] ^= 0x01  # the last byte of the dictionary's Adler-32 in block 0's header
    with storage.create_file("damaged") as out:
        out.write(bytes(blob))
    reader = StoredFieldsColumn().reader(storage.open_file("damaged"), 0, length, 3 * DICTIONARY_SAMPLE)
    reads = [0, BLOCK_RECORDS + 1] if damaged_first else [BLOCK_RECORDS + 1, 0]
    for docnum in reads:
        if docnum == 0:
            with pytest.raises(DamagedBlock, match="stored fields, block 0"):
                reader[docnum]
        else:
            assert reader[docnum] == {"text": f"第{docnum}段", "line": docnum}


def test_scored_docs_above_a_floor_are_those_a_scan_finds():
    """What a top-N collector sees once its heap is full: every document from a position on
    whose score reaches the floor, and no other."""
    from speechsearch.engine.literal import ScoredDocsMatcher

    rng = random.Random(11)
    scores = [rng.random() ** 8 * 10 for _ in range(1287)]
    docs = list(range(0, 3 * len(scores), 3))
    for floor in (0.5, 2.0, 9.0, 11.0):
        naive = [i for i, score in enumerate(scores) if score >= floor]
        matcher = ScoredDocsMatcher(docs, scores).replace(floor)
        seen = []
        while matcher.is_active():
            seen.append(matcher.id() // 3)
            matcher.next()
        assert seen == naive, floor
        for start in rng.sample(range(len(scores)), 50):
            stepped = ScoredDocsMatcher(docs, scores, start, floor)
            expected = next((i for i in naive if i >= start), len(scores))
            assert stepped._i == expected, (floor, start)


def test_width_folding_replaces_exactly_what_the_table_maps():
    """``fold_width`` (a search for the full-width forms) gives what ``str.translate`` with the
    table gives, on every character around the table's ranges and on the seed's text."""
    from speechsearch.width import WIDTH_FOLD, fold_width
    from tests.conftest import SEED

    around = "".join(chr(code) for code in [*range(0x2FFE, 0x3003), *range(0xFEFF, 0xFF62), 0x4E00, 0x5C, 0x2D])
    assert fold_width(around) == around.translate(WIDTH_FOLD) != around
    text = SEED.read_text(encoding="utf-8", errors="replace") + "（一）坚持高质量发展！；：１２３ＡＢＣ　"
    assert fold_width(text) == text.translate(WIDTH_FOLD)
