package dev.tuner.onnx;

import dev.tuner.api.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Test-only: crafts ONNX files byte by byte, including the malformed and foreign ones the exporter (which builds
 * through Tribuo's ONNX builder and protobuf-java) never writes. The few protobuf wire-format primitives they need: varints, fixed32 floats, length-delimited fields and
 * packed repeated numbers. Each message is built in its own writer and then embedded, so no size has to be known
 * before the content is written.
 */
final class ProtoWriter {
  private static final int WIRE_VARINT = 0;
  private static final int WIRE_LEN = 2;
  private static final int WIRE_FIXED32 = 5;
  /** The largest array the JVM reliably allocates; protobuf itself stops at 2 GiB. */
  private static final int MAX_SIZE = Integer.MAX_VALUE - 8;

  private byte[] buf = new byte[32];
  private int size;

  /** An int64, int32 or enum field; negative values take ten bytes, as protobuf requires. */
  ProtoWriter int64(int field, long value) {
    tag(field, WIRE_VARINT);
    varint(value);
    return this;
  }

  ProtoWriter float32(int field, float value) {
    tag(field, WIRE_FIXED32);
    fixed32(Float.floatToRawIntBits(value));
    return this;
  }

  ProtoWriter string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  ProtoWriter bytes(int field, byte[] value) {
    return lengthDelimited(field, value, value.length);
  }

  ProtoWriter message(int field, ProtoWriter message) {
    return lengthDelimited(field, message.buf, message.size);
  }

  ProtoWriter packedInt64(int field, long[] values) {
    long length = 0;
    for (long v : values) {
      length += varintSize(v);
    }
    tag(field, WIRE_LEN);
    varint(length);
    ensure(length);
    for (long v : values) {
      varint(v);
    }
    return this;
  }

  ProtoWriter packedFloat32(int field, float[] values) {
    long length = 4L * values.length;
    tag(field, WIRE_LEN);
    varint(length);
    ensure(length);
    for (float v : values) {
      fixed32(Float.floatToRawIntBits(v));
    }
    return this;
  }

  int size() {
    return size;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  private ProtoWriter lengthDelimited(int field, byte[] data, int length) {
    tag(field, WIRE_LEN);
    varint(length);
    ensure(length);
    System.arraycopy(data, 0, buf, size, length);
    size += length;
    return this;
  }

  private void tag(int field, int wireType) {
    varint(((long) field << 3) | wireType);
  }

  private void varint(long value) {
    ensure(10);
    long v = value;
    while ((v & ~0x7FL) != 0) {
      buf[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
  }

  private void fixed32(int bits) {
    ensure(4);
    buf[size++] = (byte) bits;
    buf[size++] = (byte) (bits >>> 8);
    buf[size++] = (byte) (bits >>> 16);
    buf[size++] = (byte) (bits >>> 24);
  }

  private static int varintSize(long value) {
    int bits = 64 - Long.numberOfLeadingZeros(value);
    return Math.max(1, (bits + 6) / 7);
  }

  private void ensure(long more) {
    long needed = size + more;
    if (needed > MAX_SIZE) {
      throw new InvalidInputException(
          "ONNX model size", needed + " bytes", "at most " + MAX_SIZE + " bytes (the protobuf limit is 2 GiB)");
    }
    if (needed > buf.length) {
      buf = Arrays.copyOf(buf, (int) Math.min(MAX_SIZE, Math.max(needed, 2L * buf.length)));
    }
  }
}
