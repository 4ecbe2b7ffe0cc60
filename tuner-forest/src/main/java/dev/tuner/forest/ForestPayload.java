package dev.tuner.forest;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.TrainingException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The forest's payload: a versioned binary layout written with {@link DataOutputStream} (big-endian):
 *
 * <pre>
 * magic            4 bytes  "TFOR"
 * format version   int      1
 * feature count    int      1..4096, then that many feature names (writeUTF)
 * hyper-parameters int      count, then that many (key, value) pairs (writeUTF)
 * properties       int      count, then that many (key, value) pairs (writeUTF)
 * tree count       int      1..10 000
 * node count       int      1..50 000 000
 * roots            int[tree count]
 * feature          int[node count]     -1 for a leaf
 * threshold        float[node count]
 * left, right      int[node count] each, -1 for a leaf
 * value            double[node count]
 * </pre>
 *
 * Reading trusts nothing: every count is bounded, and checked against the bytes that remain before anything is
 * allocated, the node structure must pass {@link FlatForest#defect()}, and any problem becomes a {@link
 * ModelLoadException} saying what is wrong.
 */
final class ForestPayload {
  static final byte[] MAGIC = {'T', 'F', 'O', 'R'};
  static final int FORMAT_VERSION = 1;
  static final int MAX_FEATURES = 4096;
  static final int MAX_ENTRIES = 1024;

  private ForestPayload() {}

  /** What a payload holds. */
  record Contents(
      List<String> featureNames,
      ForestHyperParameters hyperParameters,
      Map<String, String> properties,
      FlatForest forest) {
    Contents {
      featureNames = List.copyOf(featureNames);
      properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }
  }

