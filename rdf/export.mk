# rdf/export.mk — (empty for now)
