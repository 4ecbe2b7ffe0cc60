package dev.tuner.core.config;

import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.plugin.ProviderRegistry;
import dev.tuner.core.predict.ModelLoader;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.recommend.Recommender;
import dev.tuner.core.roofline.Roofline;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The objects {@link TunerModule} binds, made by the module's own provider methods but without a Guice injector:
 * each on first use, once. For a short-lived process that needs a few of them (the command line), where creating an
 * injector would cost more than everything it then provides (tens of milliseconds of reflection, annotation parsing
 * and class initialisation). The provider methods hold all the logic; this class only calls them with their
 * arguments, so a change of the module's dependencies fails to compile here rather than going unnoticed. Singletons
 * as in the injector: an object whose construction failed is attempted again on the next call. Thread-safe.
 */
public final class DirectWiring {
  private final TunerModule module;
  private final Map<Class<?>, Object> made = new HashMap<>();

  public DirectWiring(TunerConfig config) {
    this.module = new TunerModule(config);
  }

  /** Like {@link TunerModule#TunerModule(TunerConfig, DefaultModelPrefetch)}. */
  public DirectWiring(TunerConfig config, DefaultModelPrefetch prefetch) {
    this.module = new TunerModule(config, prefetch);
  }

  public Catalog catalog() {
    return once(Catalog.class, module::catalog);
  }

  public Roofline roofline() {
    return once(Roofline.class, () -> module.roofline(catalog()));
  }

  public ProviderRegistry registry() {
    return once(ProviderRegistry.class, module::registry);
  }

  public ModelLoader loader() {
    return once(ModelLoader.class, () -> module.loader(registry()));
  }

  public Predictor predictor() {
    return once(Predictor.class, () -> module.predictor(loader(), registry(), roofline()));
  }

  /** What the injector makes from {@link Recommender}'s injected constructor. */
  public Recommender recommender() {
    return once(Recommender.class, () -> new Recommender(predictor()));
  }

  private synchronized <T> T once(Class<T> type, Supplier<T> make) {
    Object existing = made.get(type);
    if (existing != null) {
      return type.cast(existing);
    }
    T value = make.get();
    made.put(type, value);
    return value;
  }
}
