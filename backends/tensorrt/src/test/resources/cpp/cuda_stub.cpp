// Empty libraries named like the CUDA driver and runtime, so that JavaCPP's CUDA runtime glue
// (libjnicudart.so) loads on a host without CUDA; no CUDA function is ever called through them.
extern "C" void tg_cuda_stub() {}
