package dev.tuner.core.fuzz;

import dev.tuner.api.ModelProvider;
import dev.tuner.core.plugin.ProviderRegistry;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The real forest provider, installed the way a user installs a plugin: tuner-forest's compiled classes packed into a
 * jar in a plugin directory. It cannot simply be a test dependency: ServiceLoader would then find it in every test of
 * this module, and ProviderRegistryTest checks the exact set of providers on the class path. The pom depends on
 * tuner-forest with type pom, which builds it first and puts Smile (which its trainer needs) on the class path.
 */
public final class ForestPlugin {
  public static final String ID = "forest";

  private ForestPlugin() {}

  /** Packed once per JVM: every test and every fuzzing run shares the directory. */
  private static final class Holder {
    static final Path DIRECTORY = pack();
  }

  /** A directory holding {@code tuner-forest.jar}, removed when the JVM exits. */
  public static Path directory() {
    return Holder.DIRECTORY;
  }

  /** The providers on the test class path plus the forest plugin. */
  public static ProviderRegistry registry() {
    return ProviderRegistry.discover(ForestPlugin.class.getClassLoader(), Optional.of(directory()));
  }

  public static ModelProvider provider() {
    return registry().require(ID);
  }

  private static Path pack() {
    // surefire runs in the module's base directory
    Path classes = Path.of("").toAbsolutePath().resolve("../tuner-forest/target/classes").normalize();
    if (!Files.isRegularFile(classes.resolve("dev/tuner/forest/ForestProvider.class"))) {
      throw new IllegalStateException("tuner-forest is not compiled at " + classes
          + "; build it first (mvn -pl tuner-api,tuner-forest,tuner-core ... builds it before tuner-core)");
    }
    try {
      Path dir = Files.createTempDirectory("tuner-forest-plugin");
      Path jarFile = dir.resolve("tuner-forest.jar");
      // deleteOnExit runs in reverse order of registration: the jar first, then its directory
      dir.toFile().deleteOnExit();
      jarFile.toFile().deleteOnExit();
      Manifest manifest = new Manifest();
      manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
      try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(jarFile), manifest);
          Stream<Path> files = Files.walk(classes)) {
        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
          jar.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
          Files.copy(f, jar);
          jar.closeEntry();
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
