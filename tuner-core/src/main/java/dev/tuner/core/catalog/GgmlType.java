package dev.tuner.core.catalog;

import dev.tuner.api.InvalidInputException;

/**
 * The ggml tensor types a GGUF file can hold, with their storage: {@code blockSize} weights in {@code blockBytes}
 * bytes (scales included). Source: the type_traits table in ggml/src/ggml.c (ggml repository) and the block structs
 * in ggml/src/ggml-common.h; the ids are enum ggml_type in ggml/include/ggml.h.
 */
enum GgmlType {
  F32(0, 1, 4), F16(1, 1, 2), Q4_0(2, 32, 18), Q4_1(3, 32, 20), Q5_0(6, 32, 22), Q5_1(7, 32, 24), Q8_0(8, 32, 34),
  Q8_1(9, 32, 36), Q2_K(10, 256, 84), Q3_K(11, 256, 110), Q4_K(12, 256, 144), Q5_K(13, 256, 176),
  Q6_K(14, 256, 210), Q8_K(15, 256, 292), IQ2_XXS(16, 256, 66), IQ2_XS(17, 256, 74), IQ3_XXS(18, 256, 98),
  IQ1_S(19, 256, 50), IQ4_NL(20, 32, 18), IQ3_S(21, 256, 110), IQ2_S(22, 256, 82), IQ4_XS(23, 256, 136),
  I8(24, 1, 1), I16(25, 1, 2), I32(26, 1, 4), I64(27, 1, 8), F64(28, 1, 8), IQ1_M(29, 256, 56), BF16(30, 1, 2),
  TQ1_0(34, 256, 54), TQ2_0(35, 256, 66), MXFP4(39, 32, 17);

  private final int id;
  private final int blockSize;
  private final int blockBytes;

  GgmlType(int id, int blockSize, int blockBytes) {
    this.id = id;
    this.blockSize = blockSize;
    this.blockBytes = blockBytes;
  }

  static GgmlType of(int id, String source) {
    for (GgmlType t : values()) {
      if (t.id == id) {
        return t;
      }
    }
    throw new InvalidInputException(GgufHeader.FILE, source + " (tensor type " + id + ")",
        "a ggml tensor type tuner knows");
  }

  /** Bytes of {@code n} weights of this type; whole blocks only, as ggml stores them. */
  long bytes(long n, String source) {
    if (n % blockSize != 0) {
      throw new InvalidInputException(GgufHeader.FILE, source + " (a " + name() + " tensor of " + n + " weights)",
          "a multiple of the type's block of " + blockSize);
    }
    return Math.multiplyExact(n / blockSize, (long) blockBytes);
  }
}
