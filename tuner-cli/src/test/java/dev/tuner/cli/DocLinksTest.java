package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No link in the documentation points outside the repository. The rule: a web address (http or https) may appear
 * only in data/SOURCES*.md, where it cites where a shipped figure comes from; every other link is a relative path to
 * a file or directory that exists inside the repository.
 */
class DocLinksTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\)");
  private static final Pattern WEB = Pattern.compile("(?i)\\bhttps?://[^\\s)>\\]]+");

  private static List<Path> markdownFiles() throws IOException {
    try (Stream<Path> all = Files.walk(ROOT)) {
      return all.filter(p -> p.toString().endsWith(".md"))
          .filter(p -> {
            for (Path part : ROOT.relativize(p)) {
              String s = part.toString();
              if (s.equals("target") || s.equals(".git") || s.equals("node_modules")) {
                return false;
              }
            }
            return true;
          }).toList();
    }
  }

  private static boolean citesSources(Path file) {
    Path rel = ROOT.relativize(file);
    return rel.getNameCount() == 2 && rel.getName(0).toString().equals("data")
        && rel.getFileName().toString().startsWith("SOURCES");
  }

  @Test
  void everyLinkStaysInsideTheRepository() throws IOException {
    assumeTrue(Files.isRegularFile(ROOT.resolve("README.md")), "run from a module of a checkout");
    List<String> outside = new ArrayList<>();
    for (Path md : markdownFiles()) {
      String text = Files.readString(md);
      String where = ROOT.relativize(md).toString();
      if (!citesSources(md)) {
        Matcher web = WEB.matcher(text);
        while (web.find()) {
          outside.add(where + ": web address " + web.group());
        }
      }
      Matcher link = MARKDOWN_LINK.matcher(text);
      while (link.find()) {
        String target = link.group(1);
        if (target.matches("(?i)(https?|mailto):.*") || target.startsWith("#")) {
          continue;
        }
        String file = target.replaceFirst("#.*$", "");
        Path resolved = md.getParent().resolve(file).normalize();
        if (file.startsWith("/") || !resolved.startsWith(ROOT) || !Files.exists(resolved)) {
          outside.add(where + ": link " + target + " does not name a path inside the repository");
        }
      }
    }
    assertThat(outside).isEmpty();
  }

  @Test
  void theRuleCatchesAWebLinkOutsideTheSourcesFile() {
    assertThat(WEB.matcher("see [x](https://example.org/y) now").find()).isTrue();
    assertThat(citesSources(ROOT.resolve("data/SOURCES.md"))).isTrue();
    assertThat(citesSources(ROOT.resolve("docs/SOURCES.md"))).isFalse();
    assertThat(citesSources(ROOT.resolve("README.md"))).isFalse();
  }
}
