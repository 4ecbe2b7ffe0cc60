package dev.tuner.core.artifact;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ShortNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.OutputKind;
import dev.tuner.api.SchemaRef;
import dev.tuner.core.io.FileChecks;
import dev.tuner.core.io.JsonErrors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads model artifacts: one UTF-8 JSON file whose {@code header} is human-readable, whose {@code payload} is the
 * provider's bytes in base64, and whose {@code integrity} block holds SHA-256 digests of both: of the header's bytes
 * as written (format version 2) or of its compact re-serialisation (version 1, still read). The writer is
 * {@code dev.tuner.core.learn.ArtifactWriter} in module tuner-train, beside the training that makes artifacts. Reading checks the size, the format, every digest and every number before anything reaches a provider.
 * No Java serialization is involved anywhere.
 *
 * <p>Reading a well-formed artifact needs only Jackson's streaming parser and its tree nodes: the full
 * {@link ObjectMapper}, hundreds of classes and a noticeable share of a command's start-up, is made on first use, by
 * the plain parse that reports malformed documents.
 */
public final class ArtifactCodec {
  public static final String FORMAT = "tuner-model";
  /**
   * The layout written today: the header digest covers the header's bytes exactly as they stand in the file, so no
   * serializer (today's Jackson or a later one) has to reproduce them.
   */
  public static final int FORMAT_VERSION = 2;
  /**
   * The first layout, still read: its header digest covers a compact re-serialisation of the parsed header
   * ({@link #canonical}), which the codec's own streaming writer reproduces.
   */
  public static final int FORMAT_VERSION_CANONICAL_HEADER = 1;
  /** Largest artifact file accepted. */
  public static final long MAX_BYTES = 256L << 20;

  private final JsonFactory factory;
  private final long maxBytes;
  /** The object mapper over {@link #factory}, empty until first needed. */
  private final AtomicReference<ObjectMapper> mapper = new AtomicReference<>();

  public ArtifactCodec() {
    this(MAX_BYTES);
  }

