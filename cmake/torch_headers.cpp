// Compiled only to make the precompiled LibTorch headers (cmake/PrecompiledTorch.cmake).
