package dev.tuner.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TunerApi;
import dev.tuner.api.TunerException;
import dev.tuner.core.predict.Predictor;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rules of ARCHITECTURE.md and issue 8 that the compiler does not enforce, checked on the main classes of tuner-api
 * and tuner-core (the modules on this class path).
 */
class ArchitectureTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    // import the two modules' class folders (or jars) directly: scanning the whole class path for the package
    // would also open every dependency jar
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importLocations(Set.of(Location.of(codeSource(TunerApi.class)), Location.of(codeSource(Predictor.class))));
    // guard against a vacuous pass: both modules must have been imported
    assertThat(main.containPackage("dev.tuner.api")).isTrue();
    assertThat(main.containPackage("dev.tuner.core.predict")).isTrue();
    assertThat(main.stream().noneMatch(c -> c.getName().contains(".testing."))).isTrue();
  }

  private static URI codeSource(Class<?> c) {
    try {
      return c.getProtectionDomain().getCodeSource().getLocation().toURI();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A plugin depends on tuner-api alone, so tuner-api may depend on nothing but the JDK. */
  @Test
  void theApiDependsOnlyOnTheJdk() {
    classes().that().resideInAPackage("dev.tuner.api..")
        .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.tuner.api..")
        .check(main);
  }

  /** Nothing in tuner-core names a concrete plugin: they are found at run time. */
  @Test
  void theCoreNamesNoPlugin() {
    noClasses().that().resideInAPackage("dev.tuner.core..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "dev.tuner.linear..", "dev.tuner.forest..", "dev.tuner.onnx..", "dev.tuner.cli..", "dev.tuner.example..")
        .check(main);
  }

  /**
   * The runtime's packages depend on each other in one direction only (scenario, catalog, roofline, schema,
   * artifact, ensemble, plugin, predict, recommend, config from the bottom up), so each can be read and changed
   * without the ones above it.
   */
  @Test
  void thePackagesAreFreeOfCycles() {
    assertThat(main.containPackage("dev.tuner.core.scenario") && main.containPackage("dev.tuner.core.catalog"))
        .isTrue();
    slices().matching("dev.tuner.core.(*)..").should().beFreeOfCycles().check(main);
  }

  /** The prediction runtime carries no training, evaluation or ingestion code (modules tuner-train, tuner-ingest). */
  @Test
  void theRuntimeHoldsNoTrainingOrIngestion() {
    assertThat(main.containPackage("dev.tuner.core.learn") || main.containPackage("dev.tuner.core.ingest")
        || main.containPackage("dev.tuner.core.data")).isFalse();
    noClasses().that().resideInAPackage("dev.tuner.core..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.tuner.core.learn..", "dev.tuner.core.ingest..",
            "dev.tuner.core.data..")
        .check(main);
  }

  /** Model files and data are untrusted: Java deserialization is never used on them, nor anywhere else. */
  @Test
  void noJavaSerializationStreams() {
    noClasses().that().resideInAPackage("dev.tuner..")
        .should().dependOnClassesThat().areAssignableTo(java.io.ObjectInputStream.class)
        .orShould().dependOnClassesThat().areAssignableTo(java.io.ObjectOutputStream.class)
        .check(main);
  }

  /** One predictor is shared by many threads: there is no static mutable state to share by accident. */
  @Test
  void noStaticMutableState() {
    fields().that().areDeclaredInClassesThat().resideInAPackage("dev.tuner..")
        .and().areStatic()
        .should().beFinal()
        .check(main);
  }

  /** Immutable objects have final fields only; mutable state must be local to a call. */
  @Test
  void everyFieldIsFinal() {
    fields().that().areDeclaredInClassesThat().resideInAPackage("dev.tuner..")
        .should().beFinal()
        .check(main);
  }

  /** Models are immutable and thread-safe, so they cannot be subclassed into something that is not. */
  @Test
  void modelsAreFinalClasses() {
    classes().that().resideInAPackage("dev.tuner..").and().implement(ThroughputModel.class)
        .and().areNotInterfaces()
        .should().haveModifier(JavaModifier.FINAL)
        .check(main);
  }

  /** Concrete top-level classes of the core are final: its behaviour is changed by plugins, not by subclassing. */
  @Test
  void coreClassesAreFinal() {
    classes().that().resideInAPackage("dev.tuner.core..").and().areTopLevelClasses()
        .and().areNotInterfaces().and().areNotEnums().and().areNotRecords()
        .should().haveModifier(JavaModifier.FINAL)
        .check(main);
  }

  /**
   * Every error tuner reports on purpose is a TunerException, the documented root callers catch. Package-private
   * exceptions that carry control flow inside a parser never reach a caller, so they are exempt.
   */
  @Test
  void ownExceptionsAreTunerExceptions() {
    classes().that().resideInAPackage("dev.tuner..").and().areAssignableTo(Throwable.class).and().arePublic()
        .should().beAssignableTo(TunerException.class)
        .check(main);
  }

  /**
   * The API's value types are records, so they are immutable and compare by value. TunerApi (version constants) and
   * MonotoneConstraints (the text form of a hyper-parameter: static parse and format, no state) hold no values.
   */
  @Test
  void apiValueTypesAreRecords() {
    classes().that().resideInAPackage("dev.tuner.api").and().areTopLevelClasses()
        .and().areNotInterfaces().and().areNotEnums().and().areNotAssignableTo(Throwable.class)
        .and().doNotHaveSimpleName("TunerApi").and().doNotHaveSimpleName("MonotoneConstraints")
        .should().beRecords()
        .check(main);
  }
}
