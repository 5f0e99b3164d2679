"""Errors the CLI turns into one line on stderr and a stable exit code.

Exit codes: 0 success; 1 nothing found (search) or some files failed (index); 2 a usage error
(empty or unparsable query, bad option); 3 bad input (corpus.yaml, a source file);
4 the index is missing, corrupt, locked or from another version, or a run failed and left it as
it was; 130 interrupted.
"""

EXIT_OK = 0
EXIT_NOTHING = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_INDEX = 4
EXIT_INTERRUPTED = 130


class SpeechsearchError(Exception):
    """A problem the user can fix: bad input, a missing file, no index, a broken query."""

    exit_code = EXIT_INPUT


class CorpusError(SpeechsearchError):
    """corpus.yaml is missing, unreadable or says something it may not."""


class UsageError(SpeechsearchError):
    exit_code = EXIT_USAGE


class IndexMissing(SpeechsearchError):
    exit_code = EXIT_INDEX


class IndexUnusable(SpeechsearchError):
    exit_code = EXIT_INDEX


class IndexingFailed(SpeechsearchError):
    """An index run stopped (a worker process died or failed); the index is as it was."""

    exit_code = EXIT_INDEX


def require_utf8(value: str, what: str = "query") -> str:
    """``value``, or a usage error naming the terminal's encoding."""
    # A terminal whose encoding is not UTF-8 hands Python bytes it keeps as lone surrogates (工作
    # typed in GBK arrives as '\udcb9\udca4\udcd7\udcf7'), which UTF-8 cannot encode.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"the {what} is not UTF-8 text: set the terminal's encoding to UTF-8 "
                         "(LANG=zh_CN.UTF-8 or C.UTF-8)") from None
    return value
