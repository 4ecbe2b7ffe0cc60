package dev.tuner.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.TunerApi;
import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.artifact.ModelArtifact;
import dev.tuner.core.artifact.TestArtifacts;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.ConfigLoader;
import dev.tuner.core.data.MeasurementCsv;
import dev.tuner.core.ingest.IngestFormat;
import dev.tuner.core.ingest.IngestOptions;
import dev.tuner.core.ingest.IngestReport;
import dev.tuner.core.ingest.Ingestor;
import dev.tuner.core.ingest.RejectReason;
import dev.tuner.core.learn.ArtifactWriter;
import dev.tuner.core.predict.ModelLoader;
import dev.tuner.core.schema.FeatureSchemas;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small inputs that claim or expand to something huge, one per reader: each must be refused (or read) quickly and
 * with bounded memory, with the reader's documented error. The timeouts are what "no hang" means here; the heap is
 * the test JVM's (-Xmx1g), so an input that really allocated what it claims would fail with OutOfMemoryError.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HostileInputTest {
  @TempDir
  Path dir;

  /** An endless field: the CSV reader stops at its field limit instead of buffering the stream. */
  @Test
  void aCsvFieldThatNeverEndsIsRefusedAtTheFieldLimit() {
    Reader endless = new Reader() {
      private long served;

      @Override
      public int read(char[] buf, int off, int len) {
        // a header, then one field of 'x' that never ends (4 GiB of it before this would give up)
        String head = "device,model,quant,batch,context,phase,tokens_per_s\nRTX 4090,";
        for (int i = 0; i < len; i++, served++) {
          buf[off + i] = served < head.length() ? head.charAt((int) served) : 'x';
        }
        if (served > (4L << 30)) {
          throw new AssertionError("the reader kept reading past 4 GiB");
        }
        return len;
      }

      @Override
      public void close() {}
    };
    assertThatThrownBy(() -> MeasurementCsv.read(endless, "endless.csv"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("endless.csv:2")
        .hasMessageContaining("a field longer than 65536 characters");
  }

  /** 1 GiB of nodes claimed by a 1 KiB forest payload, through the real loader and the real forest provider. */
  @Test
  void aForestPayloadClaimingAGigabyteOfNodesIsRefusedBeforeAllocating() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(new byte[] {'T', 'F', 'O', 'R'});
    out.writeInt(1);
    int width = FeatureSchemas.tunerV1().width();
    out.writeInt(width);
    for (int i = 0; i < width; i++) {
      out.writeUTF("f" + i);
    }
    out.writeInt(1);
    out.writeUTF("trees");
    out.writeUTF("1");
    out.writeInt(0);
    out.writeInt(1);
    // 44 739 242 nodes of 24 bytes each: 1 GiB
    out.writeInt((1 << 30) / 24);
    while (bytes.size() < 1024) {
      out.writeInt(0);
    }
    ModelArtifact artifact = new ModelArtifact(
        TestArtifacts.header(TunerApi.VERSION, ForestPlugin.ID, FeatureSchemas.tunerV1().ref(), width),
        bytes.toByteArray());
    ArtifactCodec codec = new ArtifactCodec();
    ModelLoader loader = new ModelLoader(ForestPlugin.registry(), codec);
    byte[] file = new ArtifactWriter().encode(artifact);
    assertThat(file.length).isLessThan(8 * 1024);
    assertThatThrownBy(() -> loader.fromArtifact(codec.decode(file, "gigabyte.json"), "gigabyte.json"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("node count")
        .hasMessageContaining("44739242");
  }

  /** Opening brackets 100 000 deep: Jackson's depth limit refuses them; no StackOverflowError. */
  @Test
  void aJsonNestingBombIsRefusedByTheArtifactReader() {
    byte[] bomb = ("{\"format\":\"tuner-model\",\"header\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}")
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> new ArtifactCodec().decode(bomb, "bomb.json"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("bomb.json")
        .hasMessageContaining("nesting depth");
  }

  @Test
  void aJsonNestingBombInABenchmarkFileIsOneRejectedRecord() throws IOException {
    Path f = dir.resolve("bomb.json");
    Files.writeString(f, "[{\"a\":" + "[".repeat(200_000) + "]".repeat(200_000) + "}]\n");
    IngestReport r = new Ingestor(Catalog.shipped()).ingest(IngestFormat.LLAMA_BENCH, List.of(f), IngestOptions.none());
    assertThat(r.accepted()).isEmpty();
    assertThat(r.rejected()).singleElement().satisfies(x -> {
      assertThat(x.reason()).isEqualTo(RejectReason.MALFORMED);
      assertThat(x.detail()).contains("nesting depth");
    });
  }

  /**
   * The billion laughs: nine levels of aliases, each ten times the one below, 10^9 "lol"s if expanded. Jackson's
   * YAML parser reports an alias as the anchor's name instead of expanding it, so the file is just an unknown key.
   */
  @Test
  void yamlBillionLaughsDoesNotExpand() throws IOException {
    StringBuilder y = new StringBuilder("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (int i = 1; i <= 9; i++) {
      y.append("a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 10; j++) {
        y.append(j == 0 ? "" : ",").append("*a").append(i - 1);
      }
      y.append("]\n");
    }
    Path f = dir.resolve("laughs.yaml");
    Files.writeString(f, y);
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(f), new Properties(), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("key a0");
    // an alias as the value of a known key reads as the anchor's name, not as the anchored value
    Path g = dir.resolve("aliases.yaml");
    Files.writeString(g, "model: &m forest\nartifact: *m\n");
    assertThat(ConfigLoader.load(Optional.of(g), new Properties(), Map.of()).artifact()).contains("m");
  }

  /** Mappings nested deeper than Jackson's limit of 1 000, within the 1 MiB file limit: refused, no StackOverflowError. */
  @Test
  void aYamlNestingBombIsRefused() throws IOException {
    Path flow = dir.resolve("flow.yaml");
    Files.writeString(flow, "model: " + "{a: ".repeat(100_000) + "x" + "}".repeat(100_000) + "\n");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(flow), new Properties(), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(flow.toString())
        .hasMessageContaining("nesting depth");
    // block style needs one more space per level, so 1 100 levels is about as deep as fits in 1 MiB
    Path block = dir.resolve("block.yaml");
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 1_100; i++) {
      b.append(" ".repeat(i)).append("a:\n");
    }
    Files.writeString(block, b);
    assertThat(Files.size(block)).isLessThan(1 << 20);
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(block), new Properties(), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(block.toString())
        .hasMessageContaining("nesting depth");
  }

  /** Size caps are checked on the file's size before it is read: a sparse 300 MB file costs nothing to refuse. */
  @Test
  void oversizedFilesAreRefusedBeforeTheyAreRead() throws IOException {
    Path model = sparse("big-model.json", ArtifactCodec.MAX_BYTES + 1);
    assertThatThrownBy(() -> new ArtifactCodec().read(model))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("the limit is " + ArtifactCodec.MAX_BYTES);
    Path config = sparse("big.yaml", (1 << 20) + 1);
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(config), new Properties(), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("at most 1 MiB");
  }

  private Path sparse(String name, long size) throws IOException {
    Path f = dir.resolve(name);
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(size);
    }
    return f;
  }
}
