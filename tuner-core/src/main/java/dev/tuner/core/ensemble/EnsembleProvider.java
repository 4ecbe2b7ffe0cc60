package dev.tuner.core.ensemble;

import dev.tuner.api.IncompatibleModelException;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TunerApi;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.FeatureSchemas;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * tuner's built-in provider of {@link PhaseEnsemble}s. It is not discovered but added by the provider registry, since
 * it loads its members through the other providers the registry holds.
 */
public final class EnsembleProvider implements ModelProvider {
  public static final String ID = "ensemble";
  public static final String VERSION = "0.1.0";
  /** The feature whose value chooses a phase's members: above 0.5 prefill, otherwise decode. */
  public static final String PHASE_FEATURE = "is_prefill";

  private final Function<String, Optional<ModelProvider>> providers;

  /** {@code providers} finds the other providers by id. */
  public EnsembleProvider(Function<String, Optional<ModelProvider>> providers) {
    this.providers = providers;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String version() {
    return VERSION;
  }

  @Override
  public String requiredApiVersion() {
    return TunerApi.VERSION;
  }

  @Override
  public String description() {
    return "per-phase blend of other providers' models: averaged, weighted as given, or weighted on held-out devices";
  }

  /**
   * Loads every member through its own provider after checking the payload; a member must declare the ensemble's
   * schema, output kind and width, so it reads the same features and its output means the same thing.
   */
  @Override
  public ThroughputModel load(ModelPayload payload) {
    ModelInfo declared = payload.info();
    if (!ID.equals(declared.providerId())) {
      throw new IncompatibleModelException("provider", ID, declared.providerId());
    }
    EnsemblePayload.Contents c = EnsemblePayload.read(payload.bytes(), declared.modelId());
    List<ThroughputModel> opened = new ArrayList<>();
    try {
      List<PhaseEnsemble.Member> decode = open(c.decode(), payload, opened);
      List<PhaseEnsemble.Member> prefill = open(c.prefill(), payload, opened);
      int phaseSlot = phaseSlot(c.phaseFeature(), declared);
      return new PhaseEnsemble(declared, phaseSlot, decode, prefill);
    } catch (RuntimeException e) {
      opened.forEach(ThroughputModel::close);
      throw e;
    }
  }

  /** The phase flag's index in the declared schema, which the host has already checked is a shipped one. */
  private static int phaseSlot(String feature, ModelInfo declared) {
    if (!PHASE_FEATURE.equals(feature)) {
      throw new ModelLoadException("ensemble " + declared.modelId() + " blends by \"" + feature
          + "\"; this tuner blends by \"" + PHASE_FEATURE + "\"");
    }
    FeatureSchema schema;
    try {
      schema = FeatureSchemas.byId(declared.schema().id());
    } catch (InvalidInputException e) {
      throw new ModelLoadException("ensemble " + declared.modelId() + " declares schema " + declared.schema()
          + ", which this tuner does not ship", e);
    }
    int slot = schema.indexOf(feature);
    if (slot < 0 || schema.width() != declared.featureCount()) {
      throw new ModelLoadException("ensemble " + declared.modelId() + ": schema " + schema.id() + " has no feature \""
          + feature + "\" or not " + declared.featureCount() + " features");
    }
    return slot;
  }

  private List<PhaseEnsemble.Member> open(List<EnsemblePayload.StoredMember> stored, ModelPayload ensemble,
      List<ThroughputModel> opened) {
    ModelInfo declared = ensemble.info();
    List<PhaseEnsemble.Member> out = new ArrayList<>();
    for (EnsemblePayload.StoredMember s : stored) {
      if (s.providerId().equals(ID)) {
        throw new ModelLoadException("ensemble " + declared.modelId() + " lists an ensemble as a member");
      }
      ModelProvider p = providers.apply(s.providerId()).orElseThrow(() -> new ModelLoadException("ensemble "
          + declared.modelId() + " needs provider \"" + s.providerId() + "\" (version " + s.providerVersion()
          + "), which is not installed"));
      ModelInfo info = new ModelInfo(s.modelId(), s.providerId(), declared.schema(), declared.outputKind(),
          declared.featureCount(), s.properties(), List.of());
      ThroughputModel m = p.load(new ModelPayload(info, s.payload(), ensemble.layout()));
      opened.add(m);
      ModelInfo loaded = m.info();
      if (!loaded.schema().equals(declared.schema()) || loaded.outputKind() != declared.outputKind()
          || loaded.featureCount() != declared.featureCount()) {
        throw new ModelLoadException("ensemble " + declared.modelId() + ": member " + s.modelId() + " reads "
            + loaded.schema() + " with " + loaded.featureCount() + " features and gives " + loaded.outputKind().id()
            + "; the ensemble reads " + declared.schema() + " with " + declared.featureCount() + " and gives "
            + declared.outputKind().id());
      }
      out.add(new PhaseEnsemble.Member(m, s.weight()));
    }
    return out;
  }

  /**
   * The installed provider with this id, for the ensemble trainer (module tuner-train), which trains each member
   * through it. This provider offers no {@link #trainer()} itself, so that the prediction runtime carries no
   * training code.
   */
  public Optional<ModelProvider> member(String id) {
    return providers.apply(id);
  }

  /** The first 16 hex digits of the payload's SHA-256, prefixed with the provider id. */
  public static String modelId(byte[] payload) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(payload);
      return ID + "-" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }
}
