package dev.tuner.core.config;

import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.artifact.ModelArtifact;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The embedded default model's artifact ({@link TunerConfig#DEFAULT_MODEL_RESOURCE}), read, parsed and checked for
 * integrity on a background thread. A command line starts it first thing, so that reading the 3.4 MB artifact
 * overlaps its own start-up (option parsing, configuration, the injector, the catalog) on another core instead of
 * following it. {@link TunerModule} then uses the result where it would have read the resource itself.
 */
public final class DefaultModelPrefetch {
  private final CompletableFuture<Optional<ModelArtifact>> artifact;

  private DefaultModelPrefetch(CompletableFuture<Optional<ModelArtifact>> artifact) {
    this.artifact = artifact;
  }

  /** Starts reading on a new daemon thread, which ends when the artifact is read. */
  public static DefaultModelPrefetch start() {
    CompletableFuture<Optional<ModelArtifact>> artifact = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try {
        artifact.complete(read());
      } catch (RuntimeException | Error e) {
        artifact.completeExceptionally(e);
      }
    }, "tuner-default-model");
    reader.setDaemon(true);
    reader.start();
    return new DefaultModelPrefetch(artifact);
  }

  /** What {@link TunerModule} reads without a prefetch: the same resource, through the same codec settings. */
  private static Optional<ModelArtifact> read() {
    InputStream in = DefaultModelPrefetch.class.getClassLoader().getResourceAsStream(
        TunerConfig.DEFAULT_MODEL_RESOURCE);
    return in == null ? Optional.empty() : Optional.of(new ArtifactCodec().read(in, TunerModule.DEFAULT_MODEL_SOURCE));
  }

  /**
   * Waits for the artifact: empty when the resource is not on the class path; throws what reading it threw (a
   * {@link dev.tuner.api.ModelLoadException} for a damaged artifact), as reading it on this thread would.
   */
  Optional<ModelArtifact> get() {
    try {
      return artifact.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error cause) {
        throw cause;
      }
      throw e;
    }
  }
}
