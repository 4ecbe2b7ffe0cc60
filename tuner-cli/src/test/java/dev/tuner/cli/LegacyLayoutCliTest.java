package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The published measurements arrive in the older eleven-column layout, their settings in the notes. Evaluated as
 * they come, they score exactly as their migrated copy (the layout of data/measurements.csv, which
 * data/scripts/migrate_measurements.py writes): the same rows used, the same predictions, the same metrics.
 */
class LegacyLayoutCliTest {
  private static final String LEGACY = "source_id,device,backend,model,params_b,quant,batch,context,phase,"
      + "tokens_per_s,notes";
  private static final String[][] ROWS = {
      // context as the old layout counts it (window + depth), the migrated context and depth, tokens/s, notes
      {"4608", "512", "4096", "prefill", "5100", "llama-bench pp512 @ depth 4096; build 83bc2f28 (6077); flash_attn=1;"
          + " n_ubatch=512; type_k=f16; test_time 2025-08-04T10:00:00Z"},
      {"128", "128", "0", "decode", "131", "llama-bench tg128; build 83bc2f28 (6077); flash_attn=1; n_ubatch=512;"
          + " type_k=f16; test_time 2025-08-04T10:00:00Z"},
      // a q8_0 cache runs with flash attention on: off, the row is refused (EngineSettings.forKvCache)
      {"512", "512", "0", "prefill", "2900", "llama-bench pp512; n_ubatch=128; flash_attn=1; type_k=q8_0"},
      {"512", "512", "0", "decode", "126", "llama-bench tg512; flash_attn=1; type_k=q8_0"},
  };

  @TempDir
  Path dir;

  @Test
  void aFileOfTheOlderLayoutScoresAsItsMigratedCopy() throws Exception {
    StringBuilder legacy = new StringBuilder(LEGACY).append('\n');
    StringBuilder migrated = new StringBuilder(String.join(",", dev.tuner.core.data.MeasurementCsv.HEADER))
        .append('\n');
    for (String[] r : ROWS) {
      String common = "src,RTX 4090,llama.cpp CUDA,Llama 3 8B,8.03,Q4_K_M,1,";
      legacy.append(common).append(r[0]).append(',').append(r[3]).append(',').append(r[4]).append(",\"")
          .append(r[5]).append("\"\n");
      boolean dated = r[5].contains("test_time");
      migrated.append(common).append(r[1]).append(',').append(r[2]).append(',').append(r[3]).append(',')
          .append(r[4]).append(',').append(value(r[5], "n_ubatch=")).append(',').append(value(r[5], "flash_attn="))
          .append(',').append(value(r[5], "type_k=")).append(',').append(dated ? "b6077" : "").append(',')
          .append(dated ? "2025-08" : "").append(",,,,,,,\"").append(r[5]).append("\"\n");
    }
    Path old = dir.resolve("legacy.csv");
    Path now = dir.resolve("migrated.csv");
    Files.writeString(old, legacy);
    Files.writeString(now, migrated);
    JsonNode a = evaluate(old);
    JsonNode b = evaluate(now);
    assertThat(a.get("used").asInt()).isEqualTo(ROWS.length);
    assertThat(a.get("phases")).isEqualTo(b.get("phases"));
    assertThat(a.get("by_device")).isEqualTo(b.get("by_device"));
  }

  private static String value(String notes, String key) {
    int i = notes.indexOf(key);
    if (i < 0) {
      return "";
    }
    String rest = notes.substring(i + key.length());
    int end = rest.indexOf(';');
    return end < 0 ? rest : rest.substring(0, end);
  }

  private static JsonNode evaluate(Path csv) {
    Cli.Result r = Cli.run("evaluate", "--data", csv.toString(), "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    return r.json();
  }
}
