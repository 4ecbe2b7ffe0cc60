package dev.tuner.core.artifact;

import static dev.tuner.core.artifact.TestArtifacts.bytes;
import static dev.tuner.core.artifact.TestArtifacts.editAndReseal;
import static dev.tuner.core.artifact.TestArtifacts.replaceOnce;
import static dev.tuner.core.artifact.TestArtifacts.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tuner.api.ModelLoadException;
import dev.tuner.api.TunerException;
import dev.tuner.core.learn.ArtifactWriter;
import dev.tuner.core.artifact.Calibration;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArtifactCodecTest {
  private final ArtifactCodec codec = new ArtifactCodec();
  private final ArtifactWriter writer = new ArtifactWriter();

  private static void assertSameArtifact(ModelArtifact actual, ModelArtifact expected) {
    ArtifactHeader a = actual.header();
    ArtifactHeader e = expected.header();
    assertThat(a.formatVersion()).isEqualTo(e.formatVersion());
    assertThat(a.apiVersion()).isEqualTo(e.apiVersion());
    assertThat(a.modelId()).isEqualTo(e.modelId());
    assertThat(a.providerId()).isEqualTo(e.providerId());
    assertThat(a.providerVersion()).isEqualTo(e.providerVersion());
    assertThat(a.schema()).isEqualTo(e.schema());
    assertThat(a.outputKind()).isEqualTo(e.outputKind());
    assertThat(a.featureCount()).isEqualTo(e.featureCount());
    assertThat(a.hyperParameters()).isEqualTo(e.hyperParameters());
    assertThat(a.seed()).isEqualTo(e.seed());
    assertThat(a.trainingData()).isEqualTo(e.trainingData());
    assertThat(a.crossValidation()).isEqualTo(e.crossValidation());
    assertThat(a.environment()).isEqualTo(e.environment());
    assertThat(a.created()).isEqualTo(e.created());
    assertThat(a.properties()).isEqualTo(e.properties());
    Calibration ca = a.calibration();
    Calibration ce = e.calibration();
    assertThat(ca.method()).isEqualTo(ce.method());
    assertThat(ca.decodeScores()).containsExactly(ce.decodeScores());
    assertThat(ca.prefillScores()).containsExactly(ce.prefillScores());
    assertThat(ca.featureMin()).containsExactly(ce.featureMin());
    assertThat(ca.featureMax()).containsExactly(ce.featureMax());
    assertThat(ca.decodeDeviceScores()).containsExactly(ce.decodeDeviceScores());
    assertThat(ca.prefillDeviceScores()).containsExactly(ce.prefillDeviceScores());
    assertThat(ca.trainingArchitectures()).isEqualTo(ce.trainingArchitectures());
    assertThat(ca.spreadOffset()).isEqualTo(ce.spreadOffset());
    Calibration.Stratum sa = ca.newArchitecture();
    Calibration.Stratum se = ce.newArchitecture();
    assertThat(sa.decodeScores()).containsExactly(se.decodeScores());
    assertThat(sa.prefillScores()).containsExactly(se.prefillScores());
    assertThat(sa.decodeDeviceScores()).containsExactly(se.decodeDeviceScores());
    assertThat(sa.prefillDeviceScores()).containsExactly(se.prefillDeviceScores());
    assertThat(actual.payload()).containsExactly(expected.payload());
  }

  @Test
  void roundTripKeepsEveryHeaderFieldThePayloadAndTheCalibration() {
    ModelArtifact original = TestArtifacts.artifact();
    ModelArtifact back = codec.decode(writer.encode(original), "test");
    assertSameArtifact(back, original);
    assertThat(back.header().calibration().decodeScores()).containsExactly(0.0371, 0.1113, 0.2227, 0.3339);
  }

  /** Arbitrary payload bytes and calibration numbers survive exactly, floats included. */
  @RepeatedTest(20)
  void roundTripIsExactForRandomPayloadsAndCalibrations(RepetitionInfo info) {
    SplittableRandom r = new SplittableRandom(1000 + info.getCurrentRepetition());
    byte[] payload = new byte[r.nextInt(0, 5000)];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) r.nextInt(256);
    }
    ArtifactHeader h = TestArtifacts.header();
    float[] lo = new float[h.featureCount()];
    float[] hi = new float[h.featureCount()];
    for (int i = 0; i < h.featureCount(); i++) {
      lo[i] = (float) r.nextDouble();
      hi[i] = Float.intBitsToFloat(r.nextInt(0, Float.floatToIntBits(1f)));
    }
    double[] scores = r.doubles(r.nextInt(0, 200), 0, 1e6).toArray();
    double[] devices = r.doubles(r.nextInt(0, 30), 0, 10).toArray();
    // every other artifact splits its scores by device architecture, as trained ones do since the split exists
    boolean split = info.getCurrentRepetition() % 2 == 0;
    Calibration calibration = new Calibration(Calibration.Method.SPREAD_NORMALISED,
        new Calibration.Stratum(scores, new double[] {Double.MIN_VALUE, Double.MAX_VALUE}, devices, devices), lo, hi,
        split ? List.of("Ampere sm_86", "RDNA3.5 gfx115x", "Apple8 µ") : List.of(),
        split ? new Calibration.Stratum(r.doubles(r.nextInt(0, 50), 0, 5).toArray(), new double[] {1e-300},
            r.doubles(r.nextInt(0, 8), 0, 5).toArray(), new double[0]) : Calibration.Stratum.EMPTY,
        r.nextBoolean() ? new Calibration.SpreadOffset(r.nextDouble(0, 3), r.nextDouble(0, 3))
            : Calibration.SpreadOffset.NONE);
    ArtifactHeader header = new ArtifactHeader(h.formatVersion(), h.apiVersion(), h.modelId(), h.providerId(),
        h.providerVersion(), h.schema(), h.outputKind(), h.featureCount(), h.hyperParameters(), r.nextLong(),
        h.trainingData(), h.crossValidation(), calibration, h.environment(), h.created(),
        Map.of("unicode", "µ→∞ \"quoted\"\n"));
    ModelArtifact original = new ModelArtifact(header, payload);
    assertSameArtifact(codec.decode(writer.encode(original), "random"), original);
  }

  @Test
  void writeThenReadFromAFileAndAStream(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("model.json");
    writer.write(TestArtifacts.artifact(), file, false);
    assertSameArtifact(codec.read(file), TestArtifacts.artifact());
    assertSameArtifact(codec.read(Files.newInputStream(file), "stream"), TestArtifacts.artifact());
    assertThatThrownBy(() -> writer.write(TestArtifacts.artifact(), file, false))
        .isInstanceOf(TunerException.class).hasMessageContaining("refusing to overwrite");
  }

  @Test
  void theHeaderIsReadableJson() {
    String json = str(writer.encode(TestArtifacts.artifact()));
    assertThat(json).contains("\"format\" : \"tuner-model\"").contains("\"model_id\" : \"test-model-1\"")
        .contains("\"header_sha256\"").contains("\"payload_sha256\"");
    assertThat(json).doesNotContain("rO0"); // base64 of a Java serialization stream header
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"seed\" : 42|\"seed\" : 43",
      "\"model_id\" : \"test-model-1\"|\"model_id\" : \"test-model-2\"",
      "\"output_kind\" : \"log_roofline_fraction\"|\"output_kind\" : \"tokens_per_s\"", "0.0371|0.0372"})
  void aChangedHeaderValueFailsTheIntegrityCheck(String edit) {
    String[] fromTo = edit.split("\\|");
    String json = replaceOnce(str(writer.encode(TestArtifacts.artifact())), fromTo[0], fromTo[1]);
    assertThatThrownBy(() -> codec.decode(bytes(json), "edited.json"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("edited.json")
        .hasMessageContaining("integrity")
        .hasMessageContaining("header");
  }

  /**
   * The payload is read in place only when it is the plain last field; every other layout of the same document
   * takes the plain tree parse, and all of them must decode to the same artifact.
   */
  @ParameterizedTest
  @ValueSource(strings = {"as written", "payload first", "escaped slashes", "spaces and newlines", "trailing text",
      "an earlier duplicate payload", "a later duplicate payload", "unicode escape"})
  void everyLayoutOfTheSameDocumentDecodesToTheSameArtifact(String layout) {
    ModelArtifact a = new ModelArtifact(TestArtifacts.header(), new byte[] {-5, -1, -2, 0, 1, 62, 63, 64, 127});
    String json = str(writer.encode(a));
    String payload = java.util.Base64.getEncoder().encodeToString(a.payload());
    assertThat(payload).contains("/").contains("+");
    String field = "\"payload\" : \"" + payload + "\"";
    String edited = switch (layout) {
      case "as written" -> json;
      case "payload first" -> "{\n  " + field + "," + replaceOnce(json, ",\n  " + field, "").substring(1);
      case "escaped slashes" -> replaceOnce(json, field, field.replace("/", "\\/"));
      // outside the header, whose bytes are under its digest
      case "spaces and newlines" -> json.substring(0, json.indexOf("\"integrity\""))
          + json.substring(json.indexOf("\"integrity\"")).replace("\n", " \r\n\t ");
      case "trailing text" -> json + " and more";
      case "an earlier duplicate payload" -> "{\n  \"payload\" : 17," + json.substring(1);
      case "a later duplicate payload" -> replaceOnce(json, field, "\"payload\" : \"QUJD\", " + field);
      default -> replaceOnce(json, field, field.replaceFirst("\\+", "\\\\u002B"));
    };
    assertThat(edited).startsWith("{");
    assertSameArtifact(codec.decode(bytes(edited), layout), a);
  }

  @Test
  void onlyAPlainStringThatClosesTheDocumentIsReadInPlace() {
    assertThat(ArtifactCodec.closingPlainString(bytes("{\"p\" : \"QUJD\"\n}\n"), 7)).containsExactly(bytes("QUJD"));
    assertThat(ArtifactCodec.closingPlainString(bytes("{\"p\" : \"QU\\/D\"}"), 7)).isNull();
    assertThat(ArtifactCodec.closingPlainString(bytes("{\"p\" : \"QUJD\", \"q\" : 1}"), 7)).isNull();
    assertThat(ArtifactCodec.closingPlainString(bytes("{\"p\" : \"QUJD\"} x"), 7)).isNull();
    assertThat(ArtifactCodec.closingPlainString(bytes("{\"p\" : \"QU\u00e9D\"}"), 7)).isNull();
    assertThat(ArtifactCodec.closingPlainString(bytes("{\"p\" : \"QU\tJD\"}"), 7)).isNull();
    assertThat(ArtifactCodec.closingPlainString(bytes("{\"p\" : \"QUJD"), 7)).isNull();
    assertThat(ArtifactCodec.closingPlainString(bytes("{\"p\" : 12}"), 7)).isNull();
  }

  @Test
  void aChangedPayloadFailsTheIntegrityCheck() {
    ModelArtifact a = TestArtifacts.artifact();
    String json = str(writer.encode(a));
    String payload = java.util.Base64.getEncoder().encodeToString(a.payload());
    String other = java.util.Base64.getEncoder().encodeToString(ConstantProviderPayload.of(Math.log(0.9)));
    String edited = replaceOnce(json, "\"payload\" : \"" + payload + "\"", "\"payload\" : \"" + other + "\"");
    assertThatThrownBy(() -> codec.decode(bytes(edited), "edited.json"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("integrity")
        .hasMessageContaining("payload");
    String notBase64 = replaceOnce(json, "\"payload\" : \"" + payload + "\"", "\"payload\" : \"@@not base64@@\"");
    assertThatThrownBy(() -> codec.decode(bytes(notBase64), "edited.json"))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("base64");
  }

  @Test
  void aPayloadLengthThatDisagreesWithTheRecordIsRefused() {
    ModelArtifact a = TestArtifacts.artifact();
    String json = str(writer.encode(a));
    String edited = replaceOnce(json, "\"payload_bytes\" : " + a.payload().length,
        "\"payload_bytes\" : " + (a.payload().length + 1));
    assertThatThrownBy(() -> codec.decode(bytes(edited), "edited.json"))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("integrity");
  }

  /** Every prefix of a valid artifact is refused with a ModelLoadException and nothing else. */
  @Test
  void aTruncatedFileIsRefusedAtEveryLength() {
    byte[] full = writer.encode(TestArtifacts.artifact());
    for (int n = 0; n < full.length - 1; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      Throwable t = catchThrowable(() -> codec.decode(cut, "cut.json"));
      assertThat(t).as("prefix of %d bytes", n).isInstanceOf(ModelLoadException.class);
      assertThat(t.getMessage()).contains("cut.json");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "hello", "{", "[]", "null", "42", "\"tuner-model\"", "{\"format\": 1}",
      "<xml/>", "\u0000\u0001\u0002"})
  void somethingThatIsNotAnArtifactIsRefused(String text) {
    assertThatThrownBy(() -> codec.decode(bytes(text), "junk.bin"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("junk.bin")
        .hasMessageContaining("not a tuner model artifact");
  }

  @Test
  void aWrongFormatOrFormatVersionIsRefusedNamingIt() {
    String json = str(writer.encode(TestArtifacts.artifact()));
    assertThatThrownBy(() -> codec.decode(bytes(replaceOnce(json, "\"tuner-model\"", "\"onnx-model\"")), "f"))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("format is not \"tuner-model\"");
    String v3 = json.replaceFirst("\"format_version\" : 2", "\"format_version\" : 3");
    assertThat(v3).isNotEqualTo(json);
    assertThatThrownBy(() -> codec.decode(bytes(v3), "f"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("format version 3")
        .hasMessageContaining("reads versions 1 and 2");
  }

  /**
   * The header digest covers the bytes as written: a header laid out as no Jackson writes it (escapes, exponents,
   * unsorted keys, odd spacing) loads when its digest is of those bytes, so a serializer upgrade cannot invalidate a
   * shipped model; the same header re-serialised (what the first layout hashed) is not what the file records.
   */
  @Test
  void theHeaderDigestCoversTheBytesAsWrittenNotAReserialisation() throws Exception {
    String resealed = str(editAndReseal(writer.encode(TestArtifacts.artifact()), json -> replaceOnce(replaceOnce(
        replaceOnce(json, "\"seed\" : 42", "\"seed\":4.2E1"),
        "\"model_id\" : \"test-model-1\"", "\"model_id\"   :\t\"test-\\u006dodel-1\""),
        "\"provider\" : \"test-constant\"", "\"provider\" : \"test\\u002dconstant\"")));
    ModelArtifact back = codec.decode(bytes(resealed), "unusual.json");
    assertThat(back.header().modelId()).isEqualTo("test-model-1");
    assertThat(back.header().providerId()).isEqualTo("test-constant");
    assertThat(back.header().seed()).isEqualTo(42L);
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    String reserialised = ArtifactCodec.sha256(mapper.writeValueAsBytes(mapper.readTree(resealed).get("header")));
    assertThat(resealed).doesNotContain(reserialised);
    // one space more inside the header, which a re-serialisation would never see, breaks the seal
    String spaced = replaceOnce(resealed, "\"seed\":4.2E1", "\"seed\": 4.2E1");
    assertThatThrownBy(() -> codec.decode(bytes(spaced), "spaced.json"))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("integrity").hasMessageContaining("header");
  }

  @Test
  void aSecondHeaderIsRefusedRatherThanOneCheckedAndTheOtherRead() {
    String json = str(writer.encode(TestArtifacts.artifact()));
    String twice = "{\n  \"header\" : {},\n" + json.substring(json.indexOf('{') + 1);
    assertThatThrownBy(() -> codec.decode(bytes(twice), "twice.json"))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("more than one header");
  }

  /** An artifact written by the first layout (format 1, re-serialised header digest) before it changed. */
  @Test
  void anArtifactOfTheFirstLayoutStillLoads() throws Exception {
    byte[] v1;
    try (var in = getClass().getResourceAsStream("format-1.json")) {
      v1 = in.readAllBytes();
    }
    assertThat(str(v1)).startsWith("{\n  \"format\" : \"tuner-model\",\n  \"format_version\" : 1,");
    // written when the API was 1.1
    ArtifactHeader h = TestArtifacts.header();
    assertSameArtifact(codec.decode(v1, "format-1.json"), TestArtifacts.artifact(
        TestArtifacts.header("1.1", h.providerId(), h.schema(), h.featureCount()), Math.log(0.25)));
    String edited = replaceOnce(str(v1), "\"seed\" : 42", "\"seed\" : 43");
    assertThatThrownBy(() -> codec.decode(bytes(edited), "edited.json"))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("integrity");
  }

  @Test
  void anOversizeArtifactIsRefusedBeforeParsing(@TempDir Path dir) throws Exception {
    byte[] encoded = writer.encode(TestArtifacts.artifact());
    ArtifactCodec small = new ArtifactCodec(100);
    assertThatThrownBy(() -> small.decode(encoded, "big.json"))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("limit is 100");
    Path file = dir.resolve("big.json");
    Files.write(file, encoded);
    assertThatThrownBy(() -> small.read(file))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("limit is 100");
    assertThatThrownBy(() -> small.read(new ByteArrayInputStream(encoded), "stream"))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("limit of 100");
    // the limit is inclusive: a codec whose limit is the exact size reads it
    assertSameArtifact(new ArtifactCodec(encoded.length).decode(encoded, "exact"), TestArtifacts.artifact());
  }

  @Test
  void aMissingFileIsAModelLoadException(@TempDir Path dir) {
    assertThatThrownBy(() -> codec.read(dir.resolve("nope.json")))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("does not exist");
    assertThatThrownBy(() -> codec.read(dir))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("not a regular file");
  }

  /** {@link TestArtifacts#artifact()} with its calibration split by architecture. */
  private static ModelArtifact splitArtifact() {
    ArtifactHeader h = TestArtifacts.header();
    Calibration c = h.calibration();
    Calibration split = new Calibration(c.method(), c.seenArchitecture(), c.featureMin(), c.featureMax(),
        List.of("Ada sm_89", "RDNA3.5 gfx115x"), new Calibration.Stratum(new double[] {0.5, 0.25},
            new double[] {0.75}, new double[] {0.5}, new double[] {0.75}), Calibration.SpreadOffset.NONE);
    return new ModelArtifact(new ArtifactHeader(h.formatVersion(), h.apiVersion(), h.modelId(), h.providerId(),
        h.providerVersion(), h.schema(), h.outputKind(), h.featureCount(), h.hyperParameters(), h.seed(),
        h.trainingData(), h.crossValidation(), split, h.environment(), h.created(), h.properties()),
        TestArtifacts.artifact().payload());
  }

  /**
   * The split by device architecture is data like the rest: a blank architecture, scores of a new architecture with
   * no architectures recorded, a negative score in it, or a number where its scores belong are refused even under a
   * valid digest, naming the field.
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "\"Ada sm_89\"|\" \"|calibration training architecture",
      "\"training_architectures\"|\"training_architecturez\"|calibration new-architecture scores",
      "[ 0.25, 0.5 ]|[ -0.25, 0.5 ]|calibration score (decode)",
      "\"new_architecture\" : {|\"new_architecture\" : 5, \"unread\" : {|new_architecture"})
  void anInvalidSplitByArchitectureIsRefused(String edit) {
    String[] parts = edit.split("\\|");
    byte[] encoded = writer.encode(splitArtifact());
    assertSameArtifact(codec.decode(encoded, "split.json"), splitArtifact());
    byte[] forged = editAndReseal(encoded, json -> replaceOnce(json, parts[0], parts[1]));
    assertThatThrownBy(() -> codec.decode(forged, "forged.json"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("forged.json")
        .hasMessageContaining(parts[2]);
  }

  /**
   * The spread offset is data too: written when there is one and read back as written; an artifact without it (every
   * one written before it) is read with none; a negative, textual or missing figure is refused naming the field.
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "\"decode\" : 0.125|\"decode\" : -0.125|calibration spread offset (decode)",
      "\"prefill\" : 0.375|\"prefill\" : \"0.375\"|calibration.spread_offset.prefill",
      "\"prefill\" : 0.375|\"prefil\" : 0.375|calibration.spread_offset.prefill = missing",
      "\"spread_offset\" : {|\"spread_offset\" : 1, \"unread\" : {|spread_offset"})
  void anInvalidSpreadOffsetIsRefused(String edit) {
    String[] parts = edit.split("\\|");
    ArtifactHeader h = TestArtifacts.header();
    Calibration c = h.calibration();
    ModelArtifact offset = new ModelArtifact(new ArtifactHeader(h.formatVersion(), h.apiVersion(), h.modelId(),
        h.providerId(), h.providerVersion(), h.schema(), h.outputKind(), h.featureCount(), h.hyperParameters(),
        h.seed(), h.trainingData(), h.crossValidation(), new Calibration(Calibration.Method.SPREAD_NORMALISED,
            c.seenArchitecture(), c.featureMin(), c.featureMax(), c.trainingArchitectures(), c.newArchitecture(),
            new Calibration.SpreadOffset(0.125, 0.375)), h.environment(), h.created(), h.properties()),
        TestArtifacts.artifact().payload());
    byte[] encoded = writer.encode(offset);
    assertThat(codec.decode(encoded, "offset.json").header().calibration().spreadOffset())
        .isEqualTo(new Calibration.SpreadOffset(0.125, 0.375));
    assertThat(str(writer.encode(TestArtifacts.artifact()))).doesNotContain("spread_offset");
    assertThat(codec.decode(writer.encode(TestArtifacts.artifact()), "plain.json").header().calibration()
        .spreadOffset()).isEqualTo(Calibration.SpreadOffset.NONE);
    byte[] forged = editAndReseal(encoded, json -> replaceOnce(json, parts[0], parts[1]));
    assertThatThrownBy(() -> codec.decode(forged, "forged.json"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("forged.json")
        .hasMessageContaining(parts[2]);
  }

  /**
   * Numbers the header validation must refuse even when the integrity digest was recomputed (a forged or buggy
   * file): the codec checks every number, not only the digest.
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "0.0371|1e999|decode_scores[0]",
      "0.0371|-1e999|decode_scores[0]",
      "0.0371|-0.5|calibration score (decode)",
      "0.2553|\"0.2553\"|prefill_scores[0]",
      "\"feature_count\" : 43|\"feature_count\" : 0|feature_count",
      "\"feature_count\" : 43|\"feature_count\" : 42|feature_min",
      "\"output_kind\" : \"log_roofline_fraction\"|\"output_kind\" : \"furlongs\"|output kind",
      "\"method\" : \"absolute_residual\"|\"method\" : \"guess\"|calibration.method",
      "\"model_id\" : \"test-model-1\",|\"model_idx\" : \"test-model-1\",|model_id"})
  void invalidHeaderValuesAreRefusedEvenWithAValidDigest(String edit) {
    String[] parts = edit.split("\\|");
    byte[] forged = editAndReseal(writer.encode(TestArtifacts.artifact()), json -> replaceOnce(json, parts[0],
        parts[1]));
    assertThatThrownBy(() -> codec.decode(forged, "forged.json"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("forged.json")
        .hasMessageContaining("invalid header")
        .hasMessageContaining(parts[2]);
  }

  /**
   * The header is read without the object mapper; the tree must be node for node what {@code readTree} builds and
   * its canonical bytes what {@code writeValueAsBytes} writes, or digests would disagree with files written before.
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "{\"a\": 1, \"b\": -2147483648, \"c\": 2147483648, \"d\": -9223372036854775808, \"e\": 9223372036854775808}",
      "{\"f\": 0.1, \"g\": -0.0, \"h\": 1e308, \"i\": 1e999, \"j\": 4.9e-324, \"k\": 1E-7, \"l\": 123456789.125}",
      "{\"s\": \"caf\\u00e9 \\\"q\\\" \\\\ \\/ \\t \\u0001 \\ud83d\\ude00 \u00e9\u4e2d\"}",
      "{\"t\": true, \"u\": false, \"v\": null, \"w\": [], \"x\": {}, \"y\": [1, [2, [3.5, {\"z\": null}]]]}",
      "{\"dup\": 1, \"other\": 2, \"dup\": [3]}",
      "[1, \"two\", 3.0, {\"four\": 4}]",
      "\"just text\"", "17", "-0", "null"})
  void theHeaderTreeAndItsCanonicalBytesAreThoseOfTheObjectMapper(String json) throws Exception {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.JsonNode expected = mapper.readTree(json);
    com.fasterxml.jackson.databind.JsonNode actual;
    try (var p = new com.fasterxml.jackson.core.JsonFactory().createParser(json)) {
      p.nextToken();
      actual = ArtifactCodec.tree(p);
    }
    assertSameTree(actual, expected);
    assertThat(codec.canonical(actual)).containsExactly(mapper.writeValueAsBytes(expected));
  }

  /** Nodes that reading never builds but a header written by {@link ArtifactWriter#encode} may hold. */
  @Test
  void canonicalBytesOfBuiltNodesAreThoseOfTheObjectMapper() throws Exception {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    var f = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
    var n = f.objectNode();
    n.put("float", 0.1f).put("float_max", Float.MAX_VALUE).put("short", (short) -7).put("long", 1L << 40)
        .put("nan", Double.NaN).put("inf", Double.NEGATIVE_INFINITY).put("text", (String) null)
        .put("big", new java.math.BigInteger("123456789012345678901234567890"));
    n.putArray("floats").add(1.5f).add(-0.0f).add(3.4028235e38f);
    n.putObject("nested").putNull("nothing").put("bool", true);
    n.set("decimal", f.numberNode(new java.math.BigDecimal("1.50")));
    n.set("binary", f.binaryNode(new byte[] {1, 2, 3}));
    n.set("pojo", f.pojoNode(java.util.List.of("x", 1)));
    assertThat(codec.canonical(n)).containsExactly(mapper.writeValueAsBytes(n));
  }

  private static void assertSameTree(com.fasterxml.jackson.databind.JsonNode actual,
      com.fasterxml.jackson.databind.JsonNode expected) {
    assertThat(actual.getClass()).isEqualTo(expected.getClass());
    assertThat(actual).isEqualTo(expected);
    assertThat(actual.size()).isEqualTo(expected.size());
    var names = expected.fieldNames();
    var actualNames = actual.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      assertThat(actualNames.next()).isEqualTo(name);
      assertSameTree(actual.get(name), expected.get(name));
    }
    for (int i = 0; expected.isArray() && i < expected.size(); i++) {
      assertSameTree(actual.get(i), expected.get(i));
    }
  }

  @Test
  void theResealHelperOnlyRecomputesTheDigest() {
    byte[] encoded = writer.encode(TestArtifacts.artifact());
    assertThat(editAndReseal(encoded, json -> json)).containsExactly(encoded);
  }

  @Test
  void nonNumericNumberLiteralsAreNotJson() {
    String json = str(writer.encode(TestArtifacts.artifact()));
    for (String literal : List.of("NaN", "Infinity", "-Infinity")) {
      String edited = replaceOnce(json, "0.0371", literal);
      assertThatThrownBy(() -> codec.decode(bytes(edited), "nan.json"))
          .isInstanceOf(ModelLoadException.class).hasMessageContaining("invalid JSON");
    }
  }

  /**
   * Random edits of header values, resealed so the digest passes: the codec either reads the file or refuses it
   * with a ModelLoadException; no other exception escapes.
   */
  @RepeatedTest(5)
  void randomResealedHeaderEditsOnlyEverFailAsModelLoadException(RepetitionInfo info) {
    SplittableRandom r = new SplittableRandom(7_000 + info.getCurrentRepetition());
    String json = str(writer.encode(TestArtifacts.artifact()));
    int headerEnd = json.indexOf("\"integrity\"");
    Matcher values = Pattern.compile(":\\s*(\"[^\"]*\"|-?[0-9][0-9.eE+-]*)").matcher(json);
    List<int[]> spans = new java.util.ArrayList<>();
    while (values.find() && values.start(1) < headerEnd) {
      spans.add(new int[] {values.start(1), values.end(1)});
    }
    List<String> nasty = List.of("-1", "0", "1e999", "-1e999", "1e308", "2147483648", "9223372036854775808", "1.5",
        "\"\"", "\"x\"", "null", "[]", "{}", "true", "[1e999]", "{\"a\": {\"b\": []}}", "\"NaN\"", "-0");
    int refused = 0;
    for (int n = 0; n < 200; n++) {
      int[] span = spans.get(r.nextInt(spans.size()));
      String edited = json.substring(0, span[0]) + nasty.get(r.nextInt(nasty.size())) + json.substring(span[1]);
      byte[] forged = editAndReseal(bytes(edited), s -> s);
      Throwable t = catchThrowable(() -> codec.decode(forged, "fuzz.json"));
      if (t != null) {
        assertThat(t).as("edit %s", edited.substring(span[0], Math.min(edited.length(), span[0] + 40)))
            .isInstanceOf(ModelLoadException.class);
        refused++;
      }
    }
    assertThat(refused).as("most random edits are invalid").isGreaterThan(20);
  }

  /** The constant provider's payload encoding, kept local so this test does not depend on the provider class. */
  private static final class ConstantProviderPayload {
    static byte[] of(double v) {
      return bytes(Double.toString(v));
    }
  }
}
