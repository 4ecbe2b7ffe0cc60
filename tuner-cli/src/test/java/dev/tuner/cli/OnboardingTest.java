package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A newcomer's own hardware and models, and the defaults a user expects. */
class OnboardingTest {
  @TempDir
  Path dir;

  @Test
  void aUserCatalogAddsADeviceAndAModelShownByCatalogAndUsedByPredict() throws Exception {
    Path devices = Files.writeString(dir.resolve("my-devices.csv"), """
        device,vendor,mem_bw_gbs,fp16_tflops,fp8_tflops,fp32_tflops,sm_or_cores,l2_mb,mem_gb,aliases,source_id,notes
        Lab Accelerator X1,NVIDIA,900,120,,30,80,48,32,X1|lab-x1,my lab sheet,
        """);
    Path models = Files.writeString(dir.resolve("my-models.yaml"), """
        models:
          - model: Tiny Test 1B
            params_b: 1.2
            hidden: 2048
            layers: 16
            heads: 32
            kv_heads: 8
            head_dim: 64
            vocab: 128256
            aliases: [tiny-1b]
            source_id: my notes
        """);
    Cli.Result listed = Cli.run("catalog", "devices", "--catalog", devices.toString(), "--search", "x1");
    assertThat(listed.exit()).as(listed.toString()).isZero();
    assertThat(listed.out()).contains("Lab Accelerator X1");
    assertThat(listed.err()).contains("entries of " + devices + " layered over the built-in catalog");
    Cli.Result p = Cli.run("predict", "--catalog", devices.toString(), "--catalog", models.toString(),
        "--model", "tiny-1b", "--device", "lab-x1", "--quant", "Q4_K_M", "--context", "512", "--format", "json");
    assertThat(p.exit()).as(p.toString()).isZero();
    assertThat(p.json().get("scenario").get("device").get("name").asText()).isEqualTo("Lab Accelerator X1");
    assertThat(p.json().get("scenario").get("model").get("name").asText()).isEqualTo("Tiny Test 1B");
    // built-in entries are still there
    assertThat(Cli.run("predict", "--catalog", devices.toString(), "--model", "Llama 3 8B", "--device",
        "RTX 4090", "--quant", "Q4_K_M", "--context", "512").exit()).isZero();
  }

