package org.unionfsjava.model;

import java.nio.file.Path;

/**
 * One branch of the union: its position (0 = upper, 1.. = lowers top to bottom), its root
 * directory and whether the union may write to it. Only the upper is writable.
 */
public record Branch(int index, Path root, boolean writable) {

  /** True for the writable upper. */
  public boolean isUpper() {
    return writable;
  }

  /** A short name for messages: "upper" or "lower1", "lower2", ... */
  public String label() {
    return writable ? "upper" : "lower" + index;
  }
}
