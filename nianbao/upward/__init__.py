"""The city's figures sent one level up: a province's (or the 省依法治省办's) workbook filled from the
city's totals (`nianbao fill-up`). Pure: config/upward.yaml (`mapping`), safe arithmetic over indicator
codes (`expression`), finding headers and matching rows (`match`), the city's values (`figures`) and
writing them with openpyxl (`fill`). The stage is `nianbao.stages.fill_up`; nothing here imports Prefect."""
