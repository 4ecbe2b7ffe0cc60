package dev.tuner.example.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Embedding the library" section, taken from the file itself: its Java classes compile against this
 * product's class path and run, and its Maven coordinates are the ones this project depends on.
 */
class ReadmeSnippetTest {
  private static final Path README = Path.of("..", "..", "README.md");

  private static String section() throws IOException {
    String readme = Files.readString(README);
    int start = readme.indexOf("## Embedding the library");
    assertThat(start).as("the README has the section").isNotNegative();
    int end = readme.indexOf("\n## ", start + 1);
    return readme.substring(start, end < 0 ? readme.length() : end);
  }

  private static List<String> blocks(String text, String language) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void bothWiringSnippetsCompileAndPredict(@TempDir Path dir) throws Exception {
    List<String> sources = blocks(section(), "java");
    assertThat(sources).as("the Guice and the direct wiring").hasSize(2);
    List<String> files = new ArrayList<>();
    List<String> classes = new ArrayList<>();
    for (String source : sources) {
      Matcher name = Pattern.compile("public final class (\\w+)").matcher(source);
      assertThat(name.find()).as(source).isTrue();
      classes.add(name.group(1));
      files.add(Files.writeString(dir.resolve(name.group(1) + ".java"), source).toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> args = new ArrayList<>(List.of("-classpath", System.getProperty("java.class.path"), "-d",
        dir.toString(), "-Xlint:all"));
    args.addAll(files);
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    assertThat(javac.run(null, null, errors, args.toArray(String[]::new))).as(errors.toString()).isZero();

    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      for (String c : classes) {
        assertThat(run(loader.loadClass(c).getMethod("main", String[].class))).as(c).contains("tokens/s");
      }
    }
  }

  /** What {@code main} prints. */
  private static String run(Method main) throws Exception {
    PrintStream console = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      main.invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(console);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theMavenCoordinatesAreThisProjectsDependencies() throws IOException {
    List<String> xml = blocks(section(), "xml");
    assertThat(xml).hasSize(1);
    String pom = Files.readString(Path.of("pom.xml"));
    String dependencies = pom.substring(pom.indexOf("<dependencies>"), pom.indexOf("</dependencies>"));
    Pattern tuner = Pattern.compile("<groupId>dev\\.tuner</groupId><artifactId>([^<]+)</artifactId>");
    assertThat(all(tuner, xml.get(0))).containsExactlyElementsOf(all(tuner, dependencies));
    String parent = Files.readString(Path.of("..", "..", "pom.xml"));
    Matcher version = Pattern.compile("<version>([^<]+)</version>").matcher(parent);
    assertThat(version.find()).isTrue();
    assertThat(xml.get(0)).contains("<artifactId>tuner-bom</artifactId>", "<version>" + version.group(1) + "</version>",
        "<scope>import</scope>");
  }

  private static List<String> all(Pattern p, String text) {
    List<String> out = new ArrayList<>();
    Matcher m = p.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
