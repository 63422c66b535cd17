# tests/reliability.mk — (empty for now)
