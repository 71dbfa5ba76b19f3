"""The HTML pages: counter console, phone page, manager's views, reports and plan — rendered on the server with Jinja2."""
