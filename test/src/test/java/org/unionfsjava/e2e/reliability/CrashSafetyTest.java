package org.unionfsjava.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.reliability.ExpectedTree.Node;
import org.unionfsjava.e2e.support.BranchChecksum;
import org.unionfsjava.e2e.support.MergedModel;
import org.unionfsjava.e2e.support.PosixExtras;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.RelUpperFsck;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.Syscalls.Call;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Crash safety (DESIGN §2 copy-up step 3, package-info "Atomicity and crashes"): a seeded
 * workload runs on the mount while the daemon is killed with SIGKILL at a random point of a
 * random step; the dead mount is cleared, the same branches are mounted again, and the merged
 * view must be exactly the tree before the step in flight or the tree after it. Nothing else is
 * allowed, except a write in flight, which may have landed in part (a process killed inside
 * write(2) can leave a prefix on any filesystem), and the states listed in {@link
 * #DOCUMENTED_CRASH_STATES}.
 *
 * <p>Checked after every kill: every path is its old or new content, kind, mode and (where known)
 * mtime, never partial (64 MiB copy-ups compared byte for byte); a step that returned before the
 * kill is there (so is every fsync'ed write); no name is missing (no whiteout hides a name that
 * was not deleted) and none is extra (no temporary or internal name: {@code .unionfs-java},
 * {@code .wh.*}, {@code .fuse_hidden*}); the work directory's tmp area is empty after the mount;
 * every upper object is visible (no orphan temporaries); the union keeps working (the next
 * workload runs on it). The lowers' fingerprints ({@link BranchChecksum}) are compared at every
 * reset and at the end. The upper is reused across kills; it is wiped (while unmounted) when every
 * 64 MiB file has been copied up, so copy-ups keep being hit.
 *
 * <p>CI: 2 formats × 50 kills. {@code -Dunionfs.long=true}: 2 × 250. {@code
 * -Dunionfs.rel.kills=N} and {@code -Dunionfs.rel.seed=S} override; the seed is printed and is in
 * every failure message (kill timing is wall-clock, so a replay hits nearby points, not the same).
 */
@Tag("mount")
@Tag("root")
@Timeout(value = 60, unit = TimeUnit.MINUTES)
@DisplayName("crash safety: SIGKILL at random points, then the tree is old or new")
class CrashSafetyTest {
  static final boolean LONG = Boolean.getBoolean("unionfs.long");
  static final int KILLS = Integer.getInteger("unionfs.rel.kills", LONG ? 250 : 50);
  static final int BIG = Integer.getInteger("unionfs.rel.bigMiB", 64) << 20;
  /** A CI run per format that takes longer than this fails (the whole CI part must stay short). */
  static final Duration CI_BUDGET = Duration.ofMinutes(LONG ? 55 : 8);

  /**
   * Outcomes of a kill that are neither the old nor the new tree, allowed because the union
   * documents them (package-info, table "What a crash in the middle of an operation can leave").
   */
  static final List<String> DOCUMENTED_CRASH_STATES = List.of(
      "rename of a directory over an empty upper directory: the two are exchanged, then the old target "
          + "is removed or turned into a whiteout at the source name; a crash in between shows the old, "
          + "empty-looking target under the source name (CrashStep.Rename#documentedCrashState)");

  private static final Set<String> BIG_FILES = Set.of("big0", "big1", "big2");
  private static final long MTIME_BASE = 1_600_000_000_000_000_000L;

  /** What one kill point led to. */
  private record KillPoint(int index, String inFlight, String outcome) {}

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void sigkillDuringWorkload_mountAgain_everyPathOldOrNew(UnionSystem system, @TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(system);
    long seed = Long.getLong("unionfs.rel.seed", System.nanoTime());
    String tag = "[seed " + seed + ", " + system + "]";
    System.out.println("CrashSafetyTest " + tag + ": " + KILLS + " kills, big files " + (BIG >> 20) + " MiB");
    Random rnd = new Random(seed);
    long started = System.nanoTime();

    try (RelUnion union = RelUnion.create(tmp.resolve("u"), 2, system).javaOpts("-XX:TieredStopAtLevel=1")) {
      ExpectedTree initial = fillLowers(union, new Random(seed ^ 0x5eedL));
      Set<String> lowerPaths = new HashSet<>(initial.nodes().keySet());
      Map<Path, Map<String, String>> lowerPrints = new TreeMap<>();
      for (Path l : union.lowers()) {
        lowerPrints.put(l, BranchChecksum.of(l));
      }
      CrashPlanner planner = new CrashPlanner(rnd, lowerPaths, BIG_FILES);
      Map<String, Double> estimateMs = new TreeMap<>();
      Map<String, Integer> histogram = new TreeMap<>();
      Map<String, Integer> outcomes = new TreeMap<>();
      List<KillPoint> points = new ArrayList<>();

      union.mount();
      ExpectedTree expected = initial.copy();
      verify(union, List.of(expected), null, Set.of(), tag + " before any kill", seed, false);
      int sinceReset = 0;
      long workloadNs = 0;
      long mountNs = 0;
      long verifyNs = 0;
      for (int i = 0; i < KILLS; i++) {
        if (System.nanoTime() - started > CI_BUDGET.toNanos()) {
          fail(tag + " out of time budget " + CI_BUDGET + " after " + i + " kills");
        }
        boolean big = i % 2 == 0 && CrashPlanner.hasPristineBig(expected, BIG_FILES);
        List<CrashStep> plan = planner.plan(expected.copy(), big, 2 + rnd.nextInt(5));
        // in a workload that starts with a 64 MiB copy-up, half the kills aim at that copy-up
        int k = big && rnd.nextBoolean() ? 0 : rnd.nextInt(20) == 0 ? plan.size() : rnd.nextInt(Math.max(1, plan.size()));
        long delayNs = k == plan.size() ? 0
            : (long) (rnd.nextDouble() * 0.9 * estimateMs.getOrDefault(plan.get(k).kind(), defaultMs(plan.get(k))) * 1e6);

        Workload w = new Workload(plan, expected.copy(), new CrashStep.Ctx(union.mnt()), k);
        Thread t = new Thread(w, "crash-workload-" + i);
        long t0 = System.nanoTime();
        t.start();
        while (w.started < k && t.isAlive()) {
          LockSupport.parkNanos(20_000);
        }
        if (k < plan.size()) {
          LockSupport.parkNanos(delayNs);
        }
        long killAt = System.nanoTime();
        union.kill();
        w.killed = true;
        t.join(60_000);
        workloadNs += System.nanoTime() - t0;
        if (t.isAlive()) {
          fail(tag + " kill " + i + ": the workload is still blocked 60 s after the daemon died\n" + log(plan, w));
        }
        for (int s = 0; s <= w.done; s++) {
          estimateMs.merge(plan.get(s).kind(), w.durationsMs[s], (old, now) -> 0.7 * old + 0.3 * now);
        }
        CrashStep inFlight = w.failure == null ? null : plan.get(w.done + 1);
        if (w.failure != null && w.failedAt < killAt) {
          fail(tag + " kill " + i + ": step failed before the kill: " + w.failure + "\n" + log(plan, w));
        }
        long t1 = System.nanoTime();
        union.clearDeadMount();
        union.mount();
        long t2 = System.nanoTime();
        mountNs += t2 - t1;

        List<ExpectedTree> candidates = new ArrayList<>();
        candidates.add(w.tree);
        MountedTree.PartialWrite partial = null;
        Set<String> full = new HashSet<>(w.touched);
        if (inFlight != null) {
          ExpectedTree after = w.tree.copy();
          inFlight.apply(after);
          candidates.add(after);
          partial = inFlight.partial();
          ExpectedTree documented = inFlight.documentedCrashState(w.tree);
          if (documented != null) {
            candidates.add(documented);
          }
          if (inFlight.contentPath() != null) {
            full.add(inFlight.contentPath());
          }
        }
        String where = tag + " kill " + i + " in " + (inFlight == null ? "(idle, all " + plan.size() + " steps done)"
            : "step " + (w.done + 1) + " '" + inFlight + "'") + " after " + delayNs / 1000 + " µs";
        int matched = verify(union, candidates, partial, full, where + "\n" + log(plan, w), seed + i, true);
        verifyNs += System.nanoTime() - t2;
        String outcome = matched == 0 ? (inFlight == null ? "done" : "old") : matched == 1 ? "new" : "documented";
        if (matched == 0 && partial != null && !sameTree(union, w.tree, full, seed + i)) {
          outcome = "partial-write";
        }
        expected = candidates.get(matched);
        if (outcome.equals("partial-write")) {
          expected = withActualContent(union, w.tree, partial.path());
        }
        String kind = inFlight != null ? inFlight.kind() : k < plan.size() ? "just after " + plan.get(k).kind() : "idle";
        histogram.merge(kind, 1, Integer::sum);
        outcomes.merge(outcome, 1, Integer::sum);
        points.add(new KillPoint(i, kind, outcome));

        sinceReset++;
        if (!CrashPlanner.hasPristineBig(expected, BIG_FILES) && sinceReset >= 4) {
          union.unmount();
          wipe(union.upper());
          assertLowersUnchanged(lowerPrints, tag + " after " + (i + 1) + " kills");
          union.mount();
          expected = initial.copy();
          sinceReset = 0;
        }
      }
      union.unmount();
      assertLowersUnchanged(lowerPrints, tag + " at the end");
      long secs = (System.nanoTime() - started) / 1_000_000_000L;
      System.out.println("CrashSafetyTest " + tag + ": " + points.size() + " kill points survived in " + secs
          + " s, 0 violations; in flight at the kill: " + histogram + "; outcomes: " + outcomes
          + "; mounts: " + union.mountCount() + "; seconds in workloads " + workloadNs / 1_000_000_000L
          + ", in clearing and mounting " + mountNs / 1_000_000_000L + ", in verifying " + verifyNs / 1_000_000_000L);
      assertEquals(KILLS, points.size(), tag);
    }
  }

  private static double defaultMs(CrashStep s) {
    return s.kind().contains("64MiB") ? 1500 : 1;
  }

  /**
   * The workload thread: runs the steps in order, applying each that succeeded to its tree. After
   * step {@code stopAfter} it waits for the kill instead of going on, so the kill lands in that
   * step or just after it, whatever the timing.
   */
  static final class Workload implements Runnable {
    final List<CrashStep> plan;
    final ExpectedTree tree;
    final CrashStep.Ctx ctx;
    final double[] durationsMs;
    final Set<String> touched = new HashSet<>();
    final int stopAfter;
    volatile boolean killed;
    volatile int started = -1;
    volatile int done = -1;
    volatile Call failure;
    volatile long failedAt;

    Workload(List<CrashStep> plan, ExpectedTree tree, CrashStep.Ctx ctx, int stopAfter) {
      this.plan = plan;
      this.tree = tree;
      this.ctx = ctx;
      this.stopAfter = stopAfter;
      this.durationsMs = new double[plan.size()];
    }

    @Override
    public void run() {
      try {
        for (int i = 0; i < plan.size(); i++) {
          CrashStep s = plan.get(i);
          started = i;
          long t0 = System.nanoTime();
          Call c = s.run(ctx);
          if (!c.ok()) {
            failedAt = System.nanoTime();
            failure = c;
            return;
          }
          durationsMs[i] = (System.nanoTime() - t0) / 1e6;
          s.apply(tree);
          if (s.contentPath() != null) {
            touched.add(s.contentPath());
          }
          done = i;
          if (i >= stopAfter) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!killed && System.nanoTime() < deadline) {
              LockSupport.parkNanos(50_000);
            }
            return;
          }
        }
      } finally {
        ctx.closeAll();
      }
    }
  }

  private static String log(List<CrashStep> plan, Workload w) {
    StringBuilder sb = new StringBuilder("workload:\n");
    for (int i = 0; i < plan.size(); i++) {
      String state = i <= w.done ? "done" : i == w.done + 1 && w.failure != null ? "IN FLIGHT (" + w.failure.outcome() + ")"
          : "not started";
      sb.append(String.format("  %2d %-11s %s%n", i, state, plan.get(i)));
    }
    return sb.toString();
  }

  /**
   * Checks the mounted tree against the candidates (the first that matches wins) and the
   * invariants that hold whatever the candidate; returns the index of the matching candidate.
   */
  private static int verify(RelUnion union, List<ExpectedTree> candidates, MountedTree.PartialWrite partial,
      Set<String> full, String where, long sampleSeed, boolean afterCrash) {
    MountedTree actual = MountedTree.read(union.mnt());
    List<String> internal = actual.internalNames();
    if (!internal.isEmpty()) {
      fail(where + "\ninternal names visible in the mount: " + internal);
    }
    RelUpperFsck.Report fsck = RelUpperFsck.check(union.upper(), union.system().whiteoutFormat(),
        actual.entries().keySet(), union.lowers());
    if (!fsck.workTemps().isEmpty()) {
      fail(where + "\nthe work directory's tmp area is not empty after mounting: " + fsck.workTemps());
    }
    List<String> problems = fsck.problems(afterCrash);
    if (!problems.isEmpty()) {
      fail(where + "\nupper fsck:\n  " + String.join("\n  ", problems));
    }
    StringBuilder why = new StringBuilder();
    for (int c = 0; c < candidates.size(); c++) {
      List<String> d = actual.diff(candidates.get(c), full, c == 0 ? partial : null, sampleSeed);
      if (d.isEmpty()) {
        return c;
      }
      String name = c == 0 ? "the tree before the step in flight" + (partial != null ? " (or with part of its write)" : "")
          : c == 1 ? "the tree after it" : "the documented crash state";
      why.append("\nnot ").append(name).append(":\n  ").append(String.join("\n  ", d.subList(0, Math.min(d.size(), 15))));
    }
    fail(where + why);
    return -1;
  }

  /** True if the mount shows exactly {@code t} (no partial write involved). */
  private static boolean sameTree(RelUnion union, ExpectedTree t, Set<String> full, long seed) {
    return MountedTree.read(union.mnt()).diff(t, full, null, seed).isEmpty();
  }

  /** {@code t} with the content the mount shows for one file (after a partial write matched). */
  private static ExpectedTree withActualContent(RelUnion union, ExpectedTree t, String rel) throws IOException {
    ExpectedTree out = t.copy();
    out.put(rel, out.get(rel).withData(Files.readAllBytes(union.at(rel))));
    return out;
  }

  private static void assertLowersUnchanged(Map<Path, Map<String, String>> prints, String where) {
    prints.forEach((lower, before) -> {
      List<String> d = BranchChecksum.diff(before, BranchChecksum.of(lower));
      assertTrue(d.isEmpty(), where + ": lower " + lower + " changed:\n  " + String.join("\n  ", d));
    });
  }

  private static void wipe(Path upper) throws IOException {
    try (var s = Files.list(upper)) {
      for (Path p : s.toList()) {
        MergedModel.deleteTree(p);
      }
    }
  }

  /**
   * Fills the lowers and returns the merged view they make. lower1 (top): three big files,
   * {@code d0/c} shadowing lower2's, {@code d0/e}, a tree {@code d2}, a symlink; lower2: {@code
   * d0} (merged with lower1's), {@code d1} with a subdirectory, {@code dd} (merged). Files get
   * fixed mtimes in ns, so copy-up keeping them is checked too.
   */
  private static ExpectedTree fillLowers(RelUnion union, Random rnd) throws IOException {
    ExpectedTree merged = new ExpectedTree();
    String[] lower2 = {"d0/a", "d0/b", "d0/c", "d1/a", "d1/sub/x", "shared.txt", "dd/p", "dd/q", "dd/deep/r"};
    String[] lower1 = {"d0/c", "d0/e", "d2/a", "d2/b", "d2/sub/y", "d2/sub/z", "shared.txt", "dd/s"};
    int[] modes = {0644, 0600, 0640};
    long t = MTIME_BASE;
    for (int li = 2; li >= 1; li--) {
      Path lower = union.lower(li);
      for (String rel : li == 2 ? lower2 : lower1) {
        byte[] data = new byte[1 + rnd.nextInt(16_000)];
        rnd.nextBytes(data);
        int mode = modes[rnd.nextInt(modes.length)];
        t += 1_000_000_007L;
        writeLowerFile(lower.resolve(rel), data, mode, t);
        addDirs(merged, rel, lower);
        merged.put(rel, Node.file(mode, data, t, true));
      }
    }
    Path l1 = union.lower(1);
    Syscalls.chmod(l1.resolve("dd"), 0750).requireOk();
    merged.put("dd", Node.dir(0750, true));
    Files.createSymbolicLink(l1.resolve("ln"), Path.of("d0/a"));
    merged.put("ln", Node.link("d0/a", true));
    for (String b : BIG_FILES) {
      byte[] data = new byte[BIG];
      rnd.nextBytes(data);
      t += 1_000_000_007L;
      writeLowerFile(l1.resolve(b), data, 0644, t);
      merged.put(b, Node.file(0644, data, t, true));
    }
    return merged;
  }

  private static void addDirs(ExpectedTree merged, String rel, Path lower) throws IOException {
    int slash = rel.indexOf('/');
    while (slash > 0) {
      String d = rel.substring(0, slash);
      Path p = lower.resolve(d);
      if (!Files.isDirectory(p)) {
        Files.createDirectories(p);
      }
      Syscalls.chmod(p, 0755).requireOk();
      merged.put(d, Node.dir(0755, true));
      slash = rel.indexOf('/', slash + 1);
    }
  }

  private static void writeLowerFile(Path p, byte[] data, int mode, long mtimeNs) throws IOException {
    Files.createDirectories(p.getParent());
    Files.write(p, data);
    Syscalls.chmod(p, mode).requireOk();
    PosixExtras.utimens(p, mtimeNs, mtimeNs, true).requireOk();
  }
}
