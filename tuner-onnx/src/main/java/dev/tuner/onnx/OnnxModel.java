package dev.tuner.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TunerException;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An ONNX model held in one ONNX Runtime session, created once and shared by all threads ({@code run} is
 * thread-safe). A batch goes to the runtime as one {@code [rows, width]} tensor.
 */
public final class OnnxModel implements ThroughputModel {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final ModelInfo info;
  private final String inputName;
  private final int width;
  private final boolean singleRow;
  /**
   * Predictions hold the read lock and {@link #close()} the write lock, so the native session is never freed
   * while a run is using it (that would crash the JVM rather than throw).
   */
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  OnnxModel(OrtEnvironment env, OrtSession session, ModelInfo info, String inputName, boolean singleRow) {
    this.env = env;
    this.session = session;
    this.info = info;
    this.inputName = inputName;
    this.width = info.featureCount();
    this.singleRow = singleRow;
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public double predict(float[] features) {
    if (features.length != width) {
      throw new InvalidInputException(
          "features", features.length + " values", width + " values, the width of model " + info.modelId());
    }
    double[] out = new double[1];
    run(features, 0, 1, out, 0);
    return out[0];
  }

  @Override
  public void predictBatch(float[] features, int rows, double[] out) {
    if (rows < 0 || (long) rows * width > features.length || rows > out.length) {
      throw new InvalidInputException(
          "batch",
          rows + " rows of " + width + " features from " + features.length + " values into " + out.length + " outputs",
          "rows >= 0, rows * width <= features.length and rows <= out.length");
    }
    if (rows == 0) {
      return;
    }
    if (singleRow) {
      for (int r = 0; r < rows; r++) {
        run(features, r * width, 1, out, r);
      }
    } else {
      run(features, 0, rows, out, 0);
    }
  }

  /**
   * Releases the native session, after any running prediction. Later predictions fail with
   * {@link IllegalStateException}; closing twice is a no-op.
   */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      session.close();
    } catch (OrtException e) {
      throw new TunerException("cannot close ONNX model " + info.modelId() + ": " + e.getMessage(), e);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "OnnxModel[" + info.modelId() + ", " + width + " features, " + info.outputKind().id() + "]";
  }

  private void run(float[] features, int offset, int rows, double[] out, int outOffset) {
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("ONNX model " + info.modelId() + " is closed; load it again to predict");
      }
      // A heap buffer is copied into native memory, so the caller's array is not retained.
      try (OnnxTensor tensor = OnnxTensor.createTensor(
              env, FloatBuffer.wrap(features, offset, rows * width), new long[] {rows, width});
          OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
        OnnxValue value = result.get(0);
        if (!(value instanceof OnnxTensor output) || output.getInfo().type != OnnxJavaType.FLOAT) {
          throw new TunerException("ONNX model " + info.modelId() + " returned " + value.getInfo()
              + " instead of a float tensor");
        }
        FloatBuffer values = output.getFloatBuffer();
        if (values.remaining() != rows) {
          throw new TunerException("ONNX model " + info.modelId() + " returned " + values.remaining()
              + " values for " + rows + " rows; it must return one value per row");
        }
        for (int r = 0; r < rows; r++) {
          out[outOffset + r] = values.get(r);
        }
      }
    } catch (OrtException e) {
      throw new TunerException("ONNX Runtime failed to run model " + info.modelId() + ": " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }
}
