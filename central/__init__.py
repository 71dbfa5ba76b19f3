"""The agency's side, its own program (`novbe central …`): the central PostgreSQL of all centres, folding their shipped rows, national reports and page."""
