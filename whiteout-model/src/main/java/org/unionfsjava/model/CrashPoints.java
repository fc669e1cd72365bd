package org.unionfsjava.model;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Named points inside multi-step changes (copy-up, rename, whiteout) where a crash test can stop
 * the daemon dead, as SIGKILL would, to prove the upper stays consistent whatever step a crash
 * interrupts. Off unless armed ({@link #arm}): the CLI arms the points its JVM runs with ({@code
 * -Dunionfs.crash-at=NAME[,NAME...]}, read with the other tuning properties at start-up); then
 * reaching an armed point halts the JVM at once (no shutdown hooks, exit status 137).
 *
 * <p>The points are listed in {@link #ALL}; tests name them, so keep the names stable.
 */
public final class CrashPoints {
  private static final Logger LOG = LogManager.getLogger();
  private static volatile java.util.Set<String> armed = java.util.Set.of();

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

  /** Arms these points (names of {@link #ALL}; others are never reached), replacing any armed. */
  public static void arm(java.util.Set<String> names) {
    armed = java.util.Set.copyOf(names);
  }

  /** Halts the JVM here if this point is armed; otherwise does nothing (one set lookup). */
  public static void reach(String name) {
    java.util.Set<String> points = armed;
    if (!points.isEmpty() && points.contains(name)) {
      LOG.warn("crash point {} reached: halting as a crash would", name);
      Runtime.getRuntime().halt(137);
    }
  }
}
