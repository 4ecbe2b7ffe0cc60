package dev.tuner.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.TunerException;
import dev.tuner.core.io.FileChecks.Role;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileChecksTest {
  @TempDir
  Path dir;

  private static boolean mkfifo(Path p) throws Exception {
    try {
      return new ProcessBuilder("mkfifo", p.toString()).start().waitFor() == 0 && Files.exists(p);
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  void aFifoIsNeverReplacedEvenWithOverwrite() throws Exception {
    Path fifo = dir.resolve("pipe");
    assumeTrue(mkfifo(fifo), "mkfifo is available");
    assertThatThrownBy(() -> AtomicFiles.write(fifo, true, "x".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("a FIFO");
    assertThat(Files.isRegularFile(fifo)).isFalse();
    assertThat(Files.exists(fifo)).isTrue();
  }

  @Test
  void aLinkToADeviceIsRefusedAndTheDeviceKept() throws Exception {
    Path devNull = Path.of("/dev/null");
    assumeTrue(Files.exists(devNull));
    Path link = Files.createSymbolicLink(dir.resolve("plot.png"), devNull);
    assertThatThrownBy(() -> AtomicFiles.write(link, true, new byte[] {1, 2, 3}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("a character device");
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.isRegularFile(devNull)).isFalse();
  }

  @Test
  void aDirectoryIsRefusedAsOutput() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("out.json"));
    assertThatThrownBy(() -> FileChecks.requireWritable("--out", sub, true))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--out = " + sub).hasMessageContaining("a directory");
  }

  @Test
  void writingThroughALinkToARegularFileKeepsTheLink() throws Exception {
    Path real = Files.writeString(dir.resolve("real.csv"), "old");
    Path link = Files.createSymbolicLink(dir.resolve("link.csv"), real);
    AtomicFiles.write(link, true, "new".getBytes(StandardCharsets.UTF_8));
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readString(real)).isEqualTo("new");
  }

  @Test
  void anExistingFileNeedsOverwrite() throws Exception {
    Path f = Files.writeString(dir.resolve("a.json"), "{}");
    assertThatThrownBy(() -> FileChecks.requireWritable("--out", f, false))
        .isInstanceOf(TunerException.class)
        .hasMessageEndingWith("a.json (to replace it: overwrite true, --force in the CLI)");
    assertThatThrownBy(() -> AtomicFiles.write(f, false, new byte[0])).isInstanceOf(TunerException.class)
        .hasMessageEndingWith("a.json (to replace it: overwrite true, --force in the CLI)");
    FileChecks.requireWritable("--out", f, true);
  }

  @Test
  void anOutputInAReadOnlyDirectoryFailsBeforeAnyWork() throws Exception {
    Path ro = Files.createDirectory(dir.resolve("ro"));
    assumeTrue(ro.toFile().setWritable(false, false) && !Files.isWritable(ro), "not running as root");
    try {
      assertThatThrownBy(() -> FileChecks.requireWritable("--out", ro.resolve("m.json"), true))
          .isInstanceOf(TunerException.class).hasMessageContaining("permission denied");
    } finally {
      ro.toFile().setWritable(true, false);
    }
  }

  @Test
  void anOutputEqualToAnInputThroughALinkIsRefused() throws Exception {
    Path data = Files.writeString(dir.resolve("d.csv"), "a,b\n");
    Path link = Files.createSymbolicLink(dir.resolve("alias.csv"), data);
    assertThatThrownBy(() -> FileChecks.requireDistinct(List.of(new Role("--data", data)),
        List.of(new Role("--out", link))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--out = " + link).hasMessageContaining("--data " + data);
  }

  @Test
  void twoOutputsToOneNewFileAreRefused() {
    Path x = dir.resolve("x");
    assertThatThrownBy(() -> FileChecks.requireDistinct(List.of(),
        List.of(new Role("--out", x), new Role("--cv-predictions", dir.resolve("sub/../x")))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--cv-predictions").hasMessageContaining("--out " + x);
  }

  @Test
  void anInputGivenTwiceIsRefused() throws Exception {
    Path data = Files.writeString(dir.resolve("d.csv"), "a,b\n");
    Path hard = Files.createLink(dir.resolve("hard.csv"), data);
    assertThatThrownBy(() -> FileChecks.requireDistinct(
        List.of(new Role("--data", data), new Role("--data", hard)), List.of()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("each input file once");
  }

  @Test
  void inputsNameTheirProblem() throws Exception {
    assertThatThrownBy(() -> FileChecks.requireReadableFile("--data", dir.resolve("missing.csv")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("no such file");
    assertThatThrownBy(() -> FileChecks.requireReadableFile("--data", dir))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("a directory");
  }

  @Test
  void readersNameTheReasonNotJustThePath() throws Exception {
    Path missing = dir.resolve("gone.csv");
    assertThatThrownBy(() -> new dev.tuner.core.artifact.ArtifactCodec().read(missing))
        .hasMessageContaining(missing.toString());
    assertThat(FileChecks.reason(new java.nio.file.AccessDeniedException("x"))).isEqualTo("permission denied");
    assertThat(FileChecks.reason(new java.nio.file.NoSuchFileException("x"))).isEqualTo("no such file");
  }
}
