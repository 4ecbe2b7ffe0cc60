package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** tuner-bom aligns every published module: a module added to the build and forgotten in the BOM fails here. */
class BomTest {
  private static final Path ROOT = Path.of("..");

  private static List<String> all(Pattern p, String text) {
    List<String> out = new ArrayList<>();
    Matcher m = p.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static String artifactId(Path modulePom) throws IOException {
    String pom = Files.readString(modulePom);
    // the module's own artifactId is the first one after its parent block
    return all(Pattern.compile("<artifactId>([^<]+)</artifactId>"), pom.substring(pom.indexOf("</parent>"))).get(0);
  }

  @Test
  void theBomListsEveryPublishedModuleAtTheBuildsVersion() throws IOException {
    String parent = Files.readString(ROOT.resolve("pom.xml"));
    List<String> published = new ArrayList<>();
    for (String module : all(Pattern.compile("<module>([^<]+)</module>"), parent)) {
      // the BOM itself, the example projects and the benchmarks are not artifacts a product depends on
      if (!module.equals("tuner-bom") && !module.startsWith("examples/") && !module.equals("tuner-bench")) {
        published.add(artifactId(ROOT.resolve(module).resolve("pom.xml")));
      }
    }
    String bom = Files.readString(ROOT.resolve("tuner-bom/pom.xml"));
    assertThat(published).contains("tuner-core", "tuner-default-model", "tuner-train", "tuner-ingest");
    assertThat(all(Pattern.compile("<artifactId>(tuner-(?!bom)[^<]+)</artifactId>"), bom))
        .containsExactlyInAnyOrderElementsOf(published);
    String version = all(Pattern.compile("<version>([^<$]+)</version>"), parent).get(0);
    assertThat(all(Pattern.compile("<version>([^<$]+)</version>"), bom).get(0)).as("the BOM's own version")
        .isEqualTo(version);
  }
}
