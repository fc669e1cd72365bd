package org.unionfsjava.e2e.support;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;

/**
 * Lets a developer run the e2e tests for some systems only: with
 * {@code -Dunionfs.e2e.systems=KERNEL_OVERLAY} (comma-separated names) the other systems' cases
 * are skipped. Without the property every listed system runs.
 */
public final class SystemSelection {
  public static final String PROPERTY = "unionfs.e2e.systems";

  private SystemSelection() {}

  /** Skips the current test unless this system is selected. */
  public static void assumeSelected(UnionSystem system) {
    String selected = System.getProperty(PROPERTY, "").trim();
    if (!selected.isEmpty()) {
      assumeTrue(Arrays.stream(selected.split(",")).map(String::trim).anyMatch(system.name()::equals),
          system + " not in -D" + PROPERTY + "=" + selected);
    }
  }
}
