package dev.tuner.core.config;

import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.artifact.ModelArtifact;
import dev.tuner.core.plugin.ProviderRegistry;
import dev.tuner.core.predict.LoadedModel;
import dev.tuner.core.predict.ModelLoader;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The embedded default model ({@link TunerConfig#DEFAULT_MODEL_RESOURCE}), read, parsed, checked for integrity and
 * loaded by its provider on a background thread. A command line starts it first thing, so that this work (a few
 * hundred milliseconds for the 3.4 MB artifact) overlaps its own start-up (option parsing, configuration, the
 * injector, the catalog) on another core instead of following it. {@link TunerModule} then uses the result where it
 * would have read the resource itself. One prefetch serves one module.
 */
public final class DefaultModelPrefetch {
  /** The artifact, empty without the resource; and the model, empty when loading it failed (the module retries). */
  private record Outcome(Optional<ModelArtifact> artifact, Optional<LoadedModel> model) {}

  private final CompletableFuture<Outcome> outcome;

  private DefaultModelPrefetch(CompletableFuture<Outcome> outcome) {
    this.outcome = outcome;
  }

  /** Starts reading on a new daemon thread, which ends when the model is loaded. */
  public static DefaultModelPrefetch start() {
    CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    Thread reader = new Thread(new Reader(outcome), "tuner-default-model");
    reader.setDaemon(true);
    reader.start();
    return new DefaultModelPrefetch(outcome);
  }

  /**
   * The reading thread's work. A named class, not a lambda: a command's first lambda bootstraps method handles for
   * some milliseconds, which the thread would otherwise wait for before it starts.
   */
  private static final class Reader implements Runnable {
    private final CompletableFuture<Outcome> outcome;

    Reader(CompletableFuture<Outcome> outcome) {
      this.outcome = outcome;
    }

    @Override
    public void run() {
      try {
        outcome.complete(read());
      } catch (RuntimeException | Error e) {
        outcome.completeExceptionally(e);
      }
    }
  }

  /**
   * What {@link TunerModule} does without a prefetch: the same resource through the same codec settings, loaded
   * by the providers on the same class path. A failure to load is left for the module to meet again, so that it
   * is reported where it always was.
   */
  private static Outcome read() {
    ClassLoader loader = DefaultModelPrefetch.class.getClassLoader();
    InputStream in = loader.getResourceAsStream(TunerConfig.DEFAULT_MODEL_RESOURCE);
    if (in == null) {
      return new Outcome(Optional.empty(), Optional.empty());
    }
    ModelArtifact artifact = new ArtifactCodec().read(in, TunerModule.DEFAULT_MODEL_SOURCE);
    Optional<LoadedModel> model;
    try {
      model = Optional.of(new ModelLoader(ProviderRegistry.discover(loader), new ArtifactCodec())
          .fromArtifact(artifact, TunerModule.DEFAULT_MODEL_SOURCE));
    } catch (RuntimeException e) {
      model = Optional.empty();
    }
    return new Outcome(Optional.of(artifact), model);
  }

  /**
   * Waits for the artifact: empty when the resource is not on the class path; throws what reading it threw (a
   * {@link dev.tuner.api.ModelLoadException} for a damaged artifact), as reading it on this thread would.
   */
  Optional<ModelArtifact> artifact() {
    return await().artifact();
  }

  /** The loaded model, when the artifact was read and its provider loaded it. */
  Optional<LoadedModel> model() {
    return await().model();
  }

  /** Closes the loaded model when the configuration chose another one, so nothing native stays open. */
  void discard() {
    outcome.thenAccept(o -> o.model().ifPresent(m -> m.model().close()));
  }

  private Outcome await() {
    try {
      return outcome.join();
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