  @Test
  void aUserCatalogIsValidatedLikeTheBuiltInOne() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.csv"), """
        model,params_b,hidden,layers,heads,kv_heads,head_dim,vocab
        Odd,7,4096,32,32,5,,32000
        """);
    Cli.Result r = Cli.run("catalog", "models", "--catalog", bad.toString());
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains(bad.toString(), "Odd", "KV heads = 5", "a divisor of the 32 attention heads");
    Path clash = Files.writeString(dir.resolve("clash.csv"), """
        device,vendor,mem_bw_gbs,fp16_tflops,sm_or_cores,l2_mb,mem_gb,aliases
        My Card,NVIDIA,500,50,40,4,16,RTX 4090
        """);
    Cli.Result c = Cli.run("catalog", "devices", "--catalog", clash.toString());
    assertThat(c.exit()).as(c.toString()).isEqualTo(2);
    assertThat(c.err()).contains("alias", "RTX 4090", "an alias no other device has");
  }

  /**
   * A YAML entry gives what it knows: only a device's name and bandwidth are required, the rest left out is unknown
   * as a blank CSV cell is; an entry or a file lacking several required columns hears of all of them at once.
   */
  @Test
  void aYamlCatalogNeedsOnlyTheRequiredColumnsAndNamesEveryMissingOne() throws Exception {
    Path card = Files.writeString(dir.resolve("card.yaml"), """
        devices:
          - device: Lab Card Y
            vendor: NVIDIA
            mem_bw_gbs: 500
            fp16_tflops: 50
        """);
    Cli.Result listed = Cli.run("catalog", "devices", "--catalog", card.toString(), "--search", "Lab Card Y");
    assertThat(listed.exit()).as(listed.toString()).isZero();
    assertThat(listed.out()).contains("Lab Card Y");
    Cli.Result p = Cli.run("predict", "--catalog", card.toString(), "--model", "Llama 3 8B", "--device",
        "Lab Card Y", "--quant", "Q4_K_M", "--context", "512", "--format", "json");
    assertThat(p.exit()).as(p.toString()).isZero();
    assertThat(p.json().get("scenario").get("device").get("name").asText()).isEqualTo("Lab Card Y");

    Path entry = Files.writeString(dir.resolve("entry.yaml"), """
        devices:
          - device: Lab Card Z
            mem_bw_gbs: 600
          - vendor: NVIDIA
            fp16_tflops: 50
        """);
    Cli.Result blank = Cli.run("catalog", "devices", "--catalog", entry.toString());
    assertThat(blank.exit()).as(blank.toString()).isEqualTo(2);
    assertThat(blank.err()).contains(entry + " devices:3 device, mem_bw_gbs = blank is invalid: expected a value in"
        + " each of device, mem_bw_gbs");
    assertThat(blank.err().strip().lines()).hasSize(1);

    Path models = Files.writeString(dir.resolve("models.yaml"), """
        models:
          - hidden: 2048
        """);
    Cli.Result header = Cli.run("catalog", "models", "--catalog", models.toString());
    assertThat(header.exit()).as(header.toString()).isEqualTo(2);
    assertThat(header.err()).contains("expected columns named model, params_b");

    // a misspelt column would read as a figure left out: refused, naming it and the columns a table may have
    Path misspelt = Files.writeString(dir.resolve("misspelt.yaml"), """
        devices:
          - device: Lab Card W
            mem_bw_gbs: 500
            fp8_tflop: 400
        """);
    Cli.Result typo = Cli.run("catalog", "devices", "--catalog", misspelt.toString());
    assertThat(typo.exit()).as(typo.toString()).isEqualTo(2);
    assertThat(typo.err()).contains("column fp8_tflop is invalid: expected columns among device, vendor")
        .contains("fp8_tflops");
    assertThat(typo.err().strip().lines()).hasSize(1);

    // a bad cell names its file and line once
    Path cell = Files.writeString(dir.resolve("cell.csv"), "model,params_b,layers\nMy Model,abc,32\n");
    Cli.Result bad = Cli.run("catalog", "models", "--catalog", cell.toString());
    assertThat(bad.exit()).as(bad.toString()).isEqualTo(2);
    assertThat(bad.err()).contains(cell + ":2 params_b = \"abc\" is invalid").doesNotContain(cell + ":2 " + cell);
  }

  /**
   * A bare "A100" names PCIe and SXM4 cards of 40 and 80 GB, which data/SOURCES.md gives to no row (bare "H100" is its
   * one stated exception, the SXM5 card): refused, with every candidate listed.
   */
  @Test
  void anAmbiguousDeviceNameIsRefusedListingEveryCandidate() {
    Cli.Result r = Cli.run("predict", "--model", "Llama 3 8B", "--device", "A100", "--quant", "Q4_K_M", "--context",
        "512");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("device = \"A100\" is invalid", "A100 80GB (SXM4 assumed)", "A100 PCIe 40GB",
        "A100 PCIe 80GB", "A100 SXM4 40GB", "A100 SXM4 80GB");
    Cli.Result h100 = Cli.run("predict", "--model", "Llama 3 8B", "--device", "H100", "--quant", "Q4_K_M",
        "--context", "512", "--format", "json");
    assertThat(h100.exit()).as(h100.toString()).isZero();
    assertThat(h100.json().get("scenario").get("device").get("name").asText()).isEqualTo("H100 SXM5 80GB");
  }

  @Test
  void searchMatchesWordsNotPartsOfWords() {
    Cli.Result m5 = Cli.run("catalog", "devices", "--search", "M5");
    assertThat(m5.out()).doesNotContain("SXM5");
    Cli.Result h100 = Cli.run("catalog", "devices", "--search", "h100");
    assertThat(h100.out()).contains("H100 SXM5 80GB", "H100 PCIe 80GB");
    assertThat(Cli.run("catalog", "devices", "--search", "sxm5").out()).contains("H100 SXM5 80GB");
    assertThat(Cli.run("catalog", "devices", "--search", "rtx4090").out()).contains("RTX 4090");
  }

  @Test
  void recommendSummarisesDroppedConfigurationsByReason() {
    Cli.Result r = Cli.run(RecommendCommandTest.LLAMA_ON_4090);
    assertThat(r.exit()).as(r.toString()).isZero();
    String dropped = r.out().substring(r.out().indexOf("Dropped ("));
    assertThat(dropped).contains("--verbose lists each", "memory");
    assertThat(dropped.lines().count()).isLessThan(8);
    Cli.Result verbose = Cli.run(RecommendCommandTest.LLAMA_ON_4090, "--verbose");
    assertThat(verbose.out().substring(verbose.out().indexOf("Dropped (")).lines().count())
        .isGreaterThan(dropped.lines().count());
    var json = Cli.run(RecommendCommandTest.LLAMA_ON_4090, "--format", "json").json();
    int counted = 0;
    for (var e : (Iterable<java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>>)
        () -> json.get("dropped_by_reason").fields()) {
      String reason = e.getKey();
      int n = 0;
      for (var d : json.get("dropped")) {
        n += d.get("reason").asText().equals(reason) ? 1 : 0;
      }
      assertThat(e.getValue().asInt()).as(reason).isEqualTo(n);
      counted += n;
    }
    assertThat(counted).isEqualTo(json.get("dropped").size());
    assertThat(json.get("dropped_by_reason").get("memory").asInt()).isPositive();
  }

  @Test
  void ingestRecognisesTheFormatFromTheContent() throws Exception {
    Path ollama = Files.writeString(dir.resolve("verbose.txt"), """
        total duration:       835.322625ms
        load duration:        452.875µs
        prompt eval count:    42 token(s)
        prompt eval duration: 593.785ms
        prompt eval rate:     70.73 tokens/s
        eval count:           10 token(s)
        eval duration:        236.44ms
        eval rate:            42.29 tokens/s
        """);
    Cli.Result r = Cli.run("ingest", ollama.toString(), "--device", "RTX 4090", "--model", "Llama 3 8B", "--quant",
        "Q4_K_M");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).contains("format ollama recognised from the content");
    assertThat(r.out()).contains("tokens_per_s").contains("42.29");
    Path junk = Files.writeString(dir.resolve("junk.txt"), "nothing to see\n");
    Cli.Result j = Cli.run("ingest", junk.toString());
    assertThat(j.exit()).isEqualTo(2);
    assertThat(j.err()).contains("no format tuner recognises", "llama-bench, vllm-serve, ollama");
  }

  @Test
  void aModelFromItsHuggingFaceConfig() throws Exception {
    Path config = Files.writeString(dir.resolve("config.json"), """
        {"_name_or_path": "my-org/Llama-3-8B-finetune", "model_type": "llama", "hidden_size": 4096,
         "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336,
         "vocab_size": 128256, "tie_word_embeddings": false}""");
    Cli.Result r = Cli.run("predict", "--hf-config", config.toString(), "--device", "RTX 4090", "--quant", "Q4_K_M",
        "--context", "512", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    var model = r.json().get("scenario").get("model");
    assertThat(model.get("name").asText()).isEqualTo("my-org/Llama-3-8B-finetune");
    assertThat(model.get("params_b").asDouble()).isEqualTo(8.030261248);
    // the same shape as the catalog's Llama 3 8B predicts the same
    assertThat(r.json().get("roofline_tokens_per_s").asDouble()).isCloseTo(Cli.run(
        PredictCommandTest.LLAMA_ON_4090, "--format", "json").json().get("roofline_tokens_per_s").asDouble(),
        org.assertj.core.api.Assertions.withinPercentage(1));
    Cli.Result both = Cli.run("predict", "--hf-config", config.toString(), "--model", "Llama 3 8B", "--device",
        "RTX 4090", "--quant", "Q4_K_M");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("no --model with --hf-config or --gguf");
  }

  @Test
  void aModelAndItsQuantizationFromAGgufHeader() throws Exception {
    Path gguf = Files.write(dir.resolve("tiny.gguf"), tinyGguf());
    Cli.Result r = Cli.run("predict", "--gguf", gguf.toString(), "--device", "RTX 4090", "--context", "512",
        "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    var s = r.json().get("scenario");
    assertThat(s.get("model").get("name").asText()).isEqualTo("Tiny GGUF");
    assertThat(s.get("model").get("params_b").asDouble()).isEqualTo(0.32401408);
    assertThat(s.get("quant").get("name").asText()).isEqualTo("Q4_K_M of tiny.gguf");
    // 249 856 000 bytes x 8 / 324 014 080 parameters (see ModelFilesTest for the arithmetic)
    assertThat(s.get("quant").get("bits_per_weight").asDouble()).isEqualTo(249_856_000 * 8.0 / 324_014_080);
  }

  /**
   * A 16-bit file whose experts are MXFP4 reads its experts at their own 4.25 bits and the rest at what the file's size
   * leaves them, and runs as MXFP4_EXPERTS_F16 (llama.cpp's int8 dot products), not as the F16 its header names.
   * Parameters: 3 × 512 × 512 × 16 = 12 582 912 experts (12 582 912 / 32 × 17 = 6 684 672 bytes); 2 × 512 × 4096
   * tables, 2 × 512 × 512 + 2 × 512 × 128 attention = 4 849 664 others at 2 bytes = 9 699 328 bytes.
   */
  @Test
  void aConvertedGptOssFileReadsItsExpertsAtTheirOwnBits() throws Exception {
    Path gguf = Files.write(dir.resolve("tiny-gpt-oss-F16.gguf"), convertedGptOss());
    Cli.Result r = Cli.run("predict", "--gguf", gguf.toString(), "--device", "RTX 4090", "--context", "0",
        "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    var quant = r.json().get("scenario").get("quant");
    assertThat(quant.get("name").asText()).isEqualTo("F16 of tiny-gpt-oss-F16.gguf");
    assertThat(quant.get("bits_per_weight").asDouble())
        .isCloseTo((6_684_672 + 9_699_328) * 8.0 / (12_582_912 + 4_849_664), within(1e-12));
    assertThat(quant.get("expert_bits_per_weight").asDouble()).isEqualTo(4.25);
    assertThat(quant.get("activation").asText()).isEqualTo("int8");
    Cli.Result explain = Cli.run("predict", "--gguf", gguf.toString(), "--device", "RTX 4090", "--context", "0",
        "--explain");
    assertThat(explain.exit()).as(explain.toString()).isZero();
    assertThat(explain.out()).contains("(experts 4.25)");
  }

  /** A user holding one GGUF file cannot switch its quantization: recommend searches the file's own, and says so. */
  @Test
  void recommendWithAGgufSearchesTheFilesOwnQuantization() throws Exception {
    Path gguf = Files.write(dir.resolve("tiny.gguf"), tinyGguf());
    Cli.Result r = Cli.run("recommend", "--gguf", gguf.toString(), "--device", "RTX 4090", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.json().get("grid").get("quants").toString()).isEqualTo("[\"Q4_K_M of tiny.gguf\"]");
    assertThat(r.json().get("top").get(0).get("quant").asText()).isEqualTo("Q4_K_M of tiny.gguf");
    assertThat(r.json().get("notes").toString()).contains("one GGUF file runs at one quantization");
    Cli.Result text = Cli.run("recommend", "--gguf", gguf.toString(), "--device", "RTX 4090");
    assertThat(text.out()).contains("1 quantizations × 2 KV-cache types")
        .contains("note: quantization: only Q4_K_M of tiny.gguf");
    // what-if: other quantizations when asked for by name
    Cli.Result asked = Cli.run("recommend", "--gguf", gguf.toString(), "--device", "RTX 4090", "--quants",
        "Q8_0,Q4_K_M", "--format", "json");
    assertThat(asked.exit()).as(asked.toString()).isZero();
    assertThat(asked.json().get("grid").get("quants").toString()).isEqualTo("[\"Q8_0\",\"Q4_K_M\"]");
  }

  /**
   * A file whose header names no file type leaves the quantization open: recommend searches the default grid for the
   * model the header describes (a mixture of experts, so llama.cpp's MXFP4_MOE first) and says why.
   */
  @Test
  void recommendWithAGgufOfNoFileTypeSearchesTheModelsDefaultGrid() throws Exception {
    Path gguf = Files.write(dir.resolve("tiny-gpt-oss.gguf"), gptOss(false));
    Cli.Result r = Cli.run("recommend", "--gguf", gguf.toString(), "--device", "RTX 4090", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.json().get("grid").get("quants").toString())
        .isEqualTo("[\"MXFP4_MOE\",\"Q4_K_M\",\"Q5_K_M\",\"Q6_K\",\"Q8_0\",\"F16\"]");
    assertThat(r.json().get("notes").toString()).contains("the GGUF file states none");
  }

  /** The GGUF header of ModelFilesTest's tiny Llama: metadata and tensor table, no weights. */
  private static byte[] tinyGguf() {
    return gguf(new String[][] {{"general.architecture", "llama"}, {"general.name", "Tiny GGUF"}},
        new Object[][] {{"llama.embedding_length", 4096}, {"llama.block_count", 1},
            {"llama.attention.head_count", 32}, {"llama.attention.head_count_kv", 8},
            {"llama.feed_forward_length", 11008}, {"llama.vocab_size", 32000}, {"general.file_type", 15}},
        new Object[][] {{"token_embd.weight", 14, new long[] {4096, 32000}},
            {"blk.0.attn_q.weight", 12, new long[] {4096, 4096}},
            {"blk.0.ffn_down.weight", 12, new long[] {11008, 4096}},
            {"blk.0.attn_norm.weight", 0, new long[] {4096}}, {"output.weight", 14, new long[] {4096, 32000}}});
  }

  /**
   * A gpt-oss checkpoint converted at F16 (general.file_type 1) as its header says: hidden 512, 1 block, 8 heads of 64
   * (2 for keys and values), 16 experts of FFN 512, 4 per token, vocabulary 4096. Its stacked experts
   * (ffn_{up,gate,down}_exps, [512, 512, 16]) are MXFP4 (ggml type 39), every other tensor F16 (type 1).
   */
  private static byte[] convertedGptOss() {
    return gptOss(true);
  }

  /** {@link #convertedGptOss}'s tensors, with or without the header's {@code general.file_type}. */
  private static byte[] gptOss(boolean fileType) {
    long[] experts = {512, 512, 16};
    return gguf(new String[][] {{"general.architecture", "gpt-oss"}, {"general.name", "Tiny gpt-oss"}},
        new Object[][] {{"gpt-oss.embedding_length", 512}, {"gpt-oss.block_count", 1},
            {"gpt-oss.attention.head_count", 8}, {"gpt-oss.attention.head_count_kv", 2},
            {"gpt-oss.attention.key_length", 64}, {"gpt-oss.feed_forward_length", 512},
            {"gpt-oss.expert_count", 16}, {"gpt-oss.expert_used_count", 4},
            {"gpt-oss.expert_feed_forward_length", 512}, {"gpt-oss.vocab_size", 4096},
            {fileType ? "general.file_type" : "general.alignment", fileType ? 1 : 32}},
        new Object[][] {{"token_embd.weight", 1, new long[] {512, 4096}},
            {"blk.0.attn_q.weight", 1, new long[] {512, 512}}, {"blk.0.attn_k.weight", 1, new long[] {512, 128}},
            {"blk.0.attn_v.weight", 1, new long[] {512, 128}}, {"blk.0.attn_output.weight", 1, new long[] {512, 512}},
            {"blk.0.ffn_up_exps.weight", 39, experts}, {"blk.0.ffn_gate_exps.weight", 39, experts},
            {"blk.0.ffn_down_exps.weight", 39, experts}, {"output.weight", 1, new long[] {512, 4096}}});
  }

  /**
   * A GGUF file's header, version 3: string and uint32 metadata, then the tensor table (name, type, dimensions);
   * no weights (the reader stops before them).
   */
  private static byte[] gguf(String[][] strings, Object[][] ints, Object[][] table) {
    var out = new java.io.ByteArrayOutputStream();
    var kv = new java.io.ByteArrayOutputStream();
    for (String[] e : strings) {
      str(kv, e[0]);
      u32(kv, 8);
      str(kv, e[1]);
    }
    for (Object[] e : ints) {
      str(kv, (String) e[0]);
      u32(kv, 4);
      u32(kv, (Integer) e[1]);
    }
    var tensors = new java.io.ByteArrayOutputStream();
    for (Object[] t : table) {
      str(tensors, (String) t[0]);
      long[] dims = (long[]) t[2];
      u32(tensors, dims.length);
      for (long d : dims) {
        u64(tensors, d);
      }
      u32(tensors, (Integer) t[1]);
      u64(tensors, 0);
    }
    out.writeBytes("GGUF".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    u32(out, 3);
    u64(out, table.length);
    u64(out, strings.length + ints.length);
    out.writeBytes(kv.toByteArray());
    out.writeBytes(tensors.toByteArray());
    return out.toByteArray();
  }

  private static void str(java.io.ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    u64(out, b.length);
    out.writeBytes(b);
  }

  private static void u32(java.io.ByteArrayOutputStream out, int v) {
    out.writeBytes(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(v).array());
  }

  private static void u64(java.io.ByteArrayOutputStream out, long v) {
    out.writeBytes(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(v).array());
  }
}
