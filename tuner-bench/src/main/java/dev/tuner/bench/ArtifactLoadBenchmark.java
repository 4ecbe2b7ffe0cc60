package dev.tuner.bench;

import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.artifact.ModelArtifact;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.predict.LoadedModel;
import dev.tuner.core.predict.ModelLoader;
import dev.tuner.core.plugin.ProviderRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Loading the embedded default model (a 3.4 MB artifact): {@code readVerifyLoad} is what start-up does — read the
 * class-path resource, parse the JSON, check both SHA-256 digests and the schema, decode the forest payload;
 * {@code decode} is the codec alone on bytes already in memory; {@code providerLoad} the schema check and the
 * forest provider on an already decoded artifact. Warm JIT: see the cold-start script for a fresh process.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ArtifactLoadBenchmark {
  private ModelLoader loader;
  private ArtifactCodec codec;
  private byte[] bytes;
  private ModelArtifact artifact;

  @Setup
  public void setUp() {
    codec = new ArtifactCodec();
    loader = new ModelLoader(ProviderRegistry.discover(getClass().getClassLoader()), codec);
    try (InputStream in = BenchModels.resource(TunerConfig.DEFAULT_MODEL_RESOURCE)) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    artifact = codec.decode(bytes, "embedded default model");
  }

  @Benchmark
  public LoadedModel readVerifyLoad() {
    return loader.open(BenchModels.resource(TunerConfig.DEFAULT_MODEL_RESOURCE), "embedded default model");
  }

  @Benchmark
  public ModelArtifact decode() {
    return codec.decode(bytes, "embedded default model");
  }

  @Benchmark
  public LoadedModel providerLoad() {
    return loader.fromArtifact(artifact, "embedded default model");
  }
}
