"""A partnerships officer's own file, as one writes it: Vietnamese headers and values (short
country names, "Đang hiệu lực", day-first dates), semicolons, UTF-8 with BOM (Excel's "CSV
UTF-8"), one MOU per row with its own notes and the institution's notes in their own column."""

import csv
import io

from openpyxl import Workbook

HEADER = [
    "Tên cơ quan", "Tên viết tắt", "Loại hình", "Quốc gia", "Thành phố", "Người liên hệ",
    "Email người liên hệ", "Tên thỏa thuận", "Đơn vị phụ trách", "Ngày ký", "Ngày hiệu lực",
    "Ngày hết hạn", "Tình trạng", "Lĩnh vực hợp tác", "Ghi chú", "Ghi chú về cơ quan",
]  # fmt: skip
ROWS = [
    [
        "Trung tâm Nghiên cứu Chiến lược và Quốc tế", "CSIS", "Viện nghiên cứu", "Hoa Kỳ",
        "Washington", "John Hamre", "jhamre@csis.org", "Biên bản ghi nhớ về hợp tác nghiên cứu",
        "Viện Nghiên cứu Chiến lược", "08/01/2024", "08/01/2024", "07/01/2029", "Đang hiệu lực",
        "An ninh hàng hải; Biển Đông", "Gia hạn trước tháng 10/2028", "Đối tác từ năm 2010",
    ],
    [
        "Trung tâm Nghiên cứu Chiến lược và Quốc tế", "CSIS", "", "Mỹ", "", "", "",
        "Thỏa thuận trao đổi học giả", "Viện Biển Đông", "15/03/2019", "", "14/03/2022",
        "Hết hạn", "Trao đổi học giả", "Đã trao đổi 4 học giả", "",
    ],
    [
        "Viện Ngoại giao Quốc gia Hàn Quốc", "KNDA", "Cơ quan nghiên cứu của chính phủ",
        "Hàn Quốc", "Seoul", "", "", "Biên bản ghi nhớ về đối thoại chính sách",
        "Ban Hợp tác Quốc tế", "05/06/2023", "", "", "Còn hiệu lực", "Đối thoại chính sách",
        "", "",
    ],
    [
        "Đại học Quốc gia Lào", "NUOL", "Đại học", "Lào", "Viêng Chăn", "", "",
        "Thỏa thuận đào tạo ngoại giao", "Khoa Đào tạo Ngoại giao", "", "", "", "Dự thảo",
        "Đào tạo", "Chờ phía bạn ký", "",
    ],
    [
        "Viện Hoàng gia các vấn đề quốc tế", "Chatham House", "Viện nghiên cứu chính sách",
        "Anh", "Luân Đôn", "", "", "Biên bản ghi nhớ 2016", "Viện Chính sách Đối ngoại",
        "12/09/2016", "", "11/09/2021", "Đã chấm dứt", "", "", "",
    ],
]  # fmt: skip


def officer_csv(rows=ROWS) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([HEADER, *rows])
    return out.getvalue().encode("utf-8-sig")


def officer_xlsx(rows=ROWS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
