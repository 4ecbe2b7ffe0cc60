package dev.tuner.core.data;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import java.io.StringReader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The strict CSV reading of io/Csv as the measurement reader applies it (issue 19). */
class MeasurementCsvStrictTest {
  @TempDir
  Path dir;

  /** The case: a stray quote in notes swallowed the next lines into one field, 13 lines read as 8 rows. */
  @Test
  void aStrayQuoteSwallowingLinesIsRefusedInMeasurements() {
    String csv = """
        device,model,quant,batch,context,phase,tokens_per_s,notes
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,120,"17" screen
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,121,ok
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,122,closing"
        """;
    assertThatThrownBy(() -> MeasurementCsv.read(new StringReader(csv), "m.csv"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("m.csv:2")
        .hasMessageContaining("text after a closing quote");
    String merged = """
        device,model,quant,batch,context,phase,tokens_per_s,notes
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,120,"opened
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,121,ok
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,122,closed"
        """;
    assertThatThrownBy(() -> MeasurementCsv.read(new StringReader(merged), "m.csv"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("m.csv:2")
        .hasMessageContaining("lines 2-4").hasMessageContaining("look like whole records");
  }

  @Test
  void aRowWithAnExtraFieldIsRefusedInMeasurements() {
    String csv = """
        device,model,quant,batch,context,phase,tokens_per_s
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,120,5
        """;
    assertThatThrownBy(() -> MeasurementCsv.read(new StringReader(csv), "m.csv"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("m.csv:2 = 8 fields is invalid: expected at most 7");
  }

  @Test
  void aSecondTokensColumnIsRefusedInMeasurements() {
    String csv = """
        device,model,quant,batch,context,phase,tokens_per_s,tokens_per_s
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,120,5
        """;
    assertThatThrownBy(() -> MeasurementCsv.read(new StringReader(csv), "m.csv"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("tokens_per_s twice");
  }

  @Test
  void theReaderNamesTheReasonNotJustThePath() {
    Path missing = dir.resolve("gone.csv");
    assertThatThrownBy(() -> MeasurementCsv.read(missing))
        .hasMessageContaining("data file = " + missing).hasMessageContaining("(no such file)");
    assertThatThrownBy(() -> MeasurementCsv.read(dir))
        .hasMessageContaining("(it is a directory)");
  }
}
