"""The forums' PDF documents (name badges, visa support letters, the participant list), built
with ReportLab on academy_portal.core.pdf. Builders read models and return bytes; they write
nothing."""
