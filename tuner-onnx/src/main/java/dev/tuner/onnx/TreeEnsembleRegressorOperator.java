package dev.tuner.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.tribuo.util.onnx.ONNXAttribute;
import org.tribuo.util.onnx.ONNXOperator;

/**
 * {@code ai.onnx.ml} TreeEnsembleRegressor for Tribuo's graph builder, which ships the core operators and only three
 * of {@code ai.onnx.ml}. Declared at version {@value OnnxExporter#ML_OPSET}: ONNX Runtime 1.29 rejects the operator
 * from {@code ai.onnx.ml} 5 on. The attributes are those of version 3 that tuner writes (no per-node hit rates, no
 * tensor-typed thresholds); all are mandatory here because the exporter always writes every one.
 */
final class TreeEnsembleRegressorOperator implements ONNXOperator {
  static final TreeEnsembleRegressorOperator INSTANCE = new TreeEnsembleRegressorOperator();

  private static final Map<String, ONNXAttribute> ATTRIBUTES = attributes();

  private TreeEnsembleRegressorOperator() {}

  private static Map<String, ONNXAttribute> attributes() {
    Map<String, ONNXAttribute> a = new LinkedHashMap<>();
    put(a, "n_targets", AttributeType.INT);
    put(a, "aggregate_function", AttributeType.STRING);
    put(a, "post_transform", AttributeType.STRING);
    put(a, "base_values", AttributeType.FLOATS);
    put(a, "nodes_treeids", AttributeType.INTS);
    put(a, "nodes_nodeids", AttributeType.INTS);
    put(a, "nodes_featureids", AttributeType.INTS);
    put(a, "nodes_values", AttributeType.FLOATS);
    put(a, "nodes_modes", AttributeType.STRINGS);
    put(a, "nodes_truenodeids", AttributeType.INTS);
    put(a, "nodes_falsenodeids", AttributeType.INTS);
    put(a, "nodes_missing_value_tracks_true", AttributeType.INTS);
    put(a, "target_treeids", AttributeType.INTS);
    put(a, "target_nodeids", AttributeType.INTS);
    put(a, "target_ids", AttributeType.INTS);
    put(a, "target_weights", AttributeType.FLOATS);
    return Map.copyOf(a);
  }

  private static void put(Map<String, ONNXAttribute> map, String name, AttributeType type) {
    map.put(name, new ONNXAttribute(name, type, true));
  }

  @Override
  public String getOpName() {
    return "TreeEnsembleRegressor";
  }

  @Override
  public int getNumInputs() {
    return 1;
  }

  @Override
  public int getNumOptionalInputs() {
    return 0;
  }

  @Override
  public int getNumOutputs() {
    return 1;
  }

  @Override
  public Map<String, ONNXAttribute> getAttributes() {
    return ATTRIBUTES;
  }

  @Override
  public Set<String> getMandatoryAttributeNames() {
    return ATTRIBUTES.keySet();
  }

  @Override
  public int getOpVersion() {
    return (int) OnnxExporter.ML_OPSET;
  }

  @Override
  public String getOpDomain() {
    return OnnxExporter.ML_DOMAIN;
  }
}
