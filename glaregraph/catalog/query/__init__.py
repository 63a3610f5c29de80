"""SQL builders for reading artifacts: columns, visibility, filters, ordering and pages."""
