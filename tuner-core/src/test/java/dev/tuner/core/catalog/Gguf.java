package dev.tuner.core.catalog;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes GGUF headers for tests: metadata and tensor table, no weights (the reader never reads them). */
public final class Gguf {
  private final ByteArrayOutputStream kv = new ByteArrayOutputStream();
  private final ByteArrayOutputStream tensors = new ByteArrayOutputStream();
  private int kvCount;
  private int tensorCount;

  public Gguf string(String key, String value) {
    str(kv, key);
    u32(kv, 8);
    str(kv, value);
    kvCount++;
    return this;
  }

  public Gguf u32(String key, int value) {
    str(kv, key);
    u32(kv, 4);
    u32(kv, value);
    kvCount++;
    return this;
  }

  /** A GGUF array of bools (type 9 of type 7), one byte each. */
  public Gguf bools(String key, boolean... values) {
    str(kv, key);
    u32(kv, 9);
    u32(kv, 7);
    u64(kv, values.length);
    for (boolean b : values) {
      kv.write(b ? 1 : 0);
    }
    kvCount++;
    return this;
  }

  public Gguf strings(String key, int n) {
    str(kv, key);
    u32(kv, 9);
    u32(kv, 8);
    u64(kv, n);
    for (int i = 0; i < n; i++) {
      str(kv, "t" + i);
    }
    kvCount++;
    return this;
  }

  public Gguf tensor(String name, int type, long... dims) {
    str(tensors, name);
    u32(tensors, dims.length);
    for (long d : dims) {
      u64(tensors, d);
    }
    u32(tensors, type);
    u64(tensors, 0);
    tensorCount++;
    return this;
  }

  public byte[] bytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("GGUF".getBytes(StandardCharsets.ISO_8859_1));
    u32(out, 3);
    u64(out, tensorCount);
    u64(out, kvCount);
    out.writeBytes(kv.toByteArray());
    out.writeBytes(tensors.toByteArray());
    return out.toByteArray();
  }

  /**
   * A Llama-shaped header: hidden 4096, 1 block, 32 heads, 8 KV heads, FFN 11008, file type 15 (Q4_K_M), 32000
   * tokens; tensors token_embd and output [4096 x 32000] Q6_K, attn_q [4096 x 4096] Q4_K, ffn_down [11008 x 4096]
   * Q4_K, attn_norm [4096] F32.
   */
  public static byte[] tinyLlama() {
    return new Gguf()
        .string("general.architecture", "llama")
        .string("general.name", "Tiny GGUF")
        .u32("llama.embedding_length", 4096)
        .u32("llama.block_count", 1)
        .u32("llama.attention.head_count", 32)
        .u32("llama.attention.head_count_kv", 8)
        .u32("llama.feed_forward_length", 11008)
        .u32("general.file_type", 15)
        .strings("tokenizer.ggml.tokens", 32000)
        .tensor("token_embd.weight", 14, 4096, 32000)
        .tensor("blk.0.attn_q.weight", 12, 4096, 4096)
        .tensor("blk.0.ffn_down.weight", 12, 11008, 4096)
        .tensor("blk.0.attn_norm.weight", 0, 4096)
        .tensor("output.weight", 14, 4096, 32000)
        .bytes();
  }

  private static void str(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    u64(out, b.length);
    out.writeBytes(b);
  }

  private static void u32(ByteArrayOutputStream out, int v) {
    out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
  }

  private static void u64(ByteArrayOutputStream out, long v) {
    out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
  }
}
