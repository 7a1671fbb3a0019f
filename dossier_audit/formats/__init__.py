"""How pages show dates, one style per language (settings.FORMAT_MODULE_PATH).

Templates name a format rather than spell one: ``{{ campaign.deadline }}`` or ``{{ day|date }}``
for a day, ``{{ event.at|date:"DATETIME_FORMAT" }}`` for a moment. Chinese reads
"2027年3月2日" and "2027年3月2日 14:05", English "2 Mar 2027" and "2 Mar 2027 14:05", so a row
never mixes "2027年3月2日" with "2026-12-02". Only the pages: the documents (summary report,
认定表, workbooks) are Chinese and keep their own formats. Dates of dossiers (PartialDate:
"1975.03", "1975.03.12") are written the way the dossiers write them, in every language.
"""
