package org.unionfsjava.e2e.differential;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import org.unionfsjava.e2e.support.LowersUnchanged;
import org.unionfsjava.e2e.support.UnionSystem;

/** Entry point for the interop package: a differential run followed by a mount by another system. */
public final class CrossMount {
  private CrossMount() {}

  /** Runs {@code steps} operations on {@code writer}, then compares {@code reader}'s view; throws AssertionError. */
  public static void run(UnionSystem writer, UnionSystem reader, long seed, int steps, Path tmp, LowersUnchanged lowers)
      throws IOException {
    // the Java side runs without kernel caching, so hard links are compared at once (see DifferentialTest)
    DifferentialRun run = new DifferentialRun(writer, seed, EnumSet.allOf(Session.Check.class),
        DifferentialTest.skippedOps(), lowers::watch).crossMountWith(reader).withCacheTtl("0s");
    long t0 = System.nanoTime();
    try {
      DifferentialRun.Summary s = run.run(tmp.resolve("run"), steps);
      System.out.printf("cross-mount %s -> %s seed %d: %d ops OK, %d ms%n", writer, reader, seed, s.steps(),
          (System.nanoTime() - t0) / 1_000_000);
    } catch (DifferentialRun.Mismatch m) {
      throw new AssertionError(DifferentialTest.report("CrossMountDifferentialTest", writer, seed, m, run, tmp, steps), m);
    }
  }
}
