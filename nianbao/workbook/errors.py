"""Why a file could not be read as a workbook at all."""

from nianbao.errors import WorkbookError


class NotAWorkbook(WorkbookError):
    """The bytes are not a spreadsheet (empty, another format, a broken archive)."""


class ArchiveNotWorkbook(NotAWorkbook):
    """A zip archive that is not itself a workbook (it may hold workbooks)."""


class TooLarge(WorkbookError):
    """The file or one of its parts is far larger than any real return."""


class Hostile(WorkbookError):
    """The file carries constructs only an attack needs (XML entities, DTDs)."""


class Encrypted(WorkbookError):
    """The workbook is password-protected and cannot be read."""


class ReaderFailed(WorkbookError):
    """The spreadsheet reader ran out of time or memory, or crashed, on this file."""
