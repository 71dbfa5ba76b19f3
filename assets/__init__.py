"""Bundled files: fonts, chime, default centre config, translation catalogs, web static files."""
