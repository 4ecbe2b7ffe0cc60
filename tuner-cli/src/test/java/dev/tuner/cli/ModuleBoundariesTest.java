package dev.tuner.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rules over every module's main classes at once (only tuner-cli sees them all): plugins see only tuner-api, and
 * nothing anywhere uses Java serialization, so no file a user hands in can be deserialized into objects.
 */
class ModuleBoundariesTest {
  static JavaClasses main;

  @BeforeAll
  static void importAll() {
    // test classes reach this class path also as test-jars (tuner-core's fixtures, tuner-train's physics sweep),
    // which the predefined option, looking for test-classes folders, does not recognise
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(location -> !location.contains("-tests.jar"))
        .importPackages("dev.tuner");
  }

  /**
   * No package of any module takes part in a dependency cycle, across modules too (tuner-core's own test checks
   * its packages where they are built).
   */
  @Test
  void thePackagesOfEveryModuleAreFreeOfCycles() {
    slices().matching("dev.tuner.(**)").should().beFreeOfCycles().check(main);
  }

  @Test
  void pluginsDependOnTheApiOnly() {
    noClasses().that().resideInAnyPackage("dev.tuner.linear..", "dev.tuner.forest..", "dev.tuner.onnx..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.tuner.core..", "dev.tuner.cli..")
        .check(main);
  }

  @Test
  void pluginsDoNotDependOnEachOther() {
    noClasses().that().resideInAPackage("dev.tuner.linear..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.tuner.forest..", "dev.tuner.onnx..").check(main);
    noClasses().that().resideInAPackage("dev.tuner.forest..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.tuner.linear..", "dev.tuner.onnx..").check(main);
    noClasses().that().resideInAPackage("dev.tuner.onnx..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.tuner.linear..", "dev.tuner.forest..").check(main);
  }

  @Test
  void smileStaysInsideTheForestModule() {
    noClasses().that().resideOutsideOfPackage("dev.tuner.forest..")
        .should().dependOnClassesThat().resideInAPackage("smile..").check(main);
  }

  @Test
  void noJavaSerializationAnywhere() {
    noClasses().should().dependOnClassesThat()
        .haveFullyQualifiedName("java.io.ObjectInputStream")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.ObjectOutputStream")
        .check(main);
  }
}
