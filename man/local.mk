# man/local.mk — (empty for now)
