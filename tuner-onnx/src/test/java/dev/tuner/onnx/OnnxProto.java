package dev.tuner.onnx;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Test-only builders for the ONNX protobuf messages of hand-made test models (field numbers from onnx.proto, IR version 8). Each returns
 * a {@link ProtoWriter} holding one encoded message, ready to be embedded in its parent.
 */
final class OnnxProto {
  /** TensorProto.DataType values. */
  static final int ELEM_FLOAT = 1;
  static final int ELEM_INT64 = 7;

  // AttributeProto.AttributeType values.
  private static final int ATTR_INT = 2;
  private static final int ATTR_STRING = 3;
  private static final int ATTR_FLOATS = 6;
  private static final int ATTR_INTS = 7;
  private static final int ATTR_STRINGS = 8;

  private OnnxProto() {}

  /** One dimension of a declared shape: a fixed size, or a named symbol such as {@code N} for the batch. */
  record Dim(long value, String param) {
    static Dim fixed(long value) {
      return new Dim(value, null);
    }

    static Dim symbolic(String name) {
      return new Dim(0, Objects.requireNonNull(name, "name"));
    }
  }

  static ProtoWriter model(
      long irVersion,
      Map<String, Long> opsets,
      String producerName,
      String producerVersion,
      ProtoWriter graph,
      Map<String, String> metadata) {
    var model = new ProtoWriter().int64(1, irVersion).string(2, producerName).string(3, producerVersion);
    opsets.forEach((domain, version) -> model.message(8, new ProtoWriter().string(1, domain).int64(2, version)));
    model.message(7, graph);
    metadata.forEach((key, value) -> model.message(14, new ProtoWriter().string(1, key).string(2, value)));
    return model;
  }

  static ProtoWriter graph(
      String name,
      List<ProtoWriter> nodes,
      List<ProtoWriter> initializers,
      List<ProtoWriter> inputs,
      List<ProtoWriter> outputs) {
    var graph = new ProtoWriter();
    nodes.forEach(n -> graph.message(1, n));
    graph.string(2, name);
    initializers.forEach(t -> graph.message(5, t));
    inputs.forEach(i -> graph.message(11, i));
    outputs.forEach(o -> graph.message(12, o));
    return graph;
  }

  /** A node named after its operator, for graphs with one node of each kind. */
  static ProtoWriter node(
      String opType, String domain, List<String> inputs, List<String> outputs, List<ProtoWriter> attributes) {
    return node(opType.toLowerCase(java.util.Locale.ROOT), opType, domain, inputs, outputs, attributes);
  }

  static ProtoWriter node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
      List<ProtoWriter> attributes) {
    var node = new ProtoWriter();
    inputs.forEach(i -> node.string(1, i));
    outputs.forEach(o -> node.string(2, o));
    node.string(3, name);
    node.string(4, opType);
    attributes.forEach(a -> node.message(5, a));
    if (!domain.isEmpty()) {
      node.string(7, domain);
    }
    return node;
  }

  /** A graph input or output: a tensor of {@code elemType} with the given shape. */
  static ProtoWriter valueInfo(String name, int elemType, Dim... dims) {
    var shape = new ProtoWriter();
    for (Dim d : dims) {
      var dim = new ProtoWriter();
      if (d.param() == null) {
        dim.int64(1, d.value());
      } else {
        dim.string(2, d.param());
      }
      shape.message(1, dim);
    }
    var tensorType = new ProtoWriter().int64(1, elemType).message(2, shape);
    var type = new ProtoWriter().message(1, tensorType);
    return new ProtoWriter().string(1, name).message(2, type);
  }

  static ProtoWriter floatTensor(String name, long[] dims, float[] data) {
    return new ProtoWriter().packedInt64(1, dims).int64(2, ELEM_FLOAT).packedFloat32(4, data).string(8, name);
  }

  static ProtoWriter intAttribute(String name, long value) {
    return new ProtoWriter().string(1, name).int64(3, value).int64(20, ATTR_INT);
  }

  static ProtoWriter stringAttribute(String name, String value) {
    return new ProtoWriter().string(1, name).string(4, value).int64(20, ATTR_STRING);
  }

  static ProtoWriter floatsAttribute(String name, float[] values) {
    return new ProtoWriter().string(1, name).packedFloat32(7, values).int64(20, ATTR_FLOATS);
  }

  static ProtoWriter intsAttribute(String name, long[] values) {
    return new ProtoWriter().string(1, name).packedInt64(8, values).int64(20, ATTR_INTS);
  }

  static ProtoWriter stringsAttribute(String name, List<String> values) {
    var attribute = new ProtoWriter().string(1, name);
    values.forEach(v -> attribute.string(9, v));
    return attribute.int64(20, ATTR_STRINGS);
  }
}