  public ArtifactCodec(long maxBytes) {
    this.maxBytes = maxBytes;
    this.factory = JsonFactory.builder()
        .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxBytes * 2))
            .maxNestingDepth(64)
            .maxNumberLength(64)
            .build())
        .build();
  }

  /** The object mapper over {@link #factory}, made on first use. */
  private ObjectMapper mapper() {
    ObjectMapper m = mapper.get();
    if (m == null) {
      synchronized (mapper) {
        m = mapper.get();
        if (m == null) {
          m = new ObjectMapper(factory);
          mapper.set(m);
        }
      }
    }
    return m;
  }

  public ModelArtifact read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException("model file " + file + " does not exist or is not a regular file");
    }
    try {
      long size = Files.size(file);
      if (size > maxBytes) {
        throw new ModelLoadException("model file " + file + " is " + size + " bytes; the limit is " + maxBytes);
      }
      return decode(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new ModelLoadException("cannot read model file " + file + ": " + FileChecks.reason(e), e);
    }
  }

  public ModelArtifact read(InputStream in, String source) {
    try (in) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      byte[] chunk = new byte[1 << 16];
      int n;
      while ((n = in.read(chunk)) > 0) {
        if (buf.size() + n > maxBytes) {
          throw new ModelLoadException("model " + source + " is larger than the limit of " + maxBytes + " bytes");
        }
        buf.write(chunk, 0, n);
      }
      return decode(buf.toByteArray(), source);
    } catch (IOException e) {
      throw new ModelLoadException("cannot read model " + source + ": " + e.getMessage(), e);
    }
  }

  public ModelArtifact decode(byte[] bytes, String source) {
    if (bytes.length > maxBytes) {
      throw new ModelLoadException("model " + source + " is " + bytes.length + " bytes; the limit is " + maxBytes);
    }
    Document document;
    try {
      document = parse(bytes);
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException("model " + source + " is not a tuner model artifact (invalid JSON: "
          + JsonErrors.describe(e) + ")", e);
    }
    JsonNode root = document.root();
    try {
      if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
        throw new ModelLoadException("model " + source + " is not a tuner model artifact (format is not \""
            + FORMAT + "\")");
      }
      int version = root.path("format_version").asInt(-1);
      if (version != FORMAT_VERSION && version != FORMAT_VERSION_CANONICAL_HEADER) {
        throw new ModelLoadException("model " + source + " has artifact format version " + version
            + "; this tuner reads versions " + FORMAT_VERSION_CANONICAL_HEADER + " and " + FORMAT_VERSION);
      }
      JsonNode header = object(root, "header");
      JsonNode integrity = object(root, "integrity");
      String headerHash = version == FORMAT_VERSION
          ? sha256(headerBytesAsWritten(bytes, source))
          : sha256(canonical(header));
      if (!headerHash.equals(text(integrity, "header_sha256"))) {
        throw new ModelLoadException("model " + source + " failed its integrity check: the header's SHA-256 is "
            + headerHash + " but the file records " + text(integrity, "header_sha256")
            + " (the file was altered or damaged)");
      }
      byte[] payload;
      try {
        payload = document.payloadStart() >= 0
            ? decodeBase64(bytes, document.payloadStart(), document.payloadEnd())
            : Base64.getDecoder().decode(text(root, "payload"));
      } catch (IllegalArgumentException e) {
        throw new ModelLoadException("model " + source + " has a payload that is not valid base64");
      }
      String payloadHash = sha256(payload);
      if (payload.length != integrity.path("payload_bytes").asLong(-1) || !payloadHash.equals(
          text(integrity, "payload_sha256"))) {
        throw new ModelLoadException("model " + source + " failed its integrity check: the payload's SHA-256 is "
            + payloadHash + " (" + payload.length + " bytes) but the file records "
            + text(integrity, "payload_sha256") + " (" + integrity.path("payload_bytes").asLong(-1) + " bytes)");
      }
      return new ModelArtifact(parseHeader(header), payload);
    } catch (InvalidInputException e) {
      throw new ModelLoadException("model " + source + " has an invalid header: " + e.getMessage(), e);
    }
  }

  /**
   * The bytes of the root object's {@code header} value exactly as they stand in {@code document}, from its opening
   * to its closing brace. A document with more than one top-level {@code header} is refused: the parsed tree keeps
   * the last one, so a digest of another would vouch for what is not read.
   */
  byte[] headerBytesAsWritten(byte[] document, String source) {
    int start = -1;
    int end = -1;
    try (JsonParser p = factory.createParser(document)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new ModelLoadException("model " + source + " is not a JSON object");
      }
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        boolean header = p.currentName().equals("header");
        JsonToken value = p.nextToken();
        if (header) {
          if (start >= 0) {
            throw new ModelLoadException("model " + source + " has more than one header");
          }
          if (value != JsonToken.START_OBJECT) {
            throw new InvalidInputException("header", value.asString(), "an object");
          }
          start = (int) p.currentTokenLocation().getByteOffset();
          p.skipChildren();
          end = (int) p.currentTokenLocation().getByteOffset() + 1;
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new ModelLoadException("model " + source + " is not a tuner model artifact (invalid JSON: "
          + JsonErrors.describe(e) + ")", e);
    }
    if (start < 0) {
      throw new InvalidInputException("header", "missing", "an object");
    }
    return Arrays.copyOfRange(document, start, end);
  }

  /**
   * A parsed artifact. When {@code payloadStart} is not negative, the payload's base64 text is still in the input
   * bytes, from {@code payloadStart} to {@code payloadEnd} (exclusive), and {@code root} lacks the payload field;
   * otherwise {@code root} is the whole document.
   */
  private record Document(JsonNode root, int payloadStart, int payloadEnd) {}

  /** The base64 text {@code bytes[start, end)} decoded in place, as {@link Base64.Decoder#decode(byte[])} would. */
  private static byte[] decodeBase64(byte[] bytes, int start, int end) {
    ByteBuffer decoded = Base64.getDecoder().decode(ByteBuffer.wrap(bytes, start, end - start));
    byte[] array = decoded.array();
    return decoded.arrayOffset() == 0 && decoded.remaining() == array.length
        ? array
        : Arrays.copyOfRange(array, decoded.arrayOffset() + decoded.position(),
            decoded.arrayOffset() + decoded.limit());
  }

  /**
   * The document as {@link ObjectMapper#readTree} reads it. The payload is most of an artifact (a 3.4 MB string
   * in the embedded model), and building it as a Java string costs several passes over it, so when the payload
   * is the last field and its text is plain ASCII without escapes (as {@link #encode} writes it), the fields before
   * it are read as a tree (by {@link #tree}, node for node what {@code readTree} builds) and the payload is left
   * where it is. Anything else, including every malformed document, goes through {@code readTree} alone, so results
   * and error messages are those of the plain parse.
   */
  private Document parse(byte[] bytes) throws IOException {
    try {
      Document d = parseWithPayloadInPlace(bytes);
      if (d != null) {
        return d;
      }
    } catch (IOException | RuntimeException e) {
      // the plain parse below reports it
    }
    return new Document(mapper().readTree(bytes), -1, -1);
  }

  private Document parseWithPayloadInPlace(byte[] bytes) throws IOException {
    try (JsonParser p = factory.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        if (p.nextToken() == JsonToken.VALUE_STRING && name.equals("payload")) {
          long quote = p.currentTokenLocation().getByteOffset();
          int end = closingPlainStringEnd(bytes, quote);
          if (end >= 0) {
            root.remove("payload");
            return new Document(root, (int) quote + 1, end);
          }
        }
        root.set(name, tree(p));
      }
      return null;
    }
  }

  /**
   * The value at the parser's current token as a tree, built as {@link ObjectMapper#readTree(JsonParser)} builds it
   * with a default configuration: integers as int, long or big-integer nodes by size, other numbers as double nodes,
   * and a repeated field name keeping its first position with its last value. The parser's constraints bound the
   * nesting depth, hence the recursion.
   */
  static JsonNode tree(JsonParser p) throws IOException {
    JsonNodeFactory f = JsonNodeFactory.instance;
    JsonToken t = p.currentToken();
    if (t == null) {
      throw new IOException("no value at " + p.currentLocation());
    }
    switch (t) {
      case START_OBJECT: {
        ObjectNode o = f.objectNode();
        for (JsonToken next = p.nextToken(); next == JsonToken.FIELD_NAME; next = p.nextToken()) {
          String name = p.currentName();
          p.nextToken();
          o.set(name, tree(p));
        }
        return o;
      }
      case START_ARRAY: {
        ArrayNode a = f.arrayNode();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          a.add(tree(p));
        }
        return a;
      }
      case VALUE_STRING:
        return f.textNode(p.getText());
      case VALUE_NUMBER_INT:
        switch (p.getNumberType()) {
          case INT:
            return f.numberNode(p.getIntValue());
          case LONG:
            return f.numberNode(p.getLongValue());
          default:
            return f.numberNode(p.getBigIntegerValue());
        }
      case VALUE_NUMBER_FLOAT:
        switch (p.getNumberTypeFP()) {
          case BIG_DECIMAL:
            // never from a JSON parser, which cannot tell; a tree from one is left to readTree
            throw new IOException("big-decimal number at " + p.currentLocation());
          case FLOAT32:
            return f.numberNode(p.getFloatValue());
          default:
            return f.numberNode(p.getDoubleValue());
        }
      case VALUE_TRUE:
        return f.booleanNode(true);
      case VALUE_FALSE:
        return f.booleanNode(false);
      case VALUE_NULL:
        return f.nullNode();
      default:
        throw new IOException("unexpected " + t + " at " + p.currentLocation());
    }
  }

  /**
   * The characters of the JSON string whose opening quote is at {@code bytes[quote]}, as ISO-8859-1 bytes, when they
   * are printable ASCII without escapes (so each byte is one character) and only whitespace, the closing brace of
   * the root object and whitespace follow it; null otherwise.
   */
  static byte[] closingPlainString(byte[] bytes, long quote) {
    int end = closingPlainStringEnd(bytes, quote);
    return end < 0 ? null : Arrays.copyOfRange(bytes, (int) quote + 1, end);
  }

  /** Where the string of {@link #closingPlainString} ends (the index of its closing quote), or -1. */
  private static int closingPlainStringEnd(byte[] bytes, long quote) {
    if (quote < 0 || quote >= bytes.length || bytes[(int) quote] != '"') {
      return -1;
    }
    int start = (int) quote + 1;
    int i = start;
    while (i < bytes.length && bytes[i] != '"') {
      // control characters, escapes and (as negative bytes) anything beyond ASCII
      if (bytes[i] < 0x20 || bytes[i] == '\\') {
        return -1;
      }
      i++;
    }
    if (i == bytes.length) {
      return -1;
    }
    int end = i;
    i = skipWhitespace(bytes, i + 1);
    if (i == bytes.length || bytes[i] != '}') {
      return -1;
    }
    return skipWhitespace(bytes, i + 1) == bytes.length ? end : -1;
  }

  private static int skipWhitespace(byte[] bytes, int i) {
    while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\n' || bytes[i] == '\r' || bytes[i] == '\t')) {
      i++;
    }
    return i;
  }

  private ArtifactHeader parseHeader(JsonNode n) {
    int featureCount = n.path("feature_count").asInt(-1);
    InvalidInputException.requireInRange("feature_count", featureCount, 1, 4096, "features");
    JsonNode schema = object(n, "schema");
    JsonNode data = object(n, "training_data");
    JsonNode cal = object(n, "calibration");
    Calibration.Method method;
    try {
      method = Calibration.Method.valueOf(text(cal, "method").toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("calibration.method", text(cal, "method"),
          "absolute_residual, spread_normalised or none");
    }
    float[] min = floatArray(cal, "feature_min", featureCount);
    float[] max = floatArray(cal, "feature_max", featureCount);
    // device scores arrived with the group-aware calibration, so older artifacts' top level may lack them; the split
    // by device architecture arrived later still, so older artifacts have neither part
    Calibration calibration = new Calibration(method, stratum(cal, cal.has("decode_device_scores")), min, max,
        cal.has("training_architectures") ? stringList(cal, "training_architectures") : List.of(),
        cal.has("new_architecture") ? stratum(object(cal, "new_architecture"), true) : Calibration.Stratum.EMPTY,
        // the offset arrived later still: scores of older artifacts were divided by the spread alone
        cal.has("spread_offset") ? spreadOffset(object(cal, "spread_offset")) : Calibration.SpreadOffset.NONE);
    return new ArtifactHeader(
        n.path("format_version").asInt(-1),
        text(n, "api_version"),
        text(n, "model_id"),
        text(n, "provider"),
        text(n, "provider_version"),
        new SchemaRef(text(schema, "id"), text(schema, "hash")),
        OutputKind.fromId(text(n, "output_kind")),
        featureCount,
        stringMap(n, "hyper_parameters"),
        n.path("seed").asLong(),
        new ArtifactHeader.TrainingData(stringList(data, "files"), text(data, "sha256"),
            data.path("rows").asInt(-1), stringList(data, "filters")),
        n.get("cross_validation"),
        calibration,
        stringMap(n, "environment"),
        text(n, "created"),
        stringMap(n, "properties"));
  }

  /**
   * Compact JSON of the node, the exact bytes the header digest covers: those of
   * {@code ObjectMapper.writeValueAsBytes(node)} with a default configuration. A tree of plain JSON values (all that
   * reading a document or {@link #headerNode} builds) is written with the streaming generator directly, as each
   * node's own {@code serialize} writes it; anything else goes through the object mapper.
   */
  byte[] canonical(JsonNode node) {
    try {
      if (plain(node)) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
          write(g, node);
        }
        return out.toByteArray();
      }
      return mapper().writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Whether the tree holds only objects, arrays and the value nodes whose serialization {@link #write} repeats. */
  private static boolean plain(JsonNode node) {
    if (node instanceof ObjectNode || node instanceof ArrayNode) {
      for (JsonNode child : node) {
        if (!plain(child)) {
          return false;
        }
      }
      return true;
    }
    return node instanceof TextNode || node instanceof BooleanNode || node instanceof NullNode
        || node instanceof IntNode || node instanceof LongNode || node instanceof ShortNode
        || node instanceof BigIntegerNode || node instanceof DoubleNode || node instanceof FloatNode;
  }

  private static void write(JsonGenerator g, JsonNode node) throws IOException {
    if (node instanceof ObjectNode o) {
      g.writeStartObject(o, o.size());
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        var e = it.next();
        g.writeFieldName(e.getKey());
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else if (node instanceof ArrayNode a) {
      g.writeStartArray(a, a.size());
      for (JsonNode child : a) {
        write(g, child);
      }
      g.writeEndArray();
    } else if (node instanceof NullNode) {
      // what the mapper's default null serializer writes
      g.writeNull();
    } else {
      // text, boolean and number nodes write themselves without the serializer provider
      node.serialize(g, null);
    }
  }

  /**
   * The SHA-256 that a {@value #FORMAT_VERSION_CANONICAL_HEADER}-layout artifact records for this header: a digest
   * of the header's {@link #canonical} bytes. Only tests that make artifacts of the first layout need it.
   */
  public String canonicalHeaderSha256(JsonNode header) {
    return sha256(canonical(header));
  }

  /** Lower-case hex SHA-256 of {@code bytes}, as the {@code integrity} block records it. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode object(JsonNode parent, String field) {
    JsonNode n = parent.get(field);
    if (n == null || !n.isObject()) {
      throw new InvalidInputException(field, n == null ? "missing" : n.getNodeType().toString(), "an object");
    }
    return n;
  }

  private static String text(JsonNode parent, String field) {
    JsonNode n = parent.get(field);
    if (n == null || !n.isTextual()) {
      throw new InvalidInputException(field, n == null ? "missing" : n.toString(), "a string");
    }
    return n.asText();
  }

  private static Map<String, String> stringMap(JsonNode parent, String field) {
    JsonNode n = object(parent, field);
    Map<String, String> out = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      var e = it.next();
      if (!e.getValue().isValueNode()) {
        throw new InvalidInputException(field + "." + e.getKey(), e.getValue().getNodeType().toString(), "a value");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  /** The scores {@code n} holds, its device scores read when {@code devices} (as {@code ArtifactWriter} writes). */
  private static Calibration.Stratum stratum(JsonNode n, boolean devices) {
    return new Calibration.Stratum(doubleArray(n, "decode_scores"), doubleArray(n, "prefill_scores"),
        devices ? doubleArray(n, "decode_device_scores") : new double[0],
        devices ? doubleArray(n, "prefill_device_scores") : new double[0]);
  }

  private static Calibration.SpreadOffset spreadOffset(JsonNode n) {
    return new Calibration.SpreadOffset(number(n, "decode", "calibration.spread_offset.decode"),
        number(n, "prefill", "calibration.spread_offset.prefill"));
  }

  private static double number(JsonNode parent, String field, String path) {
    JsonNode v = parent.get(field);
    if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) {
      throw new InvalidInputException(path, v == null ? "missing" : v.toString(), "a finite number");
    }
    return v.asDouble();
  }

  private static List<String> stringList(JsonNode parent, String field) {
    JsonNode n = parent.get(field);
    if (n == null || !n.isArray()) {
      throw new InvalidInputException(field, n == null ? "missing" : n.getNodeType().toString(), "an array");
    }
    List<String> out = new ArrayList<>();
    n.forEach(v -> out.add(v.asText()));
    return out;
  }

  private static double[] doubleArray(JsonNode parent, String field) {
    JsonNode n = parent.get(field);
    if (n == null || !n.isArray()) {
      throw new InvalidInputException(field, n == null ? "missing" : n.getNodeType().toString(), "an array");
    }
    double[] out = new double[n.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = n.get(i);
      if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
        throw new InvalidInputException(field + "[" + i + "]", v.toString(), "a finite number");
      }
      out[i] = v.asDouble();
    }
    return out;
  }

  private static float[] floatArray(JsonNode parent, String field, int expected) {
    double[] d = doubleArray(parent, field);
    if (d.length != expected) {
      throw new InvalidInputException(field, d.length + " values", expected + " values (the feature count)");
    }
    float[] out = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = (float) d[i];
      // a finite double beyond the float range would become an infinite bound: a training range without an end
      if (!Float.isFinite(out[i])) {
        throw new InvalidInputException(field + "[" + i + "]", d[i], "a finite number within the float range (±"
            + Float.MAX_VALUE + ")");
      }
    }
    return out;
  }


  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
