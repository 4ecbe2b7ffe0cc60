package dev.tuner.core.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.Fixtures;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.fuzz.ForestPlugin;
import dev.tuner.core.fuzz.TrainedForest;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.scenario.Scenario;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 8 item 3: one {@link Predictor}, built by Guice from configuration with a forest trained by the real provider,
 * shared by 16 threads making 1 000 000 predictions in total, gives bit for bit what one thread gives. Any shared
 * mutable state (a cached scratch array, a lazily filled table, a non-thread-safe formatter) shows up here as a wrong
 * number, not just as a crash.
 */
class SharedPredictorTest {
  private static final int THREADS = 16;
  private static final int TOTAL = 1_000_000;
  private static final int PER_THREAD = TOTAL / THREADS;
  /** Full predictions (interval, confidence, attributions) per thread; the rest go through the batch path. */
  private static final int FULL_PER_THREAD = 2_500;
  private static final int BATCH = 250;
  private static final int RANDOM_SCENARIOS = 1_500;

  /**
   * The timeout guards against a deadlock, not a speed: the run takes 35-40 s on 2 idle cores and went past 120 s on a
   * machine busy with other builds, so the guard sits far above any load's.
   */
  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void sixteenThreadsGetExactlyWhatOneThreadGets() throws Exception {
    assertThat((PER_THREAD - FULL_PER_THREAD) % BATCH).as("batches fill the per-thread share exactly").isZero();
    TrainedForest forest = TrainedForest.get();
    Predictor predictor = forest.predictor();
    assertThat(predictor.isFallback()).isFalse();
    assertThat(predictor.model().model().info().providerId()).isEqualTo(ForestPlugin.ID);

    Scenario[] scenarios = scenarios(forest);
    int n = scenarios.length;

    // the single-threaded reference, computed before any other thread touches the predictor
    double[] batchReference = new double[n];
    predictor.predictTokensPerSecond(scenarios, batchReference, new float[n * predictor.encoder().width()]);
    ThroughputPrediction[] fullReference = new ThroughputPrediction[n];
    for (int i = 0; i < n; i++) {
      fullReference[i] = predictor.predict(scenarios[i]);
    }
    // a model that answers the same for every scenario would make the comparison vacuous
    assertThat(Arrays.stream(batchReference).distinct().count()).isGreaterThan(n / 4);

    AtomicLong made = new AtomicLong();
    ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          start.await();
          // threads start at different places, so the same scenario is in flight on several threads at once while
          // neighbouring threads work on different ones
          int at = (thread * 997) % n;
          float[] scratch = new float[BATCH * predictor.encoder().width()];
          double[] out = new double[BATCH];
          Scenario[] window = new Scenario[BATCH];
          int batchCalls = (PER_THREAD - FULL_PER_THREAD) / BATCH;
          int fullEvery = batchCalls / 10;
          int full = 0;
          for (int call = 0; call < batchCalls; call++) {
            for (int j = 0; j < BATCH; j++) {
              window[j] = scenarios[(at + j) % n];
            }
            predictor.predictTokensPerSecond(window, out, scratch);
            for (int j = 0; j < BATCH; j++) {
              int i = (at + j) % n;
              if (Double.doubleToRawLongBits(out[j]) != Double.doubleToRawLongBits(batchReference[i])) {
                report(mismatches, "thread " + thread + ", batch, scenario " + i + ": " + out[j] + " != "
                    + batchReference[i]);
              }
            }
            made.addAndGet(BATCH);
            at = (at + BATCH) % n;
            // interleave the full path with the batch path rather than running it in one block
            if (call % fullEvery == fullEvery - 1) {
              for (int k = 0; k < FULL_PER_THREAD / 10; k++, full++) {
                int i = (at + 7 * k) % n;
                check(thread, i, predictor.predict(scenarios[i]), fullReference[i], mismatches);
              }
              made.addAndGet(FULL_PER_THREAD / 10);
            }
          }
          for (; full < FULL_PER_THREAD; full++) {
            int i = (at + full) % n;
            check(thread, i, predictor.predict(scenarios[i]), fullReference[i], mismatches);
            made.incrementAndGet();
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(mismatches).as("predictions that differ from the single-threaded reference").isEmpty();
    assertThat(made.get()).isEqualTo(TOTAL);
  }

  /** Records are compared field by field, doubles by their bits, so -0.0 against 0.0 would count as a difference. */
  private static void check(int thread, int i, ThroughputPrediction got, ThroughputPrediction want,
      ConcurrentLinkedQueue<String> mismatches) {
    boolean same = got.equals(want)
        && Double.doubleToRawLongBits(got.tokensPerSecond()) == Double.doubleToRawLongBits(want.tokensPerSecond())
        && Double.doubleToRawLongBits(got.confidence()) == Double.doubleToRawLongBits(want.confidence());
    if (!same) {
      report(mismatches, "thread " + thread + ", full, scenario " + i + ": " + got + " != " + want);
    }
  }

  /** Keeps the first few: a broken predictor would otherwise fill the heap with a million messages. */
  private static void report(ConcurrentLinkedQueue<String> mismatches, String message) {
    if (mismatches.size() < 20) {
      mismatches.add(message);
    }
  }

  /** Every shipped row's scenario plus seeded random ones from the whole accepted input space. */
  private static Scenario[] scenarios(TrainedForest forest) {
    List<Scenario> out = new ArrayList<>();
    for (Dataset.Example e : forest.data().examples()) {
      out.add(e.scenario());
    }
    SplittableRandom r = new SplittableRandom(TrainedForest.SEED);
    for (int i = 0; i < RANDOM_SCENARIOS; i++) {
      out.add(Fixtures.answerableBy(forest.predictor(), Fixtures.random(r)));
    }
    return out.toArray(Scenario[]::new);
  }
}
