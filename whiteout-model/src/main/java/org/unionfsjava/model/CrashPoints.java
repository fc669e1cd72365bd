package org.unionfsjava.model;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Named points inside multi-step changes (copy-up, rename, whiteout) where a crash test can stop
 * the daemon dead, as SIGKILL would, to prove the upper stays consistent whatever step a crash
 * interrupts. Off unless the JVM runs with {@code -Dunionfs.crash-at=NAME[,NAME...]}; then
 * reaching a listed point halts the JVM at once (no shutdown hooks, exit status 137).
 *
 * <p>The points are listed in {@link #ALL}; tests name them, so keep the names stable.
 */
public final class CrashPoints {
  private static final Logger LOG = LogManager.getLogger();
  private static final String PROPERTY = "unionfs.crash-at";
  private static final java.util.Set<String> ARMED = armed();

  /** Every point, in the order a copy-up and a rename reach them. */
  public static final java.util.List<String> ALL = java.util.List.of(
      "copyup.after-data", "copyup.after-rename", "rename.after-copyup", "rename.after-redirect",
      "rename.before-final", "exchange.after-copyup", "exchange.before-final", "whiteout.after-marker",
      "create.after-temp",
      // the offline tools (module lifecycle): the new tree is complete aside; it replaced the old
      "commit.before-rename", "commit.after-exchange", "convert.before-swap", "convert.after-swap",
      // snapshot layers (lifecycle Snapshots): before and after the one rename that commits each
      "snapshot.before-swap", "snapshot.after-swap", "reset.before-swap", "reset.after-swap",
      "rollback.before-swap", "rollback.after-swap", "squash.before-rename", "squash.after-rename",
      "squash.after-record");

  private CrashPoints() {}

  private static java.util.Set<String> armed() {
    String v = System.getProperty(PROPERTY, "");
    java.util.Set<String> s = new java.util.HashSet<>();
    for (String n : v.split(",")) {
      if (!n.isBlank()) {
        s.add(n.trim());
      }
    }
    return java.util.Set.copyOf(s);
  }

  /** Halts the JVM here if this point is armed; otherwise does nothing (one set lookup). */
  public static void reach(String name) {
    if (!ARMED.isEmpty() && ARMED.contains(name)) {
      LOG.warn("crash point {} reached: halting as a crash would", name);
      Runtime.getRuntime().halt(137);
    }
  }
}
