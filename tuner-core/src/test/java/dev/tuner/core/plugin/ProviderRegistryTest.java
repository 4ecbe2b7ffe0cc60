package dev.tuner.core.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TunerApi;
import dev.tuner.core.ensemble.EnsembleProvider;
import dev.tuner.core.plugin.testing.ConstantProvider;
import dev.tuner.core.plugin.testing.DuplicateIdProviderA;
import dev.tuner.core.plugin.testing.DuplicateIdProviderB;
import dev.tuner.core.plugin.testing.FutureApiProvider;
import dev.tuner.core.plugin.testing.ThrowingProvider;
import dev.tuner.core.schema.FeatureSchemas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery over the test-only registrations in src/test/resources/META-INF/services: one good provider, two
 * sharing an id, and one of each kind of broken plugin. The good ones must load and each broken one must be reported
 * with its own code and an explanation.
 */
class ProviderRegistryTest {
  private final ProviderRegistry registry = ProviderRegistry.discover(getClass().getClassLoader());

  private PluginProblem problem(PluginProblem.Code code) {
    List<PluginProblem> found = registry.problems().stream().filter(p -> p.code() == code).toList();
    assertThat(found).as("problems with code %s in %s", code, registry.problems()).hasSize(1);
    return found.get(0);
  }

  @Test
  void keepsTheGoodProvidersAndExactlyOneOfTheDuplicates() {
    assertThat(registry.providers()).containsOnlyKeys(ConstantProvider.ID, DuplicateIdProviderA.ID,
        EnsembleProvider.ID);
    assertThat(List.copyOf(registry.providers().keySet())).isSorted();
    assertThat(registry.providers().get(ConstantProvider.ID)).isInstanceOf(ConstantProvider.class);
    // the first registration in the services file wins
    assertThat(registry.providers().get(DuplicateIdProviderA.ID)).isInstanceOf(DuplicateIdProviderA.class);
    assertThat(registry.problems()).hasSize(4);
  }

  @Test
  void aThrowingConstructorIsReportedAsBrokenWithItsCause() {
    PluginProblem p = problem(PluginProblem.Code.BROKEN);
    assertThat(p.provider()).isEqualTo(ThrowingProvider.class.getName());
    assertThat(p.message()).contains("could not be instantiated").contains(ThrowingProvider.FAILURE);
  }

  @Test
  void aMissingClassIsReportedAsMissingClassNamingIt() {
    PluginProblem p = problem(PluginProblem.Code.MISSING_CLASS);
    assertThat(p.provider()).isEqualTo("dev.tuner.core.plugin.testing.NoSuchProvider");
    assertThat(p.message()).contains("missing").contains("NoSuchProvider");
  }

  @Test
  void aDuplicateIdIsReportedNamingBothClasses() {
    PluginProblem p = problem(PluginProblem.Code.DUPLICATE_ID);
    assertThat(p.provider()).isEqualTo(DuplicateIdProviderA.ID);
    assertThat(p.message())
        .contains(DuplicateIdProviderB.class.getName())
        .contains(DuplicateIdProviderA.class.getName())
        .contains("same id");
  }

  @Test
  void aNewerApiIsReportedNamingBothVersions() {
    PluginProblem p = problem(PluginProblem.Code.INCOMPATIBLE_API);
    assertThat(p.provider()).isEqualTo(FutureApiProvider.ID);
    assertThat(p.message()).contains(FutureApiProvider.REQUIRED).contains(TunerApi.VERSION);
  }

