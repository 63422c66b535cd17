# interpose/cuda/local.mk — (empty for now)
