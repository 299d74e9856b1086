"""The service layer: the only code that writes to the database. Views and tasks call it."""
