package dev.tuner.core.catalog;

import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import java.io.Reader;
import java.util.List;

/** The catalog's package-private readers, for tests in other packages. */
public final class CatalogReaders {
  private CatalogReaders() {}

  public static List<DeviceSpec> devices(Reader in, String source) {
    return Catalog.readDevices(in, source);
  }

  public static List<ModelSpec> models(Reader in, String source) {
    return Catalog.readModels(in, source);
  }
}
