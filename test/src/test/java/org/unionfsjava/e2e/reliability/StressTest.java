package org.unionfsjava.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.BranchChecksum;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.RelUpperFsck;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.TreeSnapshot;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Stress: 8 threads doing random mixed operations on a small set of overlapping names for a
 * bounded time (CI: 30 s per whiteout format; {@code -Dunionfs.long=true}: 10 min each), then:
 *
 * <ul>
 *   <li>no deadlock: a watchdog fails the run if no operation completes for 30 s (it takes a
 *       jstack of the daemon first, then kills it so the blocked threads return);
 *   <li>no error a plain directory would not give: {@link StressRun#ALLOWED}, proven complete by
 *       {@link #plainDirectory_sameWorkload_givesOnlyTheAllowedErrnos} on a plain directory;
 *   <li>tree consistent: every listed name can be stat'ed, no name twice in a listing, no internal
 *       name; the same tree after an unmount and a mount (nothing lived only in caches); upper
 *       fsck: every upper object visible, no aufs marker beside its own object, every whiteout
 *       hides a lower name or nothing (counted), the work directory's tmp area empty;
 *   <li>the lowers unchanged (checksums);
 *   <li>no leaks: the daemon's open descriptors return to the baseline taken before the run
 *       (+{@link #FD_SLACK}; libfuse's splice pipes, one pair per thread that has spliced a reply
 *       and kept for that thread's life, are bounded by {@link #PIPE_BOUND} instead), its threads to at most the baseline + {@link #THREAD_SLACK}
 *       (libfuse2 keeps up to 10 idle workers), and its resident memory stays below {@link
 *       #RSS_BOUND_KB} (the daemon runs with the JVM's default heap: a quarter of the RAM).
 * </ul>
 */
@Tag("mount")
@Tag("root")
@Timeout(value = 30, unit = TimeUnit.MINUTES)
@DisplayName("stress: 8 threads of mixed operations, then no deadlock, leak or inconsistency")
class StressTest {
  static final boolean LONG = Boolean.getBoolean("unionfs.long");
  static final Duration DURATION = Duration.ofSeconds(Long.getLong("unionfs.rel.stressSeconds", LONG ? 600 : 30));
  static final int THREADS = 8;
  static final int FD_SLACK = 2;
  /**
   * Pipe descriptors the daemon may hold: libfuse keeps a splice pipe pair per thread that has
   * replied with spliced data (the loop, the 4 reader threads, libfuse2's up to 10 workers); a
   * warm-up cannot be sure to touch every reader, so pipes are bounded, not compared.
   */
  static final int PIPE_BOUND = 2 * (1 + 4 + 10);
  static final int THREAD_SLACK = 12;
  /** 1 GiB: measured peaks here were 250–450 MB; a leak of handles or cache entries would exceed it. */
  static final long RSS_BOUND_KB = 1024 * 1024;

  @Test
  @DisplayName("harness self-check: the same workload on a plain directory gives only the allowed errnos")
  void plainDirectory_sameWorkload_givesOnlyTheAllowedErrnos(@TempDir Path tmp) throws Exception {
    long seed = Long.getLong("unionfs.rel.seed", System.nanoTime());
    Path plain = Files.createDirectories(tmp.resolve("plain"));
    StressRun.fill(plain, new Random(seed));
    StressRun run = new StressRun();
    boolean ok = run.run(plain, THREADS, Duration.ofSeconds(8), seed, () -> { });
    System.out.println("StressTest plain [seed " + seed + "]: " + run.totalOps() + " ops " + run.opCounts()
        + " errnos " + run.errnoCounts());
    assertTrue(ok, "plain directory stalled?");
    assertEquals(List.of(), run.violations.subList(0, Math.min(20, run.violations.size())),
        "[seed " + seed + "] a plain directory gave errnos outside StressRun.ALLOWED: the list is incomplete");
    assertTrue(run.totalOps() > 1000, "the workload ran: " + run.totalOps());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void eightThreadsMixedOps_noDeadlockNoLeak_treeConsistent(UnionSystem system, @TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(system);
    long seed = Long.getLong("unionfs.rel.seed", System.nanoTime());
    String tag = "[seed " + seed + ", " + system + "]";
    try (RelUnion union = RelUnion.create(tmp.resolve("u"), 2, system)) {
      StressRun.fill(union.lower(2), new Random(seed));
      StressRun.fill(union.lower(1), new Random(seed + 1));
      Files.createDirectories(union.lower(1).resolve("s3/only"));
      Map<String, String> l1 = BranchChecksum.of(union.lower(1));
      Map<String, String> l2 = BranchChecksum.of(union.lower(2));
      union.mount();
      // warm up (JIT, libfuse threads, caches), then take the baseline
      StressRun warm = new StressRun();
      warm.run(union.mnt(), 2, Duration.ofSeconds(2), seed ^ 1, () -> { });
      Thread.sleep(1500);
      int fds0 = nonPipeFds(union);
      long threads0 = union.status("Threads");
      long rss0 = union.status("VmRSS");
      AtomicLong rssPeak = new AtomicLong(rss0);
      AtomicLong threadsPeak = new AtomicLong(threads0);
      Thread sampler = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          try {
            rssPeak.accumulateAndGet(union.status("VmRSS"), Math::max);
            threadsPeak.accumulateAndGet(union.status("Threads"), Math::max);
            Thread.sleep(500);
          } catch (InterruptedException e) {
            return;
          } catch (RuntimeException | AssertionError gone) {
            return;
          }
        }
      }, "rss-sampler");
      sampler.setDaemon(true);
      sampler.start();

      StressRun run = new StressRun();
      String[] dump = {null};
      long t0 = System.nanoTime();
      boolean ok = run.run(union.mnt(), THREADS, DURATION, seed, () -> {
        dump[0] = union.threadDump();
        union.kill();
      });
      long secs = (System.nanoTime() - t0) / 1_000_000_000L;
      sampler.interrupt();
      sampler.join(5000);
      if (!ok) {
        fail(tag + " no progress for " + StressRun.STALL + " (deadlock?); daemon thread dump:\n" + dump[0]
            + "\nviolations: " + run.violations);
      }
      assertEquals(List.of(), run.violations.subList(0, Math.min(20, run.violations.size())),
          tag + " errors a plain directory would not give (" + run.violations.size() + " in all)");

      // leaks: descriptors back to the baseline once FUSE's asynchronous releases have arrived
      int fds1 = nonPipeFds(union);
      for (int i = 0; i < 100 && fds1 > fds0 + FD_SLACK; i++) {
        Thread.sleep(200);
        fds1 = nonPipeFds(union);
      }
      long pipes = union.openFdTargets().stream().filter(t -> t.contains("-> pipe:")).count();
      long threads1 = union.status("Threads");
      String figures = tag + " " + secs + " s, " + run.totalOps() + " ops (" + run.totalOps() / Math.max(1, secs)
          + "/s) " + run.opCounts() + "; errnos " + run.errnoCounts() + "; fds " + fds0 + " -> " + fds1
          + "; threads " + threads0 + " -> " + threads1 + " (peak " + threadsPeak.get() + "); RSS " + rss0 / 1024
          + " MB -> peak " + rssPeak.get() / 1024 + " MB";
      System.out.println("StressTest " + figures);
      assertTrue(pipes <= PIPE_BOUND, tag + " " + pipes + " pipe descriptors, more than " + PIPE_BOUND + ":\n  "
          + String.join("\n  ", union.openFdTargets()));
      assertTrue(fds1 <= fds0 + FD_SLACK, tag + " leaked descriptors (pipes aside): " + fds0 + " before, " + fds1
          + " after:\n  "
          + String.join("\n  ", union.openFdTargets()));
      assertTrue(threads1 <= threads0 + THREAD_SLACK, tag + " threads " + threads0 + " before, " + threads1 + " after");
      assertTrue(rssPeak.get() < RSS_BOUND_KB, tag + " RSS peak " + rssPeak.get() + " kB over the bound " + RSS_BOUND_KB);
      assertTrue(run.totalOps() > 1000, figures);

      // files unlinked while open leave the work directory when libfuse unlinks their hidden
      // names after the last release, which arrives asynchronously: give that a few seconds
      for (int i = 0; i < 50 && !workTemps(union).isEmpty(); i++) {
        Thread.sleep(100);
      }
      // the tree: consistent, nothing internal, the upper clean, the same after a remount
      MountedTree tree = MountedTree.read(union.mnt());
      assertEquals(List.of(), tree.problems(), tag + " names listed but not stat-able");
      assertEquals(List.of(), tree.internalNames(), tag + " internal names visible");
      List<String> dups = new ArrayList<>();
      for (var e : tree.entries().entrySet()) {
        if (e.getValue().kind() == ExpectedTree.Kind.DIR) {
          List<String> names = org.unionfsjava.e2e.support.Fixture.names(union.at(e.getKey()));
          if (new HashSet<>(names).size() != names.size()) {
            dups.add(e.getKey() + ": " + names);
          }
        }
      }
      assertEquals(List.of(), dups, tag + " names listed twice");
      RelUpperFsck.Report fsck = RelUpperFsck.check(union.upper(), system.whiteoutFormat(), tree.entries().keySet(),
          union.lowers());
      System.out.println("StressTest " + tag + " upper fsck: whiteouts hiding a lower name " + fsck.whiteoutsHiding()
          + ", harmless " + fsck.whiteoutsHarmless() + ", orphans " + fsck.orphans().size() + ", pairs "
          + fsck.pairs().size() + ", work temps " + fsck.workTemps().size());
      assertEquals(List.of(), fsck.problems(false), tag + " upper fsck");
      List<String> tempsBeforeRemount = fsck.workTemps();
      String tempListing = tempsBeforeRemount.isEmpty() ? "" : org.unionfsjava.e2e.support.Processes.sh(
          Duration.ofSeconds(30), "cd '" + union.workDir().resolve("tmp") + "' && find . -printf '%y %m %s %p\\n' | head -50")
          .stdout();
      Map<String, String> before = TreeSnapshot.of(union.mnt(), false);
      union.unmount();
      union.mount();
      Map<String, String> after = TreeSnapshot.of(union.mnt(), false);
      assertEquals(List.of(), BranchChecksum.diff(before, after), tag + " tree changed across a remount");
      assertEquals(List.of(), BranchChecksum.diff(l1, BranchChecksum.of(union.lower(1))), tag + " lower1 changed");
      assertEquals(List.of(), BranchChecksum.diff(l2, BranchChecksum.of(union.lower(2))), tag + " lower2 changed");
      // last, so that the checks above run whatever happens here: files unlinked while open are kept
      // in the work directory's tmp area and must go when their last handle closes (checked before
      // the remount above, which empties the area)
      assertEquals(List.of(), tempsBeforeRemount, tag + " temporaries left in the work directory with no file open "
          + "(see OpenUnlinkedFileTest):\n" + tempListing);
    }
  }

  private static List<String> workTemps(RelUnion union) throws java.io.IOException {
    List<String> out = new ArrayList<>();
    try (var st = Files.list(union.workDir().resolve("tmp"))) {
      st.forEach(p -> out.add(p.getFileName().toString()));
    }
    return out;
  }

  /** The daemon's open descriptors other than pipes (which {@link #PIPE_BOUND} bounds). */
  private static int nonPipeFds(RelUnion union) {
    return (int) union.openFdTargets().stream().filter(t -> !t.contains("-> pipe:")).count();
  }
}
