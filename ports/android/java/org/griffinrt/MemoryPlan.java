// A model's and one session's planned memory: griffin_memory_plan (griffin.h), in bytes.
package org.griffinrt;

/** What a model and one session with given options use, known before the session exists. */
public final class MemoryPlan {
  // Order of the array filled by JNI (griffin_jni.c, memory_plan_values).
  private final long[] v;

  MemoryPlan(long[] values) {
    if (values.length != 17) {
      throw new GriffinException(GriffinStatus.INTERNAL, "memory plan has " + values.length + " fields");
    }
    this.v = values.clone();
  }

  /** Tensor bytes of the file: mapped, file-backed, shared. */
  public long weightsMappedBytes() { return v[0]; }
  /** Upper bound of XNNPACK's packed weights and operators. */
  public long weightsPackedBytes() { return v[1]; }
  /** Small arrays made at load (norm scales, conv taps). */
  public long weightsPreparedBytes() { return v[2]; }
  /** The three weight figures together. */
  public long modelBytes() { return v[3]; }
  public long rglruStateBytes() { return v[4]; }
  public long convStateBytes() { return v[5]; }
  public long kvCacheBytes() { return v[6]; }
  public long scratchBytes() { return v[7]; }
  public long logitsBytes() { return v[8]; }
  public long samplerBytes() { return v[9]; }
  public long historyBytes() { return v[10]; }
  /** The session's arena: every region above, aligned. */
  public long sessionBytes() { return v[11]; }
  /** modelBytes() + sessionBytes(). */
  public long totalBytes() { return v[12]; }
  /** Weight bytes one decode step reads. */
  public long weightsStreamedBytes() { return v[13]; }
  public long countersBytes() { return v[14]; }
  public long sessionUsedBytes() { return v[15]; }
  /** Size of {@link GriffinSession#saveState()} for such a session. */
  public long stateBytes() { return v[16]; }

  @Override
  public String toString() {
    return "MemoryPlan{model " + modelBytes() + " B, session " + sessionBytes() + " B, total "
        + totalBytes() + " B}";
  }
}
