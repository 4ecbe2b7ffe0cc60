package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginsCommandTest {

  @Test
  void listsProvidersAndEveryOneThatFailedWithItsCode() {
    Cli.Result r = Cli.run("plugins");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Providers", "plugin API " + dev.tuner.api.TunerApi.VERSION, "test-constant", "1.2.3", "half the roofline",
        "Failed to load", "test-future", "INCOMPATIBLE_API", "requires tuner API 9.0", "MISSING_CLASS",
        "TestProviders$Missing");
  }

  @Test
  void json() {
    JsonNode j = Cli.run("plugins", "--format", "json").json();
    assertThat(j.get("host_api_version").asText()).isEqualTo(dev.tuner.api.TunerApi.VERSION);
    assertThat(j.get("providers")).anySatisfy(p -> {
      assertThat(p.get("id").asText()).isEqualTo("test-constant");
      assertThat(p.get("version").asText()).isEqualTo("1.2.3");
      assertThat(p.get("api_version").asText()).as("an older plugin runs on a newer host").isEqualTo("1.0");
      assertThat(p.get("description").asText()).isEqualTo("half the roofline, for tests");
    });
    assertThat(j.get("problems")).anySatisfy(p -> {
      assertThat(p.get("code").asText()).isEqualTo("INCOMPATIBLE_API");
      assertThat(p.get("provider").asText()).isEqualTo("test-future");
      assertThat(p.get("message").asText()).contains("9.0");
      // where the class came from, so that a bad plugin can be found among many jars
      assertThat(p.get("message").asText()).contains("FromTheFuture in test-classes)");
    });
  }

  @Test
  void aPluginDirectoryThatIsNotOneIsAUsageError(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    Cli.Result r = Cli.run("plugins", "--plugin-dir", file.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("plugin directory", "not-a-dir");
  }

  @Test
  void aJunkJarAndAJarWithoutAProviderAreListedWithWhy(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("junk.jar"), "this is no zip file");
    try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(dir.resolve("empty.jar")))) {
      jar.putNextEntry(new java.util.jar.JarEntry("README.txt"));
      jar.write("nothing here".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      jar.closeEntry();
    }
    Cli.Result r = Cli.run("plugins", "--plugin-dir", dir.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("junk.jar", "UNREADABLE_JAR", "not a jar (zip) file", "empty.jar", "NO_PROVIDER",
        "declares no provider");
    JsonNode j = Cli.run("plugins", "--plugin-dir", dir.toString(), "--format", "json").json();
    assertThat(j.get("problems")).anySatisfy(p -> {
      assertThat(p.get("provider").asText()).isEqualTo("junk.jar");
      assertThat(p.get("code").asText()).isEqualTo("UNREADABLE_JAR");
    });
  }
}