  static byte[] write(Contents c) {
    FlatForest f = c.forest();
    var bytes = new ByteArrayOutputStream(64 + 24 * f.nodeCount());
    try (var out = new DataOutputStream(bytes)) {
      out.write(MAGIC);
      out.writeInt(FORMAT_VERSION);
      out.writeInt(c.featureNames().size());
      for (String name : c.featureNames()) {
        out.writeUTF(name);
      }
      writeMap(out, c.hyperParameters().asMap());
      writeMap(out, c.properties());
      out.writeInt(f.treeCount());
      out.writeInt(f.nodeCount());
      for (int r : f.roots) {
        out.writeInt(r);
      }
      for (int v : f.feature) {
        out.writeInt(v);
      }
      for (float v : f.threshold) {
        out.writeFloat(v);
      }
      for (int v : f.left) {
        out.writeInt(v);
      }
      for (int v : f.right) {
        out.writeInt(v);
      }
      for (double v : f.value) {
        out.writeDouble(v);
      }
    } catch (UTFDataFormatException e) {
      throw new TrainingException("a feature name or property is longer than the 65535 bytes a payload string holds", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void writeMap(DataOutputStream out, Map<String, String> map) throws IOException {
    out.writeInt(map.size());
    for (Map.Entry<String, String> e : map.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeUTF(e.getValue());
    }
  }

  /**
   * Decodes and validates a payload.
   *
   * @param expectedFeatures the feature count the model's declared info states
   * @throws ModelLoadException naming the first problem found
   */
  static Contents read(byte[] payload, int expectedFeatures) {
    var reader = new Reader(payload);
    try {
      return reader.contents(expectedFeatures);
    } catch (EOFException e) {
      throw new ModelLoadException(
          "forest payload is truncated: it ends after " + payload.length + " bytes while reading " + reader.field);
    } catch (UTFDataFormatException e) {
      throw new ModelLoadException("forest payload has malformed text in " + reader.field + ": " + e.getMessage());
    } catch (IOException e) {
      throw new ModelLoadException("forest payload cannot be read at " + reader.field + ": " + e.getMessage(), e);
    }
  }

  private static final class Reader {
    private final byte[] payload;
    private final ByteArrayInputStream bytes;
    private final DataInputStream in;
    private String field = "the magic bytes";

    Reader(byte[] payload) {
      this.payload = payload;
      bytes = new ByteArrayInputStream(payload);
      in = new DataInputStream(bytes);
    }

    Contents contents(int expectedFeatures) throws IOException {
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new ModelLoadException("not a forest payload: it does not start with the magic bytes \"TFOR\"");
      }
      field = "the format version";
      int version = in.readInt();
      if (version != FORMAT_VERSION) {
        throw new ModelLoadException(
            "forest payload format version " + version + " is not supported; this provider reads version "
                + FORMAT_VERSION);
      }
      int features = count("feature count", 1, MAX_FEATURES, 2);
      if (features != expectedFeatures) {
        throw new ModelLoadException(
            "forest payload has " + features + " features but the model info declares " + expectedFeatures);
      }
      List<String> names = new ArrayList<>(features);
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < features; i++) {
        field = "feature name " + i;
        String name = in.readUTF();
        if (!seen.add(name)) {
          throw new ModelLoadException("forest payload names feature \"" + name + "\" twice");
        }
        names.add(name);
      }
      Map<String, String> hyper = map("hyper-parameter");
      ForestHyperParameters parameters;
      try {
        parameters = ForestHyperParameters.parse(hyper);
      } catch (InvalidInputException e) {
        throw new ModelLoadException("forest payload has an invalid hyper-parameter: " + e.getMessage(), e);
      }
      Map<String, String> properties = map("property");
      int trees = count("tree count", 1, FlatForest.MAX_TREES, 4);
      if (trees != parameters.trees()) {
        throw new ModelLoadException(
            "forest payload holds " + trees + " trees but its hyper-parameters say trees = " + parameters.trees());
      }
      int nodes = count("node count", 1, FlatForest.MAX_NODES, 24);
      if ((long) trees * 4 + (long) nodes * 24 > bytes.available()) {
        throw new ModelLoadException(
            "forest payload is truncated: " + trees + " trees and " + nodes + " nodes need "
                + ((long) trees * 4 + (long) nodes * 24) + " more bytes but only " + bytes.available() + " remain");
      }
      field = "the roots";
      int[] roots = ints(trees);
      field = "the split features";
      int[] feature = ints(nodes);
      field = "the thresholds";
      float[] threshold = new float[nodes];
      bulk(nodes * 4).asFloatBuffer().get(threshold);
      field = "the left children";
      int[] left = ints(nodes);
      field = "the right children";
      int[] right = ints(nodes);
      field = "the node values";
      double[] value = new double[nodes];
      bulk(nodes * 8).asDoubleBuffer().get(value);
      if (bytes.available() > 0) {
        throw new ModelLoadException(
            "forest payload has " + bytes.available() + " unexpected bytes after the node values");
      }
      var forest = new FlatForest(features, roots, feature, threshold, left, right, value);
      Optional<String> defect = forest.defect();
      if (defect.isPresent()) {
        throw new ModelLoadException("forest payload is inconsistent: " + defect.get());
      }
      return new Contents(names, parameters, properties, forest);
    }

    /** Reads a count and checks it against its range and against the bytes left, before anything is allocated. */
    private int count(String what, int min, int max, int minBytesEach) throws IOException {
      field = "the " + what;
      int n = in.readInt();
      if (n < min || n > max) {
        throw new ModelLoadException("forest payload " + what + " is " + n + ", expected [" + min + ", " + max + "]");
      }
      if ((long) n * minBytesEach > bytes.available()) {
        throw new ModelLoadException(
            "forest payload " + what + " is " + n + " but only " + bytes.available()
                + " bytes remain, too few to hold them");
      }
      return n;
    }

    private Map<String, String> map(String what) throws IOException {
      int n = count(what + " count", 0, MAX_ENTRIES, 4);
      Map<String, String> map = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        field = what + " " + i;
        String key = in.readUTF();
        String value = in.readUTF();
        if (map.put(key, value) != null) {
          throw new ModelLoadException("forest payload repeats " + what + " \"" + key + "\"");
        }
      }
      return map;
    }

    private int[] ints(int n) throws IOException {
      int[] a = new int[n];
      bulk(n * 4).asIntBuffer().get(a);
      return a;
    }

    /**
     * The next {@code length} bytes as a big-endian buffer, consumed from the stream. Arrays are read in bulk
     * because element by element through {@link DataInputStream} costs most of the embedded model's load time.
     */
    private ByteBuffer bulk(int length) throws IOException {
      int position = payload.length - bytes.available();
      if (bytes.skip(length) != length) {
        throw new EOFException();
      }
      return ByteBuffer.wrap(payload, position, length).slice();
    }
  }
}
