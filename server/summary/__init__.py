"""The session summary in every format (web report, PDF, Markdown, CSV, JSON)."""
