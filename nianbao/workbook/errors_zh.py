"""Workbook errors as the clerk reads them: what happened and what to do."""

from __future__ import annotations

from nianbao.errors import WorkbookError
from nianbao.workbook.errors import Encrypted, Hostile, NotAWorkbook, ReaderFailed, TooLarge

MESSAGES = {
    NotAWorkbook: "附件不是可读取的电子表格(文件为空、已损坏或格式不符),请用 Excel 或 WPS 打开下发的模板填写后另存为 .xlsx 再发送",
    TooLarge: "附件过大,不是正常的报表文件(正常约几十 KB),请只发送填好的统计表",
    Hostile: "附件含有不允许的内容(外部实体或文档类型定义),无法读取,请在下发的模板上重新填写",
    Encrypted: "工作簿设置了打开密码,系统无法读取,请取消密码后重新发送",
    ReaderFailed: "读取该工作簿超时或占用资源过多,请确认未在表格中插入大量空行空列后重新发送",
}


def describe(exc: WorkbookError) -> str:
    for cls, text in MESSAGES.items():
        if isinstance(exc, cls):
            return text
    return "附件无法读取,请在下发的模板上填写后重新发送"
