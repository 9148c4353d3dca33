"""Importers: turn uploads, web pages and bulk files into article drafts."""
