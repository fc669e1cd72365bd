package org.unionfsjava.e2e.support;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Compares two {@link TreeSnapshot}s and fails with only the paths that differ. */
public final class TreeAssert {
  private TreeAssert() {}

  public static void assertTrees(String what, Map<String, String> expected, Map<String, String> actual) {
    if (expected.equals(actual)) {
      return;
    }
    StringBuilder sb = new StringBuilder(what).append(": trees differ\n");
    Set<String> keys = new TreeSet<>(expected.keySet());
    keys.addAll(actual.keySet());
    for (String k : keys) {
      String e = expected.get(k);
      String a = actual.get(k);
      if (e == null || !e.equals(a)) {
        sb.append("  ").append(k).append(": expected ").append(e == null ? "(absent)" : e)
            .append(" | got ").append(a == null ? "(absent)" : a).append('\n');
      }
    }
    throw new AssertionError(sb.toString());
  }
}
