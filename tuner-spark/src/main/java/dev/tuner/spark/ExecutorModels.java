package dev.tuner.spark;

import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.plugin.ProviderRegistry;
import dev.tuner.core.predict.LoadedModel;
import dev.tuner.core.predict.ModelLoader;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.roofline.Roofline;
import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The predictors of one JVM (a Spark executor, or the driver in local mode), one per artifact hash and interval
 * level, each built on first use from the broadcast artifact bytes.
 *
 * <p>This is the one piece of static mutable state in the module, and deliberately so: Spark runs every task of
 * a stage in the same executor JVM but gives each its own deserialised copy of the task's function, so a
 * predictor held by the function would be rebuilt per task (parsing the artifact, checking its digests and
 * unpacking the forest, tens of milliseconds), and the broadcast variable only caches the bytes. Keyed by the
 * SHA-256 of those bytes, an entry can never be stale; the values are immutable, thread-safe predictors shared by
 * the executor's task threads; at most {@value #CAPACITY} are kept (least recently used leaves first), so a
 * long-lived executor that scores with many models does not accumulate them.
 */
final class ExecutorModels {
  static final int CAPACITY = 4;

  /** What a task needs to score: the catalog that resolves names and the predictor. */
  record Scoring(Catalog catalog, Predictor predictor) {}

  private static final Map<String, Scoring> CACHE = new LinkedHashMap<>(8, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Scoring> eldest) {
      return size() > CAPACITY;
    }
  };

  private ExecutorModels() {}

  /**
   * The predictor for the artifact whose SHA-256 is {@code sha256}; {@code bytes} is read only the first time,
   * so the broadcast value is fetched only by the first task of each executor.
   */
  static Scoring get(String sha256, double intervalLevel, Supplier<byte[]> bytes) {
    String key = sha256 + "@" + intervalLevel;
    synchronized (CACHE) {
      Scoring s = CACHE.get(key);
      if (s == null) {
        s = load(bytes.get(), sha256, intervalLevel);
        CACHE.put(key, s);
      }
      return s;
    }
  }

  /** Opens the artifact as the command line does: its provider found on the class path, then checked and loaded. */
  static Scoring load(byte[] artifact, String sha256, double intervalLevel) {
    Catalog catalog = Catalog.shipped();
    ModelLoader loader = new ModelLoader(ProviderRegistry.discover(ExecutorModels.class.getClassLoader()),
        new ArtifactCodec());
    LoadedModel model = loader.open(new ByteArrayInputStream(artifact), "model " + sha256.substring(0, 12));
    return new Scoring(catalog, new Predictor(model, new Roofline(catalog), intervalLevel, false));
  }
}
