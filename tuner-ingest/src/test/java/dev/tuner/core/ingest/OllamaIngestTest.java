package dev.tuner.core.ingest;

import static dev.tuner.core.ingest.Ingest.at;
import static dev.tuner.core.ingest.Ingest.rejectedAt;
import static dev.tuner.core.ingest.IngestFormat.OLLAMA;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.core.data.Measurement;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OllamaIngestTest {
  private static final IngestOptions STATED =
      IngestOptions.none().withDevice("RTX 4090").withModel("Mistral 7B").withQuant("Q4_K_M");

  @TempDir
  Path dir;

  @Test
  void issue1806NeedsAllThreeFlags() {
    IngestReport none = Ingest.sample(OLLAMA, "ollama-verbose-issue1806.txt", IngestOptions.none());
    assertThat(none.accepted()).isEmpty();
    assertThat(none.rejectedByReason()).containsExactly(Map.entry(RejectReason.NO_DEVICE, 2));
    assertThat(none.rejected().get(0).detail()).contains("--device, --model, --quant", "assumption");
    IngestReport noQuant = Ingest.sample(OLLAMA, "ollama-verbose-issue1806.txt",
        IngestOptions.none().withDevice("RTX 4090").withModel("Mistral 7B"));
    assertThat(noQuant.rejectedByReason()).containsExactly(Map.entry(RejectReason.NO_QUANT, 2));
  }

  @Test
  void issue1806WithFlags() {
    IngestReport r = Ingest.sample(OLLAMA, "ollama-verbose-issue1806.txt", STATED);
    assertThat(r.rejected()).isEmpty();
    Measurement prefill = at(r, 13);
    assertThat(prefill.scenario().phase()).isEqualTo("prefill");
    assertThat(prefill.scenario().context()).isEqualTo(11);
    assertThat(prefill.tokensPerSecond()).isEqualTo(53.77);
    assertThat(prefill.scenario().batch()).isEqualTo(1);
    Measurement decode = at(r, 16);
    assertThat(decode.scenario().phase()).isEqualTo("decode");
    assertThat(decode.scenario().context()).isEqualTo(11 + 120);
    assertThat(decode.tokensPerSecond()).isEqualTo(24.61);
    assertThat(decode.scenario().quant()).isEqualTo("Q4_K_M");
    assertThat(decode.backend()).isEqualTo("Ollama");
  }

  @Test
  void pr2163IsAPartialOffloadAndItsApiPayloadIsNotRead() {
    IngestReport r = Ingest.sample(OLLAMA, "ollama-verbose-pr2163.txt", STATED);
    assertThat(r.accepted()).isEmpty();
    assertThat(r.rejectedByReason()).containsExactly(
        Map.entry(RejectReason.PARTIAL_OFFLOAD, 2), Map.entry(RejectReason.UNSUPPORTED, 1));
    assertThat(rejectedAt(r, 11).detail()).isEqualTo("GPU loaded layers 1/27");
  }

  @Test
  void pr2163WithoutTheLayerLineWouldBeAccepted() throws IOException {
    String text = """
        total duration:       835.322625ms
        load duration:        452.875µs
        prompt eval count:    42 token(s)
        prompt eval duration: 593.785ms
        prompt eval rate:     70.73 tokens/s
        eval count:           10 token(s)
        eval duration:        240.374ms
        eval rate:            41.60 tokens/s
        """;
    IngestReport r = Ingest.text(OLLAMA, dir, "v.txt", text, STATED);
    assertThat(r.rejected()).isEmpty();
    assertThat(at(r, 5).tokensPerSecond()).isEqualTo(70.73);
    assertThat(at(r, 8).scenario().context()).isEqualTo(52);
  }

  @Test
  void severalBlocksAndGoDurationsWithMinutes() throws IOException {
    String text = """
        >>> write a long story
        ...
        total duration:       2m30.1s
        load duration:        1.2s
        prompt eval count:    20 token(s)
        prompt eval duration: 400ms
        prompt eval rate:     50.00 tokens/s
        eval count:           3000 token(s)
        eval duration:        2m27.989997625s
        eval rate:            20.27 tokens/s
        >>> again
        total duration:       1s
        prompt eval count:    5 token(s)
        prompt eval duration: 100ms
        prompt eval rate:     50.00 tokens/s
        eval count:           20 token(s)
        eval duration:        900ms
        eval rate:            22.22 tokens/s
        """;
    IngestReport r = Ingest.text(OLLAMA, dir, "two.txt", text, STATED);
    assertThat(r.rejected()).isEmpty();
    assertThat(r.accepted()).hasSize(4);
    assertThat(at(r, 10).scenario().context()).isEqualTo(3020);
    assertThat(at(r, 18).scenario().context()).isEqualTo(25);
  }

  @Test
  void ratesThatContradictTheirCountsOrThePhysicsAreRejected() throws IOException {
    String text = """
        prompt eval count:    32768 token(s)
        prompt eval duration: 235.137ms
        prompt eval rate:     139356.80 tokens/s
        eval count:           100 token(s)
        eval duration:        1s
        eval rate:            50.00 tokens/s
        """;
    IngestReport r = Ingest.text(OLLAMA, dir, "bug.txt", text, STATED);
    // the old runner timed only the last prompt batch: consistent with itself, but far above what a 4090 can do
    assertThat(rejectedAt(r, 3).reason()).isEqualTo(RejectReason.ABOVE_ROOFLINE);
    assertThat(rejectedAt(r, 6).reason()).isEqualTo(RejectReason.INCONSISTENT);
  }

  @Test
  void textWithoutABlockIsOneRejection() throws IOException {
    IngestReport r = Ingest.text(OLLAMA, dir, "chat.txt", ">>> hello\nHi there!\n", STATED);
    assertThat(r.rejected()).singleElement().satisfies(x -> assertThat(x.reason()).isEqualTo(RejectReason.UNSUPPORTED));
  }
}
