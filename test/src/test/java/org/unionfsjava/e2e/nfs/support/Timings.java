package org.unionfsjava.e2e.nfs.support;

import org.junit.jupiter.api.TestReporter;

/**
 * Publishes a measured value both as a JUnit report entry and on standard output (surefire keeps
 * the latter in the test's report, where the report entries do not show).
 */
public final class Timings {
  private Timings() {}

  public static void publish(TestReporter reporter, String key, Object value) {
    reporter.publishEntry(key, String.valueOf(value));
    System.out.println("[nfs] " + key + ": " + value);
  }
}
