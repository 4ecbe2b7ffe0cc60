package dev.tuner.serving;

import static dev.tuner.api.InvalidInputException.requireInRange;

/**
 * The engine settings that change serving throughput. {@code maxBatch}: the most sequences one iteration runs
 * (vLLM max_num_seqs, TensorRT-LLM max_batch_size, SGLang max_running_requests, llama.cpp parallel slots); 0 means
 * no limit but memory. {@code maxTokensPerStep}: the most tokens (decode plus prompt) one iteration takes (vLLM
 * max_num_batched_tokens, TensorRT-LLM max_num_tokens, SGLang chunked_prefill_size); 0 means no limit.
 * {@code chunkedPrefill}: prompts are cut into chunks that share iterations with decode tokens; without it a prompt
 * is prefilled whole in its own iteration. {@code kvCacheFraction}: the share of memory the KV cache gets, of
 * the memory left after the weights when {@code fractionOfFree}, of the whole memory otherwise (vLLM
 * gpu_memory_utilization and SGLang mem_fraction_static count the weights in; TensorRT-LLM
 * free_gpu_memory_fraction and LMDeploy cache_max_entry_count do not).
 */
public record EngineLimits(
    int maxBatch, int maxTokensPerStep, boolean chunkedPrefill, boolean cudaGraphs, double kvCacheFraction,
    boolean fractionOfFree) {
  public static final int MAX = 1 << 20;

  public EngineLimits {
    requireInRange("max batch", maxBatch, 0, MAX, "sequences (0 = memory only)");
    requireInRange("max tokens per step", maxTokensPerStep, 0, MAX, "tokens (0 = no limit)");
    requireInRange("KV-cache fraction", kvCacheFraction, 0.01, 1, "of device memory");
  }

  public EngineLimits withMaxBatch(int b) {
    return new EngineLimits(b, maxTokensPerStep, chunkedPrefill, cudaGraphs, kvCacheFraction, fractionOfFree);
  }

  public EngineLimits withMaxTokensPerStep(int t) {
    return new EngineLimits(maxBatch, t, chunkedPrefill, cudaGraphs, kvCacheFraction, fractionOfFree);
  }

  public EngineLimits withChunkedPrefill(boolean c) {
    return new EngineLimits(maxBatch, maxTokensPerStep, c, cudaGraphs, kvCacheFraction, fractionOfFree);
  }

  public EngineLimits withCudaGraphs(boolean g) {
    return new EngineLimits(maxBatch, maxTokensPerStep, chunkedPrefill, g, kvCacheFraction, fractionOfFree);
  }

  public EngineLimits withKvCacheFraction(double f) {
    return new EngineLimits(maxBatch, maxTokensPerStep, chunkedPrefill, cudaGraphs, f, fractionOfFree);
  }
}
