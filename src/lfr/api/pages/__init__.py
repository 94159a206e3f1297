"""Server-rendered pages (Jinja2) for each kind of user; their scripts call the JSON API."""
