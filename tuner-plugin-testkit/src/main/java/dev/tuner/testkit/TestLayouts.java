package dev.tuner.testkit;

import dev.tuner.api.FeatureLayout;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.OutputKind;
import dev.tuner.api.SchemaRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** Layouts and payloads for a plugin's tests, which have no host to ask for a schema. */
public final class TestLayouts {
  private TestLayouts() {}

  /**
   * A layout of the given slot names under schema {@code id}, whose hash is the SHA-256 of the id and the names: two
   * layouts with other names are other schemas, as the host's are.
   */
  public static FeatureLayout layout(String id, String... names) {
    return layout(id, List.of(names));
  }

  public static FeatureLayout layout(String id, List<String> names) {
    String text = id + "|" + String.join("|", names);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return new FeatureLayout(new SchemaRef(id, HexFormat.of().formatHex(digest)), names);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /** A payload of {@code bytes} for provider {@code providerId}, declared over {@code layout}. */
  public static ModelPayload payload(FeatureLayout layout, String modelId, String providerId, OutputKind kind,
      byte[] bytes) {
    return new ModelPayload(new ModelInfo(modelId, providerId, layout.schema(), kind, layout.width()), bytes, layout);
  }
}
