package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The ./tuner launcher shows the first build's progress instead of building in silence. */
class LauncherScriptTest {
  private static final Path SCRIPT = Path.of("..", "tuner");

  @Test
  void theFirstBuildShowsOneLinePerModule() throws Exception {
    assumeTrue(Files.isRegularFile(SCRIPT), "run from the tuner-cli module of a checkout");
    String script = Files.readString(SCRIPT);
    assertThat(script).contains("| progress;").doesNotContain("mvn -B -q");
    String function = script.substring(script.indexOf("progress() {"), script.indexOf("\n}\n",
        script.indexOf("progress() {")) + 2);
    Process p = new ProcessBuilder("bash", "-c", function + "\nprogress").redirectErrorStream(true).start();
    p.getOutputStream().write(("[INFO] Scanning for projects...\n"
        + "[INFO] Building tuner-api 0.1.0-SNAPSHOT                                   [1/6]\n"
        + "[INFO] --- compiler:3.14.1:compile (default-compile) @ tuner-api ---\n"
        + "[INFO] Building tuner-core 0.1.0-SNAPSHOT                                  [2/6]\n")
        .getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String shown = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isZero();
    assertThat(shown).isEqualTo("tuner:   [1/6] tuner-api\ntuner:   [2/6] tuner-core\n");
  }
}
