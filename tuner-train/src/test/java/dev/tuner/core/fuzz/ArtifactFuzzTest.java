package dev.tuner.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.api.ThroughputPrediction;
import dev.tuner.api.TunerApi;
import dev.tuner.api.TunerException;
import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.artifact.ArtifactHeader;
import dev.tuner.core.artifact.ModelArtifact;
import dev.tuner.core.artifact.TestArtifacts;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.ensemble.EnsembleProvider;
import dev.tuner.core.predict.LoadedModel;
import dev.tuner.core.predict.ModelLoader;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import dev.tuner.core.schema.FeatureSchemas;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Model artifacts, the files behind {@code --model-file}, fed arbitrary bytes. Contract (ArtifactCodec, ModelLoader,
 * ModelProvider.load): an unusable file is a {@link TunerException} (ModelLoadException or IncompatibleModelException)
 * and nothing else; what loads is a model whose predictions, through the real pipeline, are sound or refused with a
 * TunerException.
 *
 * <p>Two targets, because the integrity digests stop blind mutation at the door: {@link #artifactFile} mutates whole
 * files and also tries each one re-sealed (its digests recomputed, as a forger would), so the header checks behind the
 * digest get fuzzed too; {@link #forestPayload} puts the bytes into a valid artifact of the real forest provider (the
 * plugin jar of {@link ForestPlugin}), so its binary payload decoder is fuzzed through the real loader, and
 * {@link #ensemblePayload} into an ensemble artifact whose members that forest provider loads. The linear
 * provider's payload is fuzzed in tuner-linear (its classes are not built before tuner-core).
 *
 * <p>Regression inputs:
 * src/test/resources/dev/tuner/core/fuzz/ArtifactFuzzTestInputs/{artifactFile,forestPayload,ensemblePayload}/.
 */
class ArtifactFuzzTest {
  private static final ArtifactCodec CODEC = new ArtifactCodec();
  private static final ModelLoader LOADER = new ModelLoader(ForestPlugin.registry(), CODEC);
  private static final Catalog CATALOG = Catalog.shipped();
  private static final Roofline ROOFLINE = new Roofline(CATALOG);
  private static final List<Scenario> SCENARIOS = List.of(
      ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode").resolve(CATALOG),
      ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 8, 4096, "prefill").resolve(CATALOG));
  /** The header of a forest artifact on the default schema; only the payload varies. */
  private static final ArtifactHeader FOREST_HEADER =
      TestArtifacts.header(TunerApi.VERSION, ForestPlugin.ID, FeatureSchemas.tunerV1().ref(),
          FeatureSchemas.tunerV1().width());
  /** The header of an ensemble artifact on the default schema; only the payload varies. */
  private static final ArtifactHeader ENSEMBLE_HEADER =
      TestArtifacts.header(TunerApi.VERSION, EnsembleProvider.ID, FeatureSchemas.tunerV1().ref(),
          FeatureSchemas.tunerV1().width());
  /** Same limits as the codec, so that re-sealing never parses what the codec would refuse to parse. */
  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxNumberLength(64).build())
      .build());

  @FuzzTest(maxDuration = "60s")
  void artifactFile(byte[] input) {
    decodeAndLoad(input);
    byte[] resealed = reseal(input);
    if (resealed != null) {
      decodeAndLoad(resealed);
    }
  }

  @FuzzTest(maxDuration = "60s")
  void forestPayload(byte[] payload) {
    load(new ModelArtifact(FOREST_HEADER, payload));
  }

  /**
   * The bytes as the payload of an ensemble artifact, whose members are loaded by the real forest provider: the
   * ensemble's own container (header length, JSON header, member sizes) and the members' payloads behind it.
   */
  @FuzzTest(maxDuration = "60s")
  void ensemblePayload(byte[] payload) {
    load(new ModelArtifact(ENSEMBLE_HEADER, payload));
  }

  private static void decodeAndLoad(byte[] bytes) {
    ModelArtifact artifact;
    try {
      artifact = CODEC.decode(bytes, "fuzz.json");
    } catch (TunerException refused) {
      return;
    }
    // "every number is checked": a calibration bound that overflows a float would be infinite
    for (float[] bound : new float[][] {artifact.header().calibration().featureMin(),
        artifact.header().calibration().featureMax()}) {
      for (float v : bound) {
        assertThat(v).as("calibration feature bound").isFinite();
      }
    }
    load(artifact);
  }

  private static void load(ModelArtifact artifact) {
    LoadedModel loaded;
    try {
      loaded = LOADER.fromArtifact(artifact, "fuzz.json");
    } catch (TunerException refused) {
      return;
    }
    try {
      Predictor predictor = new Predictor(loaded, ROOFLINE, 0.9, false);
      for (Scenario s : SCENARIOS) {
        ThroughputPrediction p;
        try {
          p = predictor.predict(s);
        } catch (TunerException refused) {
          // e.g. a forest whose leaves are finite but whose mean overflows: refused, never a silent Infinity
          continue;
        }
        assertThat(p.tokensPerSecond()).isFinite().isBetween(0.0, p.rooflineTokensPerSecond());
      }
    } finally {
      loaded.model().close();
    }
  }

  /**
   * The bytes with their digests recomputed, or null when they are not a JSON object with header and integrity
   * objects. Mirrors what the codec hashes: the compact JSON of the parsed header, and the decoded payload.
   */
  static byte[] reseal(byte[] bytes) {
    try {
      JsonNode root = JSON.readTree(bytes);
      if (root == null || !root.isObject() || !root.path("header").isObject()
          || !root.path("integrity").isObject()) {
        return null;
      }
      ObjectNode integrity = (ObjectNode) root.get("integrity");
      integrity.put("header_sha256", sha256(JSON.writeValueAsBytes(root.get("header"))));
      if (root.path("payload").isTextual()) {
        try {
          byte[] payload = Base64.getDecoder().decode(root.get("payload").asText());
          integrity.put("payload_sha256", sha256(payload));
          integrity.put("payload_bytes", payload.length);
        } catch (IllegalArgumentException notBase64) {
          // left as it is: the codec must refuse it
        }
      }
      return JSON.writeValueAsBytes(root);
    } catch (IOException | RuntimeException notJson) {
      // not the code under test: whatever the re-sealing cannot parse is only tried as it is
      return null;
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
