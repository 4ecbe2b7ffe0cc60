package dev.tuner.core;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import dev.tuner.core.data.Measurement;
import dev.tuner.core.ingest.Ingestor;
import java.net.URISyntaxException;
import org.junit.jupiter.api.Test;

/** This module's packages (data below ingest) and the runtime's they use form no cycle. */
class PackageCyclesTest {
  @Test
  void thePackagesAreFreeOfCycles() throws URISyntaxException {
    JavaClasses main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importLocations(java.util.Set.of(
            Location.of(Measurement.class.getProtectionDomain().getCodeSource().getLocation().toURI())));
    assertThat(main.contain(Ingestor.class)).isTrue();
    slices().matching("dev.tuner.core.(*)..").should().beFreeOfCycles().check(main);
  }
}
