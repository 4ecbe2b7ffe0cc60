package dev.tuner.core.learn;

import dev.tuner.api.MonotoneConstraints;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.Quantity;
import dev.tuner.core.schema.Slot;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a learned model may depend on, per phase, so that its predictions never move against physics.
 *
 * <p>A model learns the log of tokens/s over a roof (the roofline or the serial roof), so a prediction is that roof
 * times exp(raw). The roof already moves the right way along every axis the physics fixes: up with memory bandwidth
 * and with every compute peak, down with decode context, up with decode batch (aggregate) and, past the point where
 * prefill turns compute-bound, down with the prompt length. The prediction then keeps that direction whenever the
 * raw output moves the same way (or stays put) along the axis; a tree's output is a step function, so any step the
 * wrong way would be a reversal. Hence, per phase, each slot that moves along an axis is either constrained
 * ({@link MonotoneConstraints}) in the one direction that agrees with every axis it moves along, or, when two axes
 * move it in conflicting ways, excluded:
 *
 * <ul>
 *   <li>memory bandwidth and the compute peak: excluded. Each moves along its own axis only, so + would be
 *       consistent, but across devices the share of the roof reached falls as the roof rises (fixed per-step costs
 *       weigh more on a faster device), and a tree held non-decreasing in them had to flatten that trend: leave one
 *       device out, seed 42, decode 25.2% and prefill 41.2% MAPE with +, 21.2% and 37.6% excluded. They reach the
 *       prediction through the roof alone;
 *   <li>context: − (decode context and prefill prompt length both lower tokens/s);
 *   <li>depth, the tokens cached before the window: − in both phases (more to read and attend over, nothing less to
 *       compute). Free until 2026-12-06, when a sweep along it found the shipped model predicting decode up to 15%
 *       faster over more cached tokens (LLaMA 7B Q4_0 on an RTX 3070, batch 32: 261 to 300 tokens/s);
 *   <li>decode batch: + (aggregate decode rises with the batch). Exact when a batched step's reference is one
 *       sequence's ({@link dev.tuner.core.predict.Reference#decodeOneSequence}, the default), which does not move
 *       with the batch; relative to the step's own reference, which rises with it, + is only sufficient;
 *   <li>prefill batch: + (B prompts of one length are B times the tokens of one at the same work per token: the
 *       weights are read once per pass of n_ubatch tokens whoever's they are, and each prompt attends over its own
 *       tokens only, so aggregate prompt tokens/s never falls with B);
 *   <li>the step time at the roof: excluded. It rises with the prompt (tokens/s down) and with the prefill batch
 *       (tokens/s not down), and in decode with the batch (tokens/s up) and with the context (tokens/s down). Held −
 *       for prefill, as it was until 2026-12-06, it lowered the prediction as prompts were added (Apple M2 Ultra,
 *       Gemma 3 4B, llama-batched-bench, held out at seed 42: 2 593 to 2 360 tokens/s from 2 to 32 prompts of 512
 *       where 2 991 to 3 125 were measured);
 *   <li>arithmetic intensity, the memory-to-compute roof ratio and the vector roof ratio: excluded (bandwidth raises
 *       the ratios and a higher peak lowers them, yet both raise tokens/s; intensity rises with decode batch and with
 *       prefill prompt, which move tokens/s in opposite directions);
 *   <li>the engine build's month: + in both phases. Not physics but fixed in advance (2026-12-07): a later build of
 *       one engine on one device is not slower, regressions being bugs that get fixed. Free, the forest had learned
 *       the opposite from which devices were measured when (the 2025 rows are mostly ROCm and Vulkan on AMD parts that
 *       run prompts slowly): an RTX 4090's CUDA prompt fell from 6 057 to 5 485 tokens/s between 2024-01 and 2025-12
 *       builds, where llama.cpp's CUDA prompts got faster. Leave one family out at seed 42 it moved decode MAPE
 *       14.4% → 14.4% and prefill 34.1% → 34.5%;
 *   <li>a routed expert's rows in a prompt chunk: free for prefill (it moves along no axis); excluded for decode, whose
 *       steps multiply the batch's rows, not a prompt chunk's, so the slot says nothing about a decode step that the
 *       model's shape and batch do not.
 * </ul>
 *
 * Every other slot (the model's shape, the quantization, flags, compute units, cache) stays fixed along every axis
 * and is left free. The catalogue sweep test checks the result on every model, device and quantization.
 */
public final class PhysicsConstraints {
  private static final Map<Phase, Map<Quantity, Integer>> DIRECTIONS = new EnumMap<>(Phase.class);
  private static final Map<Phase, List<Quantity>> EXCLUDED = new EnumMap<>(Phase.class);

  static {
    Map<Quantity, Integer> decode = new EnumMap<>(Quantity.class);
    decode.put(Quantity.BATCH, 1);
    decode.put(Quantity.CONTEXT, -1);
    decode.put(Quantity.DEPTH, -1);
    decode.put(Quantity.BUILD_MONTH, 1);
    Map<Quantity, Integer> prefill = new EnumMap<>(Quantity.class);
    prefill.put(Quantity.BATCH, 1);
    prefill.put(Quantity.CONTEXT, -1);
    prefill.put(Quantity.DEPTH, -1);
    prefill.put(Quantity.BUILD_MONTH, 1);
    DIRECTIONS.put(Phase.DECODE, decode);
    DIRECTIONS.put(Phase.PREFILL, prefill);
    EXCLUDED.put(Phase.DECODE, List.of(Quantity.MEM_BANDWIDTH, Quantity.PEAK_TFLOPS, Quantity.ROOF_STEP_SECONDS,
        Quantity.ARITHMETIC_INTENSITY,
        Quantity.ROOF_RATIO, Quantity.VECTOR_ROOF_RATIO, Quantity.EXPERT_CHUNK_ROWS));
    EXCLUDED.put(Phase.PREFILL, List.of(Quantity.MEM_BANDWIDTH, Quantity.PEAK_TFLOPS, Quantity.ARITHMETIC_INTENSITY,
        Quantity.ROOF_RATIO, Quantity.ROOF_STEP_SECONDS,
        Quantity.VECTOR_ROOF_RATIO));
  }

  private PhysicsConstraints() {}

  /** Slot name to +1 / -1 for the slots of {@code schema} a model of {@code phase} must be monotone in. */
  public static Map<String, Integer> monotone(FeatureSchema schema, Phase phase) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Slot s : schema.slots()) {
      Integer d = DIRECTIONS.get(phase).get(s.quantity());
      if (d != null) {
        out.put(s.name(), d);
      }
    }
    return out;
  }

  /** The names of the slots of {@code schema} a model of {@code phase} must not use. */
  public static List<String> excluded(FeatureSchema schema, Phase phase) {
    List<String> out = new ArrayList<>();
    for (Slot s : schema.slots()) {
      if (EXCLUDED.get(phase).contains(s.quantity())) {
        out.add(s.name());
      }
    }
    return out;
  }
}
