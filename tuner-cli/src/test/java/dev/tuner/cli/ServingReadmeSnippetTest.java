package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.serving.ServingPrediction;
import dev.tuner.serving.ServingRecommender;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tuner-serving's README API example, taken from the file: with its imports it compiles against the modules a serving
 * product embeds, runs, and predicts what `tuner predict` predicts for the same deployment.
 */
class ServingReadmeSnippetTest {
  private static final Path README = Path.of("..", "tuner-serving", "README.md");

  @Test
  void theApiExampleCompilesRunsAndAgreesWithTheCommandLine(@TempDir Path dir) throws Exception {
    String readme = Files.readString(README);
    Matcher block = Pattern.compile("## API\\s+```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(block.find()).as("the README's API example").isTrue();
    List<String> imports = new ArrayList<>();
    StringBuilder body = new StringBuilder();
    for (String line : block.group(1).split("\n")) {
      if (line.startsWith("import ")) {
        imports.add(line);
      } else {
        body.append("    ").append(line).append('\n');
      }
    }
    // the statements as written, in a supplier that hands back the prediction and the recommendation's best
    String source = String.join("\n", imports) + "\n\npublic final class Snippet implements java.util.function"
        + ".Supplier<Object[]> {\n  public Object[] get() {\n" + body
        + "    return new Object[] {p, r.best().orElseThrow()};\n  }\n}\n";
    Path file = Files.writeString(dir.resolve("Snippet.java"), source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int code = javac.run(null, null, errors, "-classpath", System.getProperty("java.class.path"), "-d",
        dir.toString(), file.toString());
    assertThat(code).as(errors + "\n" + source).isZero();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      @SuppressWarnings("unchecked")
      Supplier<Object[]> snippet = (Supplier<Object[]>) loader.loadClass("Snippet").getDeclaredConstructor()
          .newInstance();
      Object[] got = snippet.get();
      ServingPrediction p = (ServingPrediction) got[0];
      double cli = Cli.run("predict", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB", "--quant", "FP8",
          "--kv-cache-type", "fp8", "--engine", "vllm", "--engine-version", "0.8.4", "--isl", "1000", "--osl", "200",
          "--concurrency", "20", "--format", "json").json().get("output_tokens_per_s").asDouble();
      assertThat(p.outputTokensPerS()).isEqualTo(cli);
      assertThat(got[1]).isInstanceOf(ServingRecommender.Candidate.class);
    }
  }
}
