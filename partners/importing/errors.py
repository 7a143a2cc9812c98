"""What can go wrong with an import file, in words a partnerships officer understands."""

from dataclasses import dataclass


class ImportFileError(Exception):
    """The file as a whole cannot be read (size, encoding, format, headers); nothing imported."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number as staff see it: the header is row 1
    column: str  # the column header as written in the file ("" for the whole row)
    message: str

    def __str__(self):
        if self.column:
            return f"row {self.row}, {self.column}: {self.message}"
        return f"row {self.row}: {self.message}"

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": str(self.message)}