  @Test
  void requireOfAnUnknownIdListsWhatIsAvailable() {
    assertThatThrownBy(() -> registry.require("nope"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("nope")
        .hasMessageContaining(ConstantProvider.ID)
        .hasMessageContaining(DuplicateIdProviderA.ID);
  }

  @Test
  void requireOfASkippedProviderSaysWhyItWasSkipped() {
    assertThatThrownBy(() -> registry.require(FutureApiProvider.ID))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("was found but skipped")
        .hasMessageContaining("requires tuner API " + FutureApiProvider.REQUIRED);
  }

  @Test
  void theGoodProviderOffersItsBuiltInModel() {
    ThroughputModel m = registry.require(ConstantProvider.ID).builtInModel(FeatureSchemas.tunerV1().ref())
        .orElseThrow();
    assertThat(m.info().providerId()).isEqualTo(ConstantProvider.ID);
    assertThat(m.predict(new float[FeatureSchemas.tunerV1().width()])).isEqualTo(Math.log(0.5));
  }

  @Test
  void anExplicitListIsCheckedLikeDiscovery() {
    ProviderRegistry r = ProviderRegistry.of(List.of(new ConstantProvider(), new FutureApiProvider(),
        new Described("", "1.0.0", "1.0"), new Described("bad-api", "1.0.0", "one"),
        new Described("no-version", " ", "1.0"), new Described("Acme Upper", "1.0.0", "1.0"),
        new ConstantProvider()));
    assertThat(r.providers()).containsOnlyKeys(ConstantProvider.ID, EnsembleProvider.ID);
    assertThat(r.problems()).extracting(PluginProblem::code).containsExactly(
        PluginProblem.Code.INCOMPATIBLE_API, PluginProblem.Code.INVALID_DESCRIPTOR,
        PluginProblem.Code.INVALID_DESCRIPTOR, PluginProblem.Code.INVALID_DESCRIPTOR,
        PluginProblem.Code.INVALID_DESCRIPTOR, PluginProblem.Code.DUPLICATE_ID);
    assertThat(r.problems().get(2).message()).contains("\"one\"").contains("major.minor");
    // an id the contract forbids (upper case, a space) is refused as the test kit refuses it
    assertThat(r.problems().get(4).message()).contains("\"Acme Upper\"", "lower case");
  }

  @Test
  void aProviderThatFailsToDescribeItselfIsSkipped() {
    ModelProvider failing = new Described("x", "1.0.0", "1.0") {
      @Override
      public String id() {
        throw new IllegalStateException("boom");
      }
    };
    ProviderRegistry r = ProviderRegistry.of(List.of(failing, new ConstantProvider()));
    assertThat(r.providers()).containsOnlyKeys(ConstantProvider.ID, EnsembleProvider.ID);
    assertThat(r.problems()).singleElement().satisfies(p -> {
      assertThat(p.code()).isEqualTo(PluginProblem.Code.BROKEN);
      assertThat(p.message()).contains("boom");
    });
  }

  @Test
  void anEmptyPluginDirectoryAddsNothingAndAMissingOneIsAnError(@TempDir Path dir) throws Exception {
    ProviderRegistry r = ProviderRegistry.discover(getClass().getClassLoader(), Optional.of(dir));
    assertThat(r.providers().keySet()).isEqualTo(registry.providers().keySet());
    Files.writeString(dir.resolve("not-a-jar.txt"), "ignored");
    assertThat(ProviderRegistry.discover(getClass().getClassLoader(), Optional.of(dir)).providers().keySet())
        .isEqualTo(registry.providers().keySet());
    Path missing = dir.resolve("missing");
    assertThatThrownBy(() -> ProviderRegistry.discover(getClass().getClassLoader(), Optional.of(missing)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("plugin directory")
        .hasMessageContaining(missing.toString());
  }

  /** A provider that reports whatever descriptor it is given. */
  private static class Described implements ModelProvider {
    private final String id;
    private final String version;
    private final String api;

    Described(String id, String version, String api) {
      this.id = id;
      this.version = version;
      this.api = api;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public String version() {
      return version;
    }

    @Override
    public String requiredApiVersion() {
      return api;
    }

    @Override
    public ThroughputModel load(ModelPayload payload) {
      throw new UnsupportedOperationException();
    }
  }
}
