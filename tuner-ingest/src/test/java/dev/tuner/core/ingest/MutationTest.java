package dev.tuner.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.data.MeasurementCsv;
import dev.tuner.core.data.MeasurementWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random damage to the real samples: whatever the bytes, ingestion must end in accepted or rejected records, with
 * {@link InvalidInputException} the only exception that may escape, and every accepted row must survive the CSV.
 */
class MutationTest {
  private static final long SEED = 20251126L;
  private static final int MUTATIONS = 400;
  private static final String[][] SAMPLES = {
    {"llama-bench", "llama-bench-sample1-2023-b1275.json"},
    {"llama-bench", "llama-bench-sample1-2023-b1275.csv"},
    {"llama-bench", "llama-bench-sample2-2025-b5163.json"},
    {"llama-bench", "llama-bench-sample2-2025-b5163.jsonl"},
    {"llama-bench", "llama-bench-sample2-2025-b5163.csv"},
    {"llama-bench", "llama-bench-md-2023-pr2626.md"},
    {"llama-bench", "llama-bench-md-2024-pr2059-rx6800xt.md"},
    {"llama-bench", "llama-bench-md-2025-pr13324-rtx2070-vulkan.md"},
    {"vllm-serve", "vllm-serve-sample1.jsonl"},
    {"ollama", "ollama-verbose-issue1806.txt"},
    {"ollama", "ollama-verbose-pr2163.txt"},
  };
  /** Bytes that matter to the parsers, so that mutations hit structure rather than only text. */
  private static final String[] SPLICES = {
    "{", "}", "[", "]", "\"", ",", "|", "\n", ":", "-", "NaN", "1e309", "±", "\\", "0", "-1", "99999999999",
    "\u0000", "\"avg_ts\": ", " @ d", "tokens/s", "token(s)", "4x", "inf", "\r\n", "\uFFFF", "ms"
  };

  @TempDir
  Path dir;

  @Test
  void damagedSamplesNeverThrowAnythingElse() throws IOException {
    Random random = new Random(SEED);
    Ingestor ingestor = new Ingestor(TestCatalog.create());
    int accepted = 0;
    int rejected = 0;
    for (int i = 0; i < MUTATIONS; i++) {
      String[] sample = SAMPLES[random.nextInt(SAMPLES.length)];
      byte[] bytes = mutate(Files.readAllBytes(TestCatalog.sample(sample[1])), random);
      Path file = dir.resolve("m" + i + "-" + sample[1]);
      Files.write(file, bytes);
      IngestOptions options = random.nextBoolean() ? IngestOptions.none()
          : IngestOptions.none().withDevice("RTX 4090").withModel("Llama 2 7B").withQuant("Q4_0");
      IngestReport report;
      try {
        report = ingestor.ingest(IngestFormat.parse(sample[0]), List.of(file), options);
      } catch (InvalidInputException e) {
        continue;
      } catch (RuntimeException e) {
        throw new AssertionError("mutation " + i + " of " + sample[1] + " (seed " + SEED + ") threw " + e, e);
      }
      assertThat(report.recordsSeen()).as("mutation %d of %s", i, sample[1]).isPositive();
      accepted += report.accepted().size();
      rejected += report.rejected().size();
      StringWriter csv = new StringWriter();
      new MeasurementWriter().write(csv, report.accepted(), true);
      if (!report.accepted().isEmpty()) {
        MeasurementCsv.Parsed back = MeasurementCsv.read(new StringReader(csv.toString()), "mutation " + i);
        assertThat(back.rejections()).isEmpty();
        assertThat(back.measurements()).hasSize(report.accepted().size());
      }
      Files.delete(file);
    }
    // the mutations must leave some records intact and break others, or the test proves nothing
    assertThat(accepted).isGreaterThan(MUTATIONS / 4);
    assertThat(rejected).isGreaterThan(MUTATIONS / 4);
  }

  private static byte[] mutate(byte[] original, Random random) {
    byte[] b = original;
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = b.length == 0 ? 0 : random.nextInt(b.length);
      switch (random.nextInt(6)) {
        case 0 -> {
          if (b.length > 0) {
            b = b.clone();
            b[at] = (byte) random.nextInt(256);
          }
        }
        case 1 -> b = splice(b, at, Math.min(b.length, at + 1 + random.nextInt(40)), new byte[0]);
        case 2 -> b = splice(b, at, at, SPLICES[random.nextInt(SPLICES.length)].getBytes(StandardCharsets.UTF_8));
        case 3 -> b = splice(b, at, b.length, new byte[0]);
        case 4 -> {
          int end = Math.min(b.length, at + random.nextInt(200));
          byte[] copy = java.util.Arrays.copyOfRange(b, at, end);
          b = splice(b, end, end, copy);
        }
        default -> {
          // replace a digit run, where the figures live
          for (int i = at; i < b.length; i++) {
            if (Character.isDigit(b[i])) {
              b = splice(b, i, i + 1, SPLICES[random.nextInt(SPLICES.length)].getBytes(StandardCharsets.UTF_8));
              break;
            }
          }
        }
      }
    }
    return b;
  }

  private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
    byte[] out = new byte[b.length - (to - from) + insert.length];
    System.arraycopy(b, 0, out, 0, from);
    System.arraycopy(insert, 0, out, from, insert.length);
    System.arraycopy(b, to, out, from + insert.length, b.length - to);
    return out;
  }
}
