package dev.tuner.forest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.tuner.api.ModelProvider;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Smile is an optional dependency, used only to train: running a forest must not touch it, and without it the
 * provider loads and says that it cannot train instead of failing.
 */
class RuntimeWithoutSmileTest {
  /** The classes that train, and nothing else, may use Smile. */
  private static final Set<String> TRAINING = Set.of("ForestTrainer", "TreeFlattener", "OutOfBag");

  @Test
  void onlyTheTrainingClassesUseSmile() {
    JavaClasses main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.tuner.forest");
    assertThat(main.contain(ForestModel.class)).isTrue();
    DescribedPredicate<JavaClass> runtime = DescribedPredicate.describe("the forest runtime",
        c -> !TRAINING.contains(c.getName().replaceFirst("^dev\\.tuner\\.forest\\.", "").replaceFirst("\\$.*", "")));
    noClasses().that(runtime).should().dependOnClassesThat().resideInAnyPackage("smile..").check(main);
  }

  @Test
  void withoutSmileTheProviderLoadsAndOffersNoTrainer() throws Exception {
    URL forest = ForestProvider.class.getProtectionDomain().getCodeSource().getLocation();
    URL api = ModelProvider.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader noSmile = new URLClassLoader(new URL[] {forest, api}, ClassLoader.getPlatformClassLoader())) {
      assertThat(Class.forName("smile.regression.RandomForest", false, this.getClass().getClassLoader()))
          .as("Smile is on the test class path, so the check below is not vacuous").isNotNull();
      Class<?> spi = noSmile.loadClass(ModelProvider.class.getName());
      Object provider = ServiceLoader.load(spi, noSmile).findFirst().orElseThrow();
      assertThat(provider.getClass().getName()).isEqualTo(ForestProvider.class.getName());
      assertThat((Optional<?>) spi.getMethod("trainer").invoke(provider)).isEmpty();
      assertThat((String) spi.getMethod("description").invoke(provider))
          .contains("training needs " + ForestProvider.SMILE);
    }
  }
}
