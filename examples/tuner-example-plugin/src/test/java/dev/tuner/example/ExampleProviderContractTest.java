package dev.tuner.example;

import dev.tuner.api.FeatureLayout;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.OutputKind;
import dev.tuner.testkit.ModelProviderContract;
import dev.tuner.testkit.TestLayouts;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The plugin keeps the host's contract: the checks are inherited from tuner-plugin-testkit. */
class ExampleProviderContractTest extends ModelProviderContract {
  /** The flag sits in the middle of the layout, where no hard-coded slot number would find it. */
  private static final FeatureLayout LAYOUT =
      TestLayouts.layout("example-test", "mem_bw", "batch_log", ExampleProvider.IS_PREFILL, "context_log");

  @Override
  protected ModelProvider provider() {
    return new ExampleProvider();
  }

  @Override
  protected ModelPayload validPayload() {
    return TestLayouts.payload(LAYOUT, "example-tuned", ExampleProvider.ID, OutputKind.LOG_ROOFLINE_FRACTION,
        utf8("decode_efficiency=0.6\nprefill_efficiency=0.3\n"));
  }

  @Override
  protected List<byte[]> invalidPayloads() {
    return List.of(
        utf8("decode_efficiency=0.6\n"),
        utf8("decode_efficiency=0.6\nprefill_efficiency=1.5\n"),
        utf8("decode_efficiency=NaN\nprefill_efficiency=0.3\n"),
        utf8("decode_efficiency=fast\nprefill_efficiency=0.3\n"),
        utf8("decode_efficiency=0.6\nprefill_efficiency=0.3\n" + "#".repeat(2000)));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
